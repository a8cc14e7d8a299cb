"""Sending one notification through its channel. Each sender returns a ``Result``; none raises.

- ``sent``: delivered (vendor id kept when there is one);
- ``logged``: the channel is not set up (no WeChat connection, no template id, no SMS template id,
  no mail server) — the message stays in the in-app log, visible in the console, and is not retried;
- ``failed``: refused for good (47003 bad field, 43004 not following, a bad phone number …);
- ``retry``: try again later (network, WeChat busy, token trouble); ``quota`` asks for a long pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from integrations.miniprogram.subscribe import miniprogram_first
from integrations.models import Channel, Notification, WeChatAccount, WeChatMessageStyle, default_from_email
from integrations.notifications import sms_templates
from integrations.notifications.content import SLOTS
from integrations.sms.gateway import SmsSendError, sms_send
from integrations.wechat import errors, tokens
from integrations.wechat.accounts import (
    account_cache_key,
    account_get,
    current_provider,
    current_schema,
    wechat_allowed,
)
from integrations.wechat.client import account_client, api_base

logger = logging.getLogger(__name__)

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Result:
    status: str  # sent / logged / failed / retry
    error: str = ""
    vendor_id: str = ""
    quota: bool = False
    code: str = ""  # the vendor's error code, when there is one


def idempotency_key(notification: Notification) -> str:
    """The same for every attempt at one notification (WeChat ``client_msg_id``, SMS session
    context), unique across tenants; at most 64 bytes."""
    return f"bx-{current_schema()}-{notification.pk}"[:64]


def _sent(vendor_id: str = "") -> Result:
    return Result("sent", vendor_id=vendor_id[:100])


def _logged(reason: str) -> Result:
    return Result("logged", error=reason)


def _account() -> WeChatAccount:
    """The schema's account from the shared cache (dropped whenever the row is saved), so a burst
    of deliveries does not read the same row once per message."""
    key = account_cache_key()
    account = cache.get(key)
    if not isinstance(account, WeChatAccount):
        account = account_get()
        cache.set(key, account, 300)
    return account


_clients = threading.local()


def _client(account: WeChatAccount) -> Any:
    """One wechatpy client per account and thread (building one inspects every API class)."""
    clients: dict[tuple[Any, ...], Any] = getattr(_clients, "by_account", None) or {}
    _clients.by_account = clients
    key = (api_base(), account.appid, account.pk, account.secret_sealed, account.refresh_token_sealed)
    client = clients.get(key)
    if client is None:
        clients.clear()
        client = clients[key] = account_client(account)
    return client


def send_wechat(notification: Notification) -> Result:
    account = _account()
    if not account.is_connected:
        return _logged(_("WeChat official account is not connected."))
    if not wechat_allowed(current_provider()):
        return _logged(_("The plan does not include the WeChat official account."))
    slot = str(notification.payload.get("slot", ""))
    template_id = (account.template_ids or {}).get(slot, "")
    if not template_id:
        label = SLOTS[slot].label if slot in SLOTS else slot
        return _logged(_("No WeChat template is chosen for “%(slot)s”.") % {"slot": label})
    data = notification.payload.get("wechat") or {}
    client = _client(account)
    try:
        if account.message_style == WeChatMessageStyle.SUBSCRIBE:
            answer = client.message.send_subscribe_message(
                notification.address, template_id, data, page=notification.link or None
            )
        else:
            # client_msg_id: WeChat sends one message per (openid, id) within 10 minutes, so a
            # re-send after a crash between the send and our write is dropped by WeChat.
            answer = client.message._post(
                "message/template/send",
                data={
                    "touser": notification.address,
                    "template_id": template_id,
                    "data": data,
                    **({"url": notification.link} if notification.link else {}),
                    "client_msg_id": idempotency_key(notification),
                },
            )
    except WeChatClientException as exc:
        text = errors.describe(exc.errcode, exc.errmsg)
        code = "" if exc.errcode is None else str(exc.errcode)
        if errors.is_permanent(exc.errcode):
            return Result("failed", error=text, code=code)
        return Result("retry", error=text, quota=errors.is_quota(exc.errcode), code=code)
    except tokens.TokenUnavailable as exc:
        return Result("retry", error=str(exc))
    msgid = answer.get("msgid", "") if isinstance(answer, dict) else ""
    return _sent(str(msgid))


def _sms_template_missing(template: str) -> bool:
    backend = str(getattr(settings, "SMS_BACKEND", "dev"))
    return backend == "tencent" and not dict(getattr(settings, "TENCENT_SMS_TEMPLATES", {})).get(template)


def send_sms(notification: Notification) -> Result:
    visit = notification.visit_event_id is not None
    template = sms_templates.template_for(notification.language, visit=visit)
    if _sms_template_missing(template):
        return _logged(_("No approved SMS template is configured for order notices."))
    params = {k: str(v) for k, v in (notification.payload.get("sms") or {}).items()}
    try:
        sms_send(
            phone=notification.address,
            template=template,
            params=params,
            scope=current_schema(),
            context=idempotency_key(notification),
        )
    except SmsSendError as exc:
        text = f"{exc.vendor_code} {exc}".strip()
        if exc.reason == "invalid_phone":
            return Result("failed", error=text)
        return Result("retry", error=text, quota=exc.reason == "limit")
    except (ValueError, LookupError) as exc:
        return Result("failed", error=str(exc))
    return _sent()


def email_configured() -> bool:
    return str(settings.EMAIL_BACKEND) != SMTP_BACKEND or bool(getattr(settings, "EMAIL_HOST", ""))


def send_email(notification: Notification) -> Result:
    if not email_configured():
        return _logged(_("No mail server is configured."))
    body = notification.body + (f"\n\n{notification.link}" if notification.link else "")
    try:
        send_mail(notification.title, body, default_from_email(), [notification.address])
    except Exception as exc:  # noqa: BLE001 (any SMTP/network failure: retry later)
        return Result("retry", error=str(exc)[:300] or exc.__class__.__name__)
    return _sent()


SENDERS: dict[Channel, Callable[[Notification], Result]] = {
    Channel.WECHAT: send_wechat,
    Channel.SMS: send_sms,
    Channel.EMAIL: send_email,
}
# A customer who granted a mini-program subscribe message gets that first; without a grant, or when
# WeChat refuses it, the official account or SMS as before (integrations.miniprogram.subscribe).
SENDERS = miniprogram_first(SENDERS, (Channel.WECHAT, Channel.SMS))


def send(notification: Notification) -> Result:
    sender = SENDERS.get(notification.channel)  # type: ignore[call-overload]
    if sender is None:  # in-app messages are delivered when created
        return _sent()
    try:
        return sender(notification)
    except Exception as exc:  # noqa: BLE001 (a bug or an outage must not lose the message)
        logger.exception("sending notification %s failed unexpectedly", notification.pk)
        return Result("retry", error=f"{exc.__class__.__name__}: {exc}"[:300])
