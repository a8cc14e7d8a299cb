"""The webhook an external asset system calls with status changes (on the provider's host).

Headers: ``X-Baoxiu-Timestamp`` (Unix seconds), ``X-Baoxiu-Delivery`` (unique per delivery) and
``X-Baoxiu-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>." + body, keyed by the binding's
webhook secret>``. Answers: 200 with the outcome per change; 400/401/403/409 when refused; 404 for
a binding this provider does not have (another provider's id included)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from integrations.asset_systems.models import AssetSystemBinding
from integrations.asset_systems.services import WebhookRefused, webhook_receive

MAX_BODY = 256 * 1024


@csrf_exempt
@require_POST
def asset_webhook(request: HttpRequest, binding_id: int) -> JsonResponse:
    binding = AssetSystemBinding.objects.filter(pk=binding_id).first()
    if binding is None:
        raise Http404
    if int(request.headers.get("Content-Length") or 0) > MAX_BODY:
        return JsonResponse({"ok": False, "error": "body too large"}, status=413)
    try:
        outcomes = webhook_receive(
            binding=binding,
            body=request.body,
            timestamp=request.headers.get("X-Baoxiu-Timestamp", ""),
            signature=request.headers.get("X-Baoxiu-Signature", ""),
            delivery_id=request.headers.get("X-Baoxiu-Delivery", ""),
        )
    except WebhookRefused as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=exc.status)
    return JsonResponse(
        {"ok": True, "results": [{"result": o.result, "message": o.message} for o in outcomes]}
    )
