"""Our thin layer over ``wechatpayv3``: WeChat Pay API v3 Native payments (a ``code_url`` shown as
a QR code), order query, and payment notifications.

Direct-merchant mode with the WeChat Pay platform public key (微信支付公钥, ``public_key_id``):
responses and notifications are verified with it, so no platform-certificate download is needed.
The API base comes from ``settings.WECHATPAY_API_BASE`` (tests use a loopback fake that signs like
WeChat Pay). Off unless every credential is configured.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from wechatpayv3 import WeChatPay, WeChatPayType

from billing.gateways.stripe_checkout import GatewayError
from tenants.domains import public_url

logger = logging.getLogger(__name__)

NOTIFY_PATH = "/billing/webhooks/wechatpay/"
# WeChat Pay's docs: reject notifications whose timestamp is more than 5 minutes off.
TIMESTAMP_TOLERANCE_SECONDS = 300
QR_VALID_MINUTES = 30

_REQUIRED = (
    "WECHATPAY_MCHID",
    "WECHATPAY_APPID",
    "WECHATPAY_APIV3_KEY",
    "WECHATPAY_CERT_SERIAL_NO",
    "WECHATPAY_PRIVATE_KEY",
    "WECHATPAY_PUBLIC_KEY",
    "WECHATPAY_PUBLIC_KEY_ID",
)


def enabled() -> bool:
    return all(getattr(settings, name, "") for name in _REQUIRED)


def notify_url() -> str:
    return str(settings.WECHATPAY_NOTIFY_URL or public_url(NOTIFY_PATH))


@functools.lru_cache(maxsize=4)
def _client_for(config: tuple[str, ...]) -> WeChatPay:
    mchid, appid, apiv3_key, serial, private_key, public_key, public_key_id, notify, api_base = config
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=private_key,
        cert_serial_no=serial,
        appid=appid,
        apiv3_key=apiv3_key,
        notify_url=notify,
        public_key=public_key,
        public_key_id=public_key_id,
        timeout=(5, 10),
        logger=logger,
    )
    # The library has no option for the host; its core keeps it in one attribute.
    client._core._gate_way = api_base.rstrip("/")
    return client


def _client() -> WeChatPay:
    if not enabled():
        raise GatewayError("WeChat Pay is not configured.")
    return _client_for(
        (
            settings.WECHATPAY_MCHID,
            settings.WECHATPAY_APPID,
            settings.WECHATPAY_APIV3_KEY,
            settings.WECHATPAY_CERT_SERIAL_NO,
            settings.WECHATPAY_PRIVATE_KEY,
            settings.WECHATPAY_PUBLIC_KEY,
            settings.WECHATPAY_PUBLIC_KEY_ID,
            notify_url(),
            settings.WECHATPAY_API_BASE,
        )
    )


def _call(method: Any, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    try:
        code, message = method(**kwargs)
    except Exception as exc:  # network errors and the library's signature refusals alike
        raise GatewayError(str(exc)) from exc
    try:
        body = json.loads(message) if message else {}
    except (TypeError, ValueError):
        body = {}
    return int(code), body


def native_create(
    *, order_number: str, amount_fen: int, description: str, now: datetime | None = None
) -> str:
    """Place a Native order; returns the ``code_url`` to show as a QR code."""
    expire = timezone.localtime(now or timezone.now()) + timedelta(minutes=QR_VALID_MINUTES)
    client = _client()
    code, body = _call(
        client.pay,
        description=description[:127],
        out_trade_no=order_number,
        amount={"total": amount_fen, "currency": "CNY"},
        time_expire=expire.isoformat(timespec="seconds"),
        pay_type=WeChatPayType.NATIVE,
    )
    if code != 200 or not body.get("code_url"):
        raise GatewayError(
            f"WeChat Pay refused the order: {code} {body.get('code', '')} {body.get('message', '')}"
        )
    return str(body["code_url"])


@dataclass(frozen=True)
class Transaction:
    out_trade_no: str
    trade_state: str  # SUCCESS, NOTPAY, CLOSED, REFUND, USERPAYING, PAYERROR, REVOKED
    amount_fen: int
    currency: str
    transaction_id: str

    @property
    def is_paid(self) -> bool:
        return self.trade_state == "SUCCESS"


def _transaction(data: dict[str, Any]) -> Transaction:
    amount = data.get("amount") or {}
    return Transaction(
        out_trade_no=str(data.get("out_trade_no") or ""),
        trade_state=str(data.get("trade_state") or ""),
        amount_fen=int(amount.get("total") or amount.get("payer_total") or 0),
        currency=str(amount.get("currency") or "CNY"),
        transaction_id=str(data.get("transaction_id") or ""),
    )


def transaction_query(order_number: str) -> Transaction | None:
    """The order's state at WeChat Pay (None when WeChat Pay does not know it)."""
    code, body = _call(_client().query, out_trade_no=order_number)
    if code == 404:
        return None
    if code != 200:
        raise GatewayError(f"WeChat Pay query failed: {code} {body.get('code', '')}")
    return _transaction(body)


@dataclass(frozen=True)
class Notification:
    id: str
    event_type: str
    transaction: Transaction


class ForgedNotification(Exception):
    """Signature, timestamp or ciphertext did not check out."""


def notification_parse(headers: dict[str, str], body: bytes) -> Notification:
    """Verify a notification's signature with the platform public key, check its timestamp, and
    decrypt its AES-256-GCM resource with the API v3 key. Raises ``ForgedNotification``."""
    timestamp = headers.get("Wechatpay-Timestamp", "")
    try:
        skew = abs(time.time() - int(timestamp))
    except ValueError:
        raise ForgedNotification("no timestamp") from None
    if skew > TIMESTAMP_TOLERANCE_SECONDS:
        raise ForgedNotification("stale timestamp")
    if headers.get("Wechatpay-Serial", "") != settings.WECHATPAY_PUBLIC_KEY_ID:
        # Checked here so a forged serial never makes the library fetch platform certificates.
        raise ForgedNotification("unknown key")
    try:
        data = _client().callback(headers, body)
    except GatewayError:
        raise
    except Exception as exc:  # the library raises bare Exception for unknown signature types
        raise ForgedNotification(str(exc)) from exc
    if not data or not isinstance(data.get("resource"), dict) or not data.get("id"):
        raise ForgedNotification("signature or ciphertext invalid")
    return Notification(
        id=str(data["id"]),
        event_type=str(data.get("event_type") or ""),
        transaction=_transaction(data["resource"]),
    )
