"""Tencent Cloud SMS (短信) adapter: the ``SendSms`` action of API version 2021-01-11.

One POST of a JSON body to ``TENCENT_SMS_ENDPOINT`` (``https://sms.tencentcloudapi.com``), signed
with TC3-HMAC-SHA256 (TencentCloud API signature v3): a canonical request over the method, path,
query, the signed headers and the SHA-256 of the body; a string to sign over the timestamp and
the credential scope ``<UTC date>/sms/tc3_request``; and a key derived by chaining HMAC-SHA256
from ``"TC3" + SecretKey`` over the date, the service and ``tc3_request``.

The answer is always HTTP 200 with ``{"Response": {...}}``: either ``Error`` (the whole request
was refused: bad signature, unapproved sign name or template, ...) or ``SendStatusSet`` with one
status per number whose ``Code`` is ``"Ok"`` or a vendor error such as
``LimitExceeded.PhoneNumberDailyLimit``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from integrations.sms.gateway import OutgoingSms, SmsBackend, SmsSendError

ACTION = "SendSms"
VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
CONTENT_TYPE = "application/json; charset=utf-8"
SIGNED_HEADERS = "content-type;host;x-tc-action"


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tc3_signature(
    *, secret_key: str, host: str, action: str, payload: bytes, timestamp: int, service: str = SERVICE
) -> tuple[str, str]:
    """(credential scope, hex signature) of one POST request, per TencentCloud signature v3."""
    date = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-tc-action:{action.lower()}\n"
    canonical_request = "\n".join(["POST", "/", "", canonical_headers, SIGNED_HEADERS, _sha256_hex(payload)])
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join([ALGORITHM, str(timestamp), scope, _sha256_hex(canonical_request.encode())])
    secret_date = _hmac(("TC3" + secret_key).encode(), date)
    secret_service = _hmac(secret_date, service)
    secret_signing = _hmac(secret_service, "tc3_request")
    signature = hmac.new(secret_signing, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return scope, signature


def _reason(vendor_code: str) -> str:
    if vendor_code.startswith(("LimitExceeded", "RequestLimitExceeded")):
        return "limit"
    if vendor_code == "InvalidParameterValue.IncorrectPhoneNumber":
        return "invalid_phone"
    return "failed"


class TencentBackend(SmsBackend):
    name = "tencent"

    def __init__(self) -> None:
        self.endpoint = str(settings.TENCENT_SMS_ENDPOINT).rstrip("/")
        self.region = str(settings.TENCENT_SMS_REGION)
        self.secret_id = str(settings.TENCENT_SMS_SECRET_ID)
        self.secret_key = str(settings.TENCENT_SMS_SECRET_KEY)
        self.sdk_app_id = str(settings.TENCENT_SMS_SDK_APP_ID)
        self.sign_name = str(settings.TENCENT_SMS_SIGN_NAME)
        self.templates: dict[str, str] = dict(settings.TENCENT_SMS_TEMPLATES)
        self.timeout = int(settings.TENCENT_SMS_TIMEOUT_SECONDS)

    def send(self, message: OutgoingSms) -> str:
        template_id = self.templates.get(message.template.name, "")
        if not template_id:
            raise SmsSendError(
                f"no Tencent template id configured for {message.template.name!r}", reason="failed"
            )
        body = {
            "PhoneNumberSet": [message.phone],
            "SmsSdkAppId": self.sdk_app_id,
            "TemplateId": template_id,
            "SignName": self.sign_name,
            "TemplateParamSet": message.template.ordered(message.params),
            "SessionContext": (message.context or message.scope)[:500],
        }
        answer = self._call(ACTION, body)
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            raise SmsSendError("Tencent SMS answered without a send status", reason="failed")
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code != "Ok":
            raise SmsSendError(str(status.get("Message", "")), reason=_reason(code), vendor_code=code)
        return str(status.get("SerialNo", ""))

    def _call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        host = urlsplit(self.endpoint).netloc
        timestamp = int(datetime.now(tz=UTC).timestamp())
        scope, signature = tc3_signature(
            secret_key=self.secret_key, host=host, action=action, payload=payload, timestamp=timestamp
        )
        headers = {
            "Authorization": (
                f"{ALGORITHM} Credential={self.secret_id}/{scope}, "
                f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
            ),
            "Content-Type": CONTENT_TYPE,
            "Host": host,
            "X-TC-Action": action,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        request = urllib.request.Request(self.endpoint + "/", data=payload, headers=headers, method="POST")  # noqa: S310 (endpoint comes from settings)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise SmsSendError(f"Tencent SMS unreachable: {exc}", reason="failed") from exc
        result: dict[str, Any] = answer.get("Response") or {}
        error = result.get("Error")
        if error:
            code = str(error.get("Code", ""))
            raise SmsSendError(str(error.get("Message", "")), reason=_reason(code), vendor_code=code)
        return result
