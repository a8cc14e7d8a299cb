"""The official account's message callback (消息与事件接收): verify, decrypt, de-duplicate, answer.

``handle`` is the whole protocol for one request, shared by the tenant endpoint
(``/wechat/callback/`` for a manually connected account) and the platform endpoint
(``/wechat/component/<appid>/callback/`` for authorized accounts, routed to the tenant first):

1. the query's ``signature`` must be SHA1(sort(token, timestamp, nonce)) with *this* account's
   token (the platform's token for authorized accounts); GET answers ``echostr`` (URL check);
   the timestamp must be within ``WECHAT_CALLBACK_MAX_AGE`` (5 minutes) of now, and a
   (timestamp, nonce, signature) set is remembered in the cache for that window: an old callback
   URL, or one seen before, never runs again (a repeat is answered "success" and does nothing,
   as WeChat's own retries expect);
2. AES mode (``encrypt_type=aes``): ``msg_signature`` is checked and the body decrypted with the
   EncodingAESKey; the AppId sealed inside the ciphertext must be this account's (or the
   platform's) — another tenant's message can never be accepted here. An account with an
   EncodingAESKey (安全模式; every authorized account) accepts only encrypted messages: in plain
   mode the signature does not cover the body, so a plain body could say anything;
   a body that cannot be parsed or decrypted is a 400 with a log line, never a 500;
3. ``ToUserName`` must be this account's original id (learned from the first verified message of
   a manually connected account);
4. ``WeChatInboundMessage.dedupe_key`` (MsgId, or sender + CreateTime + event) is unique: WeChat's
   retries and replays are answered "success" and do nothing;
5. the passive reply (text) is computed from local data only — no outbound call — so the answer
   comes well within WeChat's 5 seconds; follow-up work (fetching the user's profile) goes to a
   task after commit.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import xmltodict
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from accounts.models import Customer
from accounts.selectors import company_for_registration
from integrations.models import NotificationPreference, WeChatAccount, WeChatConnection, WeChatInboundMessage
from integrations.wechat.menu import SCAN_KEY, reply_for_key
from repair_forms.lifecycle import Actor
from repair_forms.models import RepairOrder
from repair_forms.selectors import asset_by_token, orders_visible_to
from repair_forms.status_words import customer_word
from tenants.domains import portal_url

logger = logging.getLogger(__name__)

ORDER_NUMBER_RE = re.compile(r"\bBX-\d{8}-\d{5}\b", re.IGNORECASE)
STATUS_WORDS = frozenset({"查询", "进度", "我的报修", "报修进度", "status", "my orders", "orders"})


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


FORBIDDEN = Answer(403, "invalid signature")
STALE = Answer(403, "stale timestamp")
BAD_MESSAGE = Answer(400, "bad message")
SUCCESS = Answer(200, "success")


def _max_age() -> int:
    return int(getattr(settings, "WECHAT_CALLBACK_MAX_AGE", 300))


def _now() -> float:
    return time.time()


def _fresh(timestamp: str) -> bool:
    """Is the signed timestamp within the allowed age (either side, for clock skew)?"""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return abs(_now() - int(timestamp)) <= _max_age()


def _first_use(account: WeChatAccount, timestamp: str, nonce: str, signature: str) -> bool:
    """Remember this signed request for the freshness window; False if it was seen already."""
    digest = hashlib.sha256(f"{account.pk}|{timestamp}|{nonce}|{signature}".encode()).hexdigest()
    schema = getattr(connection, "schema_name", "public")
    return bool(cache.add(f"wechat-callback-nonce:{schema}:{digest}", 1, _max_age() * 2 + 10))


@dataclass(frozen=True)
class Credentials:
    token: str
    aes_key: str
    crypto_appid: str  # the AppId sealed in AES messages


def credentials_for(account: WeChatAccount) -> Credentials | None:
    if account.connection == WeChatConnection.COMPONENT:
        return Credentials(
            str(settings.WECHAT_COMPONENT_TOKEN),
            str(settings.WECHAT_COMPONENT_AES_KEY),
            str(settings.WECHAT_COMPONENT_APPID),
        )
    if account.connection == WeChatConnection.MANUAL and account.token_sealed:
        return Credentials(account.token, account.aes_key, account.appid)
    return None


def handle(*, account: WeChatAccount, method: str, query: dict[str, str], body: bytes, host: str) -> Answer:
    credentials = credentials_for(account)
    if credentials is None or not credentials.token:
        return Answer(404, "not connected")
    signature = query.get("signature", "")
    timestamp = query.get("timestamp", "")
    nonce = query.get("nonce", "")
    try:
        check_signature(credentials.token, signature, timestamp, nonce)
    except InvalidSignatureException:
        return FORBIDDEN
    if not _fresh(timestamp):
        logger.warning("WeChat callback with a stale timestamp %r refused", timestamp[:20])
        return STALE
    if method == "GET":
        return Answer(200, query.get("echostr", ""))
    if not _first_use(account, timestamp, nonce, signature):
        return SUCCESS  # the same signed request again: a retry or a replay, handled once already
    crypto: WeChatCrypto | None = None
    if query.get("encrypt_type", "raw") == "aes":
        if not credentials.aes_key:
            return FORBIDDEN
        crypto = WeChatCrypto(credentials.token, credentials.aes_key, credentials.crypto_appid)
        try:
            xml = crypto.decrypt_message(body, query.get("msg_signature", ""), timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException):
            return FORBIDDEN
        except Exception:  # noqa: BLE001 (broken XML, base64 or padding: the sender's fault)
            logger.warning("WeChat callback: an encrypted body that cannot be read was refused")
            return BAD_MESSAGE
    elif credentials.aes_key:
        logger.warning("WeChat callback: a plain message for an account in AES mode was refused")
        return FORBIDDEN
    else:
        xml = body.decode("utf-8", "replace")
    try:
        parsed = xmltodict.parse(xml)
        message: dict[str, Any] = parsed["xml"] if isinstance(parsed, dict) else {}
    except Exception:  # noqa: BLE001 (malformed XML from a verified sender: refuse it)
        message = {}
    if not isinstance(message, dict) or not message:
        logger.warning("WeChat callback: a message that is not WeChat's XML was refused")
        return BAD_MESSAGE
    to_user = str(message.get("ToUserName") or "")
    if account.original_id and to_user != account.original_id:
        logger.warning("WeChat message for %s reached the account %s; refused", to_user, account.original_id)
        return FORBIDDEN
    if not account.original_id and to_user:
        WeChatAccount.objects.filter(pk=account.pk, original_id="").update(original_id=to_user[:40])

    inbound = _record(message)
    if inbound is None:
        return SUCCESS  # a retry or replay of a message already handled
    text = respond(message, host=host)
    _finish(inbound, text)
    if not text:
        return SUCCESS
    reply = TextReply(source=to_user, target=str(message.get("FromUserName") or ""), content=text).render()
    if crypto is not None:
        reply = crypto.encrypt_message(reply, nonce, timestamp)
    return Answer(200, reply, "application/xml; charset=utf-8")


def dedupe_key(message: dict[str, Any]) -> str:
    msg_id = str(message.get("MsgId") or message.get("MsgID") or "")
    if msg_id and str(message.get("MsgType", "")).lower() != "event":
        return f"msg:{msg_id}"
    return "evt:{}:{}:{}:{}".format(
        message.get("FromUserName", ""),
        message.get("CreateTime", ""),
        str(message.get("Event", "")).lower(),
        str(message.get("EventKey") or "")[:40],
    )[:120]


def _record(message: dict[str, Any]) -> WeChatInboundMessage | None:
    content = message.get("Content") or ""
    scan = message.get("ScanCodeInfo") or {}
    if isinstance(scan, dict) and scan.get("ScanResult"):
        content = scan["ScanResult"]
    try:
        with transaction.atomic():
            return WeChatInboundMessage.objects.create(
                dedupe_key=dedupe_key(message),
                from_user=str(message.get("FromUserName") or "")[:64],
                msg_type=str(message.get("MsgType") or "")[:20],
                event=str(message.get("Event") or "")[:40],
                event_key=str(message.get("EventKey") or "")[:300],
                content=str(content)[:2000],
            )
    except IntegrityError:
        return None


def _finish(inbound: WeChatInboundMessage, text: str) -> None:
    inbound.reply = text
    inbound.handled_at = timezone.now()
    inbound.save(update_fields=["reply", "handled_at"])
    from integrations.wechat.tasks import enqueue_followup

    inbound_id, schema = inbound.pk, str(getattr(connection, "schema_name", "public"))
    transaction.on_commit(lambda: enqueue_followup(inbound_id, schema=schema), robust=True)


# --- What to answer --------------------------------------------------------------------------------


def _path(name: str, fallback: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return fallback


def report_link(host: str, **query: str) -> str:
    return portal_url(host, _path("portal:report", "/report/") + "?" + urlencode(query))


def _language_for(openid: str) -> tuple[Customer | None, str]:
    customer = Customer.objects.filter(wechat_openid=openid).first() if openid else None
    language = "zh-hans"
    if customer is not None:
        pref = (
            NotificationPreference.objects.filter(customer=customer)
            .values_list("language", flat=True)
            .first()
        )
        language = pref or language
    return customer, language


def respond(message: dict[str, Any], *, host: str) -> str:
    """The text to answer with ('' = nothing)."""
    openid = str(message.get("FromUserName") or "")
    customer, language = _language_for(openid)
    with translation.override(language):
        return _respond(message, host=host, customer=customer)


def _welcome(host: str) -> str:
    from integrations.wechat.accounts import account_get, current_provider

    account = account_get()
    if account.welcome_text:
        return account.welcome_text
    return _("Welcome to %(provider)s! Tap “Report” in the menu below to report a fault: %(link)s") % {
        "provider": current_provider().name,
        "link": report_link(host),
    }


def _scene(scene: str, host: str) -> str:
    """A parametric QR code's scene: ``company:<token>`` (a company's registration code) or
    ``asset:<token>`` (a machine)."""
    kind, _sep, value = scene.partition(":")
    if kind == "company":
        company = company_for_registration(token=value)
        if company is None:
            return _("This registration code is no longer valid. Ask the provider for a new one.")
        link = portal_url(host, _path("portal:company-join", f"/company/{value}/", token=value))
        return _("Register as a member of %(company)s: %(link)s") % {"company": company.name, "link": link}
    if kind == "asset":
        asset = asset_by_token(value)
        if asset is not None:
            return _("Report a fault for machine %(machine)s: %(link)s") % {
                "machine": str(asset),
                "link": report_link(host, asset=value),
            }
    return ""


def _scanned(result: str, host: str) -> str:
    """An asset QR label (a link with ``asset=`` or ``serial=``) or a bare serial / bar code."""
    result = result.strip()
    if "," in result and result.split(",", 1)[0].upper() in {
        "EAN_13",
        "EAN_8",
        "CODE_128",
        "QR_CODE",
        "CODE_39",
    }:
        result = result.split(",", 1)[1]  # bar codes arrive as "TYPE,value"
    parts = urlsplit(result)
    if parts.scheme in ("http", "https"):
        query = parse_qs(parts.query)
        token = (query.get("asset") or [""])[0]
        if token:
            asset = asset_by_token(token)
            if asset is not None:
                return _("Report a fault for machine %(machine)s: %(link)s") % {
                    "machine": str(asset),
                    "link": report_link(host, asset=token),
                }
        serial = (query.get("serial") or [""])[0]
        if serial:
            return _("Report a fault for serial number %(serial)s: %(link)s") % {
                "serial": serial[:60],
                "link": report_link(host, serial=serial[:80]),
            }
        return _("This code is not one of our machine labels. Report a fault here: %(link)s") % {
            "link": report_link(host)
        }
    if not result:
        return ""
    return _("Report a fault for serial number %(serial)s: %(link)s") % {
        "serial": result[:60],
        "link": report_link(host, serial=result[:80]),
    }


def _order_line(order: RepairOrder) -> str:
    return _("%(number)s: %(status)s (filed %(date)s)") % {
        "number": order.number,
        "status": customer_word(order.status),
        "date": timezone.localtime(order.submitted_at).strftime("%Y-%m-%d"),
    }


def _orders_text(text: str, customer: Customer | None, host: str) -> str:
    numbers = [n.upper() for n in ORDER_NUMBER_RE.findall(text)]
    wants_list = text.strip().lower() in STATUS_WORDS
    if not numbers and not wants_list:
        return ""
    if customer is None:
        login = portal_url(host, _path("wechat-oauth-start", "/wechat/oauth/start/"))
        return _("Bind your phone number first to look up orders: %(link)s") % {"link": login}
    visible = orders_visible_to(Actor.for_customer(customer))
    if numbers:
        found = list(visible.filter(number__in=numbers[:3]))
        if not found:
            return _("No order %(number)s among your orders.") % {"number": numbers[0]}
        return "\n".join(_order_line(order) for order in found)
    latest = list(visible.order_by("-submitted_at", "-id")[:3])
    if not latest:
        return _("You have no orders yet. Report a fault: %(link)s") % {"link": report_link(host)}
    return "\n".join(_order_line(order) for order in latest)


def _respond(message: dict[str, Any], *, host: str, customer: Customer | None) -> str:
    from integrations.wechat.accounts import account_get

    msg_type = str(message.get("MsgType") or "").lower()
    if msg_type == "text":
        text = str(message.get("Content") or "")
        return _orders_text(text, customer, host) or account_get().default_reply
    if msg_type != "event":
        return account_get().default_reply
    event = str(message.get("Event") or "").lower()
    key = str(message.get("EventKey") or "")
    if event == "subscribe":
        if key.startswith("qrscene_"):
            return _scene(key[len("qrscene_") :], host) or _welcome(host)
        return _welcome(host)
    if event == "scan":
        return _scene(key, host)
    if event in ("scancode_push", "scancode_waitmsg"):
        info = message.get("ScanCodeInfo") or {}
        result = str(info.get("ScanResult") or "") if isinstance(info, dict) else ""
        if key in (SCAN_KEY, "") or result:
            return _scanned(result, host)
        return ""
    if event == "click":
        return reply_for_key(key)
    return ""
