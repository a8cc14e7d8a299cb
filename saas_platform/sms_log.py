"""``settings.SMS_LOG_SINK``: how ``integrations.sms`` records messages without importing us."""

from __future__ import annotations

from integrations.metrics import SMS_SENT
from saas_platform.models import SmsMessage


def record(
    *,
    phone: str,
    template: str,
    text: str,
    scope: str,
    backend: str,
    status: str,
    error: str = "",
    vendor_id: str = "",
) -> None:
    SMS_SENT.labels(backend, template, status).inc()
    # The table is in the public schema; a tenant's search_path ("t_x, public") reaches it too.
    SmsMessage.objects.create(
        phone=phone,
        template=template,
        text=text,
        scope=scope,
        backend=backend,
        status=status,
        error=error,
        vendor_id=vendor_id,
    )
