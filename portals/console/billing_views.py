"""我的账户 (My account): plan, trial end / paid-until, balance, renew, upgrade, top up, the order
list, and paying an order by card (Stripe Checkout), WeChat Pay (QR code) or from the balance.

Admins only. Every order is looked up through the provider of the host the request came in on, so
another provider's order number is simply not found. Thin views: parse, call one billing service,
render. ``feature_required`` is the reusable gate for premium screens.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.models import StaffRole
from billing.entitlements import provider_may
from billing.models import BillingOrder, OrderKind, OrderStatus, PaymentMethod
from billing.payments import payment_start, sync_order
from billing.pricing import MAX_RENEWAL_MONTHS, parse_yuan
from billing.selectors import account_overview, order_get, order_list
from billing.services import (
    BillingError,
    available_methods,
    order_cancel,
    order_create_renewal,
    order_create_top_up,
    order_create_upgrade,
)
from portals.access import current_staff, staff_required
from portals.qr import qr_response

View = Callable[..., HttpResponse]
admin_required = staff_required(StaffRole.ADMIN)
ORDERS_PER_PAGE = 30
STATUS_POLL_SECONDS = 5


def feature_required(feature: str) -> Callable[[View], View]:
    """Gate a console view on a plan feature: without it the staff member sees the upgrade prompt
    (status 403) instead of the screen. Put it under ``staff_required``."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not provider_may(request.tenant, feature):  # type: ignore[attr-defined]
                return render(
                    request, "portals/console/billing/upgrade_required.html", {"feature": feature}, status=403
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _method_choices() -> list[tuple[str, Any]]:
    return list(PaymentMethod.choices)


class RenewForm(forms.Form):
    plan = forms.SlugField(label=gettext_lazy("Plan"))
    months = forms.IntegerField(label=gettext_lazy("Months"), min_value=1, max_value=MAX_RENEWAL_MONTHS)
    method = forms.ChoiceField(label=gettext_lazy("Payment method"), choices=_method_choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class UpgradeForm(forms.Form):
    plan = forms.SlugField(label=gettext_lazy("Plan"))
    method = forms.ChoiceField(label=gettext_lazy("Payment method"), choices=_method_choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)


class TopUpForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Amount (yuan)"), max_length=16)
    method = forms.ChoiceField(label=gettext_lazy("Payment method"), choices=_method_choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean_amount(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount"])
        except ValueError:
            raise forms.ValidationError(
                _("Enter an amount in yuan, e.g. 100 or 99.50."), code="invalid"
            ) from None


class PayForm(forms.Form):
    method = forms.ChoiceField(choices=_method_choices)


def _provider(request: HttpRequest) -> Any:
    return request.tenant  # type: ignore[attr-defined]


def _order_url(order: BillingOrder) -> str:
    return reverse("console:account-order", kwargs={"number": order.number})


def _start_payment(request: HttpRequest, order: BillingOrder, method: str) -> HttpResponse:
    """Start paying ``order`` and send the browser where that method continues."""
    order_page = request.build_absolute_uri(_order_url(order))
    return_url = request.build_absolute_uri(
        reverse("console:account-order-return", kwargs={"number": order.number})
    )
    try:
        started = payment_start(
            provider=_provider(request),
            number=order.number,
            method=method,
            actor=f"staff:{current_staff(request).phone}",
            success_url=return_url,
            cancel_url=order_page,
        )
    except BillingError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_order_url(order))
    if started.redirect_url:
        return redirect(started.redirect_url)
    if started.done:
        messages.success(request, _("Order %(number)s is paid. Thank you!") % {"number": order.number})
    return redirect(_order_url(order))


def _render_account(request: HttpRequest, **forms_in_error: forms.Form) -> HttpResponse:
    provider = _provider(request)
    filters = {name: request.GET.get(name, "") for name in ("kind", "status", "method")}
    page = Paginator(order_list(provider=provider, filters=filters), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    overview = account_overview(provider=provider)
    context = {
        "overview": overview,
        "account": overview.account,
        "page": page,
        "orders": page.object_list,
        "filters": filters,
        "kind_choices": OrderKind.choices,
        "status_choices": OrderStatus.choices,
        "method_choices": PaymentMethod.choices,
        "renew_methods": [(m, PaymentMethod(m).label) for m in overview.renew_methods],
        "top_up_methods": [(m, PaymentMethod(m).label) for m in overview.top_up_methods],
        "renew_form": forms_in_error.get("renew_form"),
        "upgrade_form": forms_in_error.get("upgrade_form"),
        "top_up_form": forms_in_error.get("top_up_form"),
    }
    return render(request, "portals/console/billing/account.html", context)


@admin_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return _render_account(request)


def _order_and_pay(
    request: HttpRequest, form_class: type[forms.Form], form_key: str, create: Callable[..., Any]
) -> HttpResponse:
    """The shared shape of renew / upgrade / top-up: validate, create the order, start paying."""
    if request.method != "POST":
        return _render_account(request)
    form = form_class(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        staff = current_staff(request)
        try:
            order = create(
                provider=_provider(request),
                creator_phone=staff.phone,
                creator_name=staff.display_name,
                **data,
            )
        except BillingError as exc:
            form.add_error(None, exc)
        else:
            return _start_payment(request, order, data["method"])
    return _render_account(request, **{form_key: form})


@admin_required
def account_renew(request: HttpRequest) -> HttpResponse:
    return _order_and_pay(
        request, RenewForm, "renew_form", lambda plan, **kw: order_create_renewal(plan_code=plan, **kw)
    )


@admin_required
def account_upgrade(request: HttpRequest) -> HttpResponse:
    return _order_and_pay(
        request, UpgradeForm, "upgrade_form", lambda plan, **kw: order_create_upgrade(plan_code=plan, **kw)
    )


@admin_required
def account_top_up(request: HttpRequest) -> HttpResponse:
    return _order_and_pay(
        request, TopUpForm, "top_up_form", lambda amount, **kw: order_create_top_up(amount_fen=amount, **kw)
    )


def _order_or_404(request: HttpRequest, number: str) -> BillingOrder:
    order = order_get(provider=_provider(request), number=number)
    if order is None:
        raise Http404
    return order


def _render_order(request: HttpRequest, order: BillingOrder) -> HttpResponse:
    show_qr = (
        order.status == OrderStatus.PENDING
        and order.method == PaymentMethod.WECHAT_PAY
        and bool(order.gateway_url)
    )
    return render(
        request,
        "portals/console/billing/order.html",
        {
            "order": order,
            "show_qr": show_qr,
            "pay_methods": [(m, PaymentMethod(m).label) for m in available_methods(order.kind)]
            if order.status == OrderStatus.PENDING
            else [],
            "poll_seconds": STATUS_POLL_SECONDS,
        },
    )


@admin_required
@require_GET
def account_order(request: HttpRequest, number: str) -> HttpResponse:
    return _render_order(request, _order_or_404(request, number))


@admin_required
def account_order_pay(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    if request.method != "POST":
        return _render_order(request, order)
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a payment method."))
        return _render_order(request, order)
    return _start_payment(request, order, form.cleaned_data["method"])


@admin_required
@require_GET
def account_order_status(request: HttpRequest, number: str) -> JsonResponse:
    """Polled by the WeChat Pay QR page. Re-reads the gateway at most every few seconds per order,
    so the page turns paid even if WeChat Pay's notification never reached us."""
    order = _order_or_404(request, number)
    if order.status == OrderStatus.PENDING and cache.add(
        f"billing:order-sync:{order.pk}", 1, timeout=STATUS_POLL_SECONDS
    ):
        order = sync_order(order=order)
    return JsonResponse(
        {"number": order.number, "status": order.status, "status_label": order.get_status_display()}
    )


@admin_required
@require_GET
def account_order_qr(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    if (
        order.method != PaymentMethod.WECHAT_PAY
        or not order.gateway_url
        or order.status != OrderStatus.PENDING
    ):
        raise Http404
    response = qr_response(order.gateway_url, kind="svg", filename=f"wechat-pay-{order.number}", scale=6)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "no-store"
    return response


@admin_required
def account_order_cancel(request: HttpRequest, number: str) -> HttpResponse:
    order = _order_or_404(request, number)
    if request.method != "POST":
        return _render_order(request, order)
    try:
        order_cancel(provider=_provider(request), number=order.number)
    except BillingError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Order %(number)s is cancelled.") % {"number": order.number})
    return redirect("console:account")


@admin_required
@require_GET
def account_order_return(request: HttpRequest, number: str) -> HttpResponse:
    """Stripe Checkout's success page: re-read the session (the webhook may not have arrived yet)."""
    order = sync_order(order=_order_or_404(request, number))
    if order.status == OrderStatus.PAID:
        messages.success(request, _("Order %(number)s is paid. Thank you!") % {"number": order.number})
    else:
        messages.info(
            request, _("We are waiting for the payment to be confirmed. Reload this page in a moment.")
        )
    return _render_order(request, order)
