"""A loopback stand-in for Tencent Cloud SMS ``SendSms`` (API 2021-01-11), built from the documented
request and response: TC3-HMAC-SHA256 signature check (recomputed here independently of the
adapter), the common ``Response.Error`` codes, and per-number ``SendStatusSet`` codes."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CN_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")


@dataclass
class FakeTencentSms:
    secret_id: str = "AKIDfake0000000000000000000000000000"
    secret_key: str = "fake-secret-key-0000000000000000"
    sdk_app_id: str = "1400006666"
    sign_names: tuple[str, ...] = ("报修平台",)
    templates: dict[str, int] = field(default_factory=lambda: {"1110": 2})  # id → parameter count
    daily_limit_per_phone: int = 10
    fail_next: str = ""  # a whole-request error code to answer once (e.g. "FailedOperation")
    delivered: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def handle(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        self.requests.append({"headers": headers, "body": body})

        def error(code: str, message: str) -> dict[str, Any]:
            return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

        auth_error = self._check_auth(headers, body)
        if auth_error:
            return error(*auth_error)
        if headers.get("x-tc-action") != "SendSms":
            return error("InvalidAction", "The action does not exist.")
        if headers.get("x-tc-version") != "2021-01-11":
            return error("NoSuchVersion", "The API version does not exist.")
        if not headers.get("x-tc-region"):
            return error("MissingParameter", "The request is missing the Region parameter.")
        try:
            params = json.loads(body)
        except ValueError:
            return error("InvalidParameter", "The request body is not JSON.")
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if not params.get(name):
                return error("MissingParameter", f"The request is missing the {name} parameter.")
        if self.fail_next:
            code, self.fail_next = self.fail_next, ""
            return error(code, "Operation failed.")
        if params["SmsSdkAppId"] != self.sdk_app_id:
            return error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId does not exist.")
        if params.get("SignName") not in self.sign_names:
            return error("FailedOperation.SignatureIncorrectOrUnapproved", "Sign name not approved.")
        template_params = params.get("TemplateParamSet") or []
        if params["TemplateId"] not in self.templates:
            return error("FailedOperation.TemplateIncorrectOrUnapproved", "Template not approved.")
        if len(template_params) != self.templates[params["TemplateId"]]:
            return error("InvalidParameterValue.TemplateParameterFormatError", "Wrong parameter count.")

        statuses = []
        for phone in params["PhoneNumberSet"]:
            if not CN_MOBILE.match(phone):
                statuses.append(self._status(phone, "InvalidParameterValue.IncorrectPhoneNumber", params))
            elif sum(1 for d in self.delivered if d["phone"] == phone) >= self.daily_limit_per_phone:
                statuses.append(self._status(phone, "LimitExceeded.PhoneNumberDailyLimit", params))
            else:
                self.delivered.append(
                    {"phone": phone, "template": params["TemplateId"], "params": template_params}
                )
                statuses.append(self._status(phone, "Ok", params))
        return {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    @staticmethod
    def _status(phone: str, code: str, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "SerialNo": f"5000:{uuid.uuid4().int % 10**20}" if code == "Ok" else "",
            "PhoneNumber": phone,
            "Fee": 1 if code == "Ok" else 0,
            "SessionContext": params.get("SessionContext", ""),
            "Code": code,
            "Message": "send success" if code == "Ok" else code,
            "IsoCode": "CN",
        }

    def _check_auth(self, headers: dict[str, str], body: bytes) -> tuple[str, str] | None:
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            headers.get("authorization", ""),
        )
        if not match:
            return "AuthFailure.InvalidAuthorization", "Authorization header is not TC3-HMAC-SHA256."
        secret_id, date, service, signed_headers, signature = match.groups()
        if secret_id != self.secret_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found."
        try:
            timestamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return "AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing."
        if abs(time.time() - timestamp) > 300:
            return "AuthFailure.SignatureExpire", "The signature expired."
        if datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d") != date or service != "sms":
            return "AuthFailure.SignatureFailure", "Credential scope does not match."
        names = signed_headers.split(";")
        if "content-type" not in names or "host" not in names:
            return "AuthFailure.SignatureFailure", "content-type and host must be signed."
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
        canonical = "\n".join(
            ["POST", "/", "", canonical_headers, signed_headers, hashlib.sha256(body).hexdigest()]
        )
        to_sign = "\n".join(
            [
                "TC3-HMAC-SHA256",
                str(timestamp),
                f"{date}/{service}/tc3_request",
                hashlib.sha256(canonical.encode()).hexdigest(),
            ]
        )
        key = ("TC3" + self.secret_key).encode()
        for part in (date, service, "tc3_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
        return None


def start(fake: FakeTencentSms) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = json.dumps(fake.handle(headers, body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
