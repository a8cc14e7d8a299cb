"""Public-host billing views: the pricing page, the gateways' webhooks and the operators'
dashboard. Thin: parse, call one service or selector, render."""

from __future__ import annotations

import logging

import stripe
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.charts import revenue_bars
from billing.gateways import wechat_pay
from billing.gateways.stripe_checkout import GatewayError
from billing.models import AccountState, Plan
from billing.payments import UnknownNotification, stripe_webhook_process, wechat_notification_process
from billing.selectors import operator_dashboard
from billing.services import BillingError

logger = logging.getLogger(__name__)

WECHAT_HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)


def pricing(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.filter(is_public=True, is_trial=False).order_by("rank")
    return render(request, "billing/pricing.html", {"plans": plans})


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        outcome = stripe_webhook_process(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("Stripe webhook refused: bad signature or payload")
        return JsonResponse({"error": "invalid signature"}, status=400)
    except UnknownNotification as exc:
        logger.warning("Stripe webhook refused: %s", exc)
        return JsonResponse({"error": "unknown"}, status=400)
    except BillingError as exc:
        return JsonResponse({"error": exc.code or "refused"}, status=400)
    except GatewayError:
        return JsonResponse({"error": "try again"}, status=503)
    return JsonResponse({"received": True, "outcome": outcome})


@csrf_exempt
@require_POST
def wechatpay_notify(request: HttpRequest) -> HttpResponse:
    headers = {name: request.headers.get(name, "") for name in WECHAT_HEADERS}
    try:
        wechat_notification_process(headers=headers, body=request.body)
    except (wechat_pay.ForgedNotification, UnknownNotification, BillingError) as exc:
        logger.warning("WeChat Pay notification refused: %s", exc)
        return JsonResponse({"code": "FAIL", "message": "rejected"}, status=400)
    except GatewayError:
        return JsonResponse({"code": "FAIL", "message": "not configured"}, status=400)
    return HttpResponse(status=204)


def dashboard(request: HttpRequest) -> HttpResponse:
    """Operators only: wrapped in ``admin.site.admin_view`` in the public urlconf (staff sign-in),
    and the operator must be allowed to view billing accounts. Rendered in the operator console's
    own chrome (header, sidebar, sign-out) from ``admin.site.each_context``."""
    if not request.user.has_perm("billing.view_billingaccount"):
        raise PermissionDenied
    data = operator_dashboard()
    return render(
        request,
        "billing/operator/dashboard.html",
        {
            **admin.site.each_context(request),
            "title": _("Billing dashboard"),
            "data": data,
            "chart": revenue_bars(data.revenue),
            "states": AccountState,
            "state_rows": [
                (label, data.counts_by_state.get(value, 0)) for value, label in AccountState.choices
            ],
        },
    )
