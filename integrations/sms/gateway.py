"""Send one SMS through the configured backend and record it in the operators' SMS log.

``settings.SMS_BACKEND`` picks the backend: ``dev`` (records and prints; the default), ``tencent``
(Tencent Cloud SMS), or a dotted path to an ``SmsBackend`` subclass. Every attempt, sent or failed,
is handed to ``settings.SMS_LOG_SINK`` (a dotted path, so this tenant app never imports the public
site that owns the log model).
"""

from __future__ import annotations

import abc
import logging
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from integrations.sms.templates import SmsTemplate, template_get

logger = logging.getLogger(__name__)

BACKENDS = {
    "dev": "integrations.sms.gateway.DevBackend",
    "tencent": "integrations.sms.tencent.TencentBackend",
}


@dataclass(frozen=True)
class OutgoingSms:
    phone: str  # E.164, e.g. +8613800138000
    template: SmsTemplate
    params: dict[str, str] = field(default_factory=dict)
    scope: str = "public"  # "public" or the tenant schema that sent it
    context: str = ""  # our id of what is sent (the vendor echoes it: Tencent's SessionContext)

    def text(self, *, mask_secrets: bool = False) -> str:
        return self.template.render(self.params, mask_secrets=mask_secrets)


class SmsSendError(Exception):
    """The backend did not deliver. ``reason`` is ours (stable), ``vendor_code`` the vendor's."""

    def __init__(self, message: str, *, reason: str = "failed", vendor_code: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.vendor_code = vendor_code


class SmsBackend(abc.ABC):
    name: str = ""
    # Real vendors' log rows never show a code; the dev backend's log is the developer's inbox.
    mask_secrets_in_log: bool = True

    @abc.abstractmethod
    def send(self, message: OutgoingSms) -> str:
        """Deliver ``message``; return the vendor's message id. Raise ``SmsSendError`` on refusal."""


class DevBackend(SmsBackend):
    """Development and tests: keeps every message in ``outbox`` and prints it to the console."""

    name = "dev"
    mask_secrets_in_log = False
    outbox: list[OutgoingSms] = []  # noqa: RUF012 (the shared in-process inbox, like mail.outbox)

    def send(self, message: OutgoingSms) -> str:
        type(self).outbox.append(message)
        sys.stdout.write(f"[SMS dev] to {message.phone} ({message.scope}): {message.text()}\n")
        sys.stdout.flush()
        return f"dev-{len(type(self).outbox)}"


def backend_get() -> SmsBackend:
    configured = str(getattr(settings, "SMS_BACKEND", "dev") or "dev")
    backend_class: type[SmsBackend] = import_string(BACKENDS.get(configured, configured))
    return backend_class()


def sms_send(*, phone: str, template: str, params: dict[str, str], scope: str, context: str = "") -> None:
    """Send ``template`` filled with ``params`` to ``phone`` (E.164). Raises ``SmsSendError``.

    Once the vendor accepted the message this never raises: a failure to write the SMS log (the
    database restarting) is logged, because raising would make the caller send it again."""
    sms_template = template_get(template)
    missing = [key for key in sms_template.params if key not in params]
    if missing:
        raise ValueError(f"SMS template {template!r} needs parameters {missing}")
    message = OutgoingSms(
        phone=phone, template=sms_template, params=dict(params), scope=scope, context=context
    )
    backend = backend_get()
    logged_text = message.text(mask_secrets=backend.mask_secrets_in_log)
    try:
        vendor_id = backend.send(message)
    except SmsSendError as exc:
        logger.warning("SMS to %s via %s failed: %s (%s)", phone, backend.name, exc, exc.vendor_code)
        _record(message, backend, logged_text, status="failed", error=f"{exc.vendor_code} {exc}".strip())
        raise
    try:
        _record(message, backend, logged_text, status="sent", vendor_id=vendor_id)
    except Exception:  # noqa: BLE001 (sent already: a lost log row beats a second text)
        logger.exception("SMS to %s was sent (%s) but the SMS log could not be written", phone, vendor_id)


def _record(
    message: OutgoingSms,
    backend: SmsBackend,
    text: str,
    *,
    status: str,
    error: str = "",
    vendor_id: str = "",
) -> None:
    sink_path = getattr(settings, "SMS_LOG_SINK", "")
    if not sink_path:
        return
    import_string(sink_path)(
        phone=message.phone,
        template=message.template.name,
        text=text,
        scope=message.scope,
        backend=backend.name,
        status=status,
        error=error[:500],
        vendor_id=vendor_id,
    )
