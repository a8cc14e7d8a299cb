"""Loopback fakes of Stripe and WeChat Pay, built from their documented requests and answers.

- ``StripeFake``: ``POST /v1/checkout/sessions`` (form-encoded, Bearer secret key, Idempotency-Key),
  ``GET /v1/checkout/sessions/{id}``, ``POST /v1/checkout/sessions/{id}/expire``; answers with
  Checkout Session objects and Stripe's error envelope. ``event()`` builds an Event object and
  ``sign()`` the ``Stripe-Signature`` header (``t=…,v1=HMAC-SHA256(secret, "t.payload")``).
- ``WeChatPayFake``: API v3 ``POST /v3/pay/transactions/native`` and
  ``GET /v3/pay/transactions/out-trade-no/{no}?mchid=…``. It verifies the merchant's
  ``Authorization: WECHATPAY2-SHA256-RSA2048 …`` signature with the merchant's public key, signs its
  answers with the platform private key (``Wechatpay-*`` headers), and ``notification()`` builds a
  signed payment notification whose resource is AES-256-GCM encrypted with the API v3 key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class _Server:
    handler_class: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        fake = self
        base: Any = self.handler_class

        class Handler(base):
            server_fake = fake

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.requests: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def start(self) -> _Server:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Stripe ------------------------------------------------------------------------------------------


def _unflatten(form: dict[str, list[str]]) -> dict[str, Any]:
    """``line_items[0][price_data][unit_amount]=100`` → nested dicts and lists (Stripe's encoding)."""
    root: dict[str, Any] = {}
    for key, values in form.items():
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = values[-1]
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class _StripeHandler(BaseHTTPRequestHandler):
    server_fake: StripeFake

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", "req_" + secrets.token_hex(7))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, code: str = "", type_: str = "invalid_request_error") -> None:
        self._send(status, {"error": {"type": type_, "code": code, "message": message}})

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.server_fake.api_key}":
            self._error(401, "Invalid API Key provided.", type_="invalid_request_error")
            return False
        return True

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        fake.requests.append(("POST", self.path))
        if not self._authorized():
            return
        length = int(self.headers.get("Content-Length") or 0)
        params = _unflatten(parse_qs(self.rfile.read(length).decode(), keep_blank_values=True))
        if self.path == "/v1/checkout/sessions":
            key = self.headers.get("Idempotency-Key", "")
            with fake.lock:
                if key and key in fake.idempotent:
                    self._send(200, fake.sessions[fake.idempotent[key]])
                    return
                session = fake.create_session(params)
                if key:
                    fake.idempotent[key] = session["id"]
            self._send(200, session)
            return
        match = re.fullmatch(r"/v1/checkout/sessions/([^/]+)/expire", self.path)
        if match:
            found = fake.sessions.get(match.group(1))
            if found is None:
                self._error(404, f"No such checkout.session: '{match.group(1)}'", "resource_missing")
            elif found["status"] != "open":
                self._error(400, "Only Checkout Sessions with a status of open can be expired.")
            else:
                self._send(200, fake.expire(found["id"]))
            return
        self._error(404, f"Unrecognized request URL (POST: {self.path}).")

    def do_GET(self) -> None:  # noqa: N802
        fake = self.server_fake
        fake.requests.append(("GET", self.path))
        if not self._authorized():
            return
        match = re.fullmatch(r"/v1/checkout/sessions/([^/?]+)", urlsplit(self.path).path)
        if match and match.group(1) in fake.sessions:
            self._send(200, fake.sessions[match.group(1)])
            return
        self._error(404, f"No such checkout.session: '{match.group(1) if match else ''}'", "resource_missing")


class StripeFake(_Server):
    handler_class = _StripeHandler

    def __init__(self, api_key: str = "sk_test_fake", webhook_secret: str = "whsec_test_fake") -> None:
        super().__init__()
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.sessions: dict[str, dict[str, Any]] = {}
        self.idempotent: dict[str, str] = {}

    def create_session(self, params: dict[str, Any]) -> dict[str, Any]:
        item = params["line_items"][0]
        amount = int(item["price_data"]["unit_amount"]) * int(item.get("quantity", 1))
        session_id = "cs_test_" + secrets.token_hex(12)
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": amount,
            "amount_total": amount,
            "cancel_url": params.get("cancel_url"),
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": item["price_data"]["currency"],
            "customer": None,
            "expires_at": now + 86400,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "mode": params["mode"],
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params.get("success_url"),
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return session

    def pay(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(
            status="complete", payment_status="paid", payment_intent="pi_" + secrets.token_hex(12), url=None
        )
        return session

    def expire(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(status="expired", url=None)
        return session

    def event(self, event_type: str, session_id: str, *, event_id: str | None = None) -> bytes:
        """An Event whose data.object is the session as it is now (Stripe snapshots at send time)."""
        return json.dumps(
            {
                "id": event_id or "evt_" + secrets.token_hex(12),
                "object": "event",
                "api_version": "2024-12-18.acacia",
                "created": int(time.time()),
                "data": {"object": dict(self.sessions[session_id])},
                "livemode": False,
                "pending_webhooks": 1,
                "request": {"id": None, "idempotency_key": None},
                "type": event_type,
            }
        ).encode()

    def sign(self, payload: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = f"{timestamp}.".encode() + payload
        digest = hmac.new((secret or self.webhook_secret).encode(), signed, hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"


# --- WeChat Pay ----------------------------------------------------------------------------------------


def rsa_key_pair() -> tuple[str, str]:
    """A fresh RSA-2048 key pair as (private PKCS#8 PEM, public SubjectPublicKeyInfo PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _sign(private_pem: str, message: str) -> str:
    key: Any = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def _verify(public_pem: str, message: str, signature: str) -> bool:
    key: Any = serialization.load_pem_public_key(public_pem.encode())
    try:
        key.verify(base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


class _WeChatHandler(BaseHTTPRequestHandler):
    server_fake: WeChatPayFake

    def _send(self, status: int, body: dict[str, Any] | None) -> None:
        fake = self.server_fake
        text = json.dumps(body, ensure_ascii=False) if body is not None else ""
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-ID", uuid.uuid4().hex)
        for name, value in fake.signed_headers(text).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _authorized(self, method: str, body: str) -> bool:
        fake = self.server_fake
        header = self.headers.get("Authorization", "")
        if not header.startswith("WECHATPAY2-SHA256-RSA2048 "):
            self._send(401, {"code": "SIGN_ERROR", "message": "签名错误"})
            return False
        fields = dict(re.findall(r'(\w+)="([^"]*)"', header))
        message = f"{method}\n{self.path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
        if fields.get("mchid") != fake.mchid or not _verify(
            fake.merchant_public_key, message, fields.get("signature", "")
        ):
            self._send(401, {"code": "SIGN_ERROR", "message": "签名错误"})
            return False
        return True

    def do_POST(self) -> None:  # noqa: N802
        fake = self.server_fake
        fake.requests.append(("POST", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if not self._authorized("POST", body):
            return
        if self.path != "/v3/pay/transactions/native":
            self._send(404, {"code": "NOT_FOUND", "message": "Not found"})
            return
        params = json.loads(body)
        missing = [
            k
            for k in ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount")
            if k not in params
        ]
        if missing:
            self._send(400, {"code": "PARAM_ERROR", "message": f"缺少参数 {missing[0]}"})
            return
        with fake.lock:
            existing = fake.transactions.get(params["out_trade_no"])
            if existing and existing["trade_state"] == "SUCCESS":
                self._send(400, {"code": "ORDERPAID", "message": "该订单已支付"})
                return
            if existing is None:
                fake.transactions[params["out_trade_no"]] = {
                    "appid": params["appid"],
                    "mchid": params["mchid"],
                    "out_trade_no": params["out_trade_no"],
                    "trade_type": "NATIVE",
                    "trade_state": "NOTPAY",
                    "trade_state_desc": "订单未支付",
                    "amount": {
                        "total": params["amount"]["total"],
                        "currency": params["amount"].get("currency", "CNY"),
                    },
                    "code_url": "weixin://wxpay/bizpayurl?pr=" + secrets.token_urlsafe(6),
                    "notify_url": params["notify_url"],
                }
            code_url = fake.transactions[params["out_trade_no"]]["code_url"]
        self._send(200, {"code_url": code_url})

    def do_GET(self) -> None:  # noqa: N802
        fake = self.server_fake
        fake.requests.append(("GET", self.path))
        if not self._authorized("GET", ""):
            return
        match = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([^/?]+)", urlsplit(self.path).path)
        found = fake.transactions.get(match.group(1)) if match else None
        if found is None:
            self._send(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
            return
        self._send(200, {k: v for k, v in found.items() if k not in {"code_url", "notify_url"}})


class WeChatPayFake(_Server):
    handler_class = _WeChatHandler

    def __init__(
        self,
        *,
        merchant_public_key: str,
        platform_private_key: str,
        public_key_id: str,
        apiv3_key: str,
        mchid: str,
    ) -> None:
        super().__init__()
        self.merchant_public_key = merchant_public_key
        self.platform_private_key = platform_private_key
        self.public_key_id = public_key_id
        self.apiv3_key = apiv3_key
        self.mchid = mchid
        self.transactions: dict[str, dict[str, Any]] = {}

    def signed_headers(
        self,
        body: str,
        *,
        timestamp: int | None = None,
        private_key: str | None = None,
        serial: str | None = None,
    ) -> dict[str, str]:
        timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        return {
            "Wechatpay-Timestamp": timestamp_text,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": _sign(
                private_key or self.platform_private_key, f"{timestamp_text}\n{nonce}\n{body}\n"
            ),
            "Wechatpay-Serial": serial or self.public_key_id,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def pay(self, out_trade_no: str) -> dict[str, Any]:
        found = self.transactions[out_trade_no]
        found.update(
            trade_state="SUCCESS",
            trade_state_desc="支付成功",
            transaction_id="4200" + secrets.token_hex(12),
            bank_type="OTHERS",
            success_time=time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
            payer={"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
        )
        found["amount"].update(payer_total=found["amount"]["total"], payer_currency="CNY")
        return found

    def encrypt(
        self, plaintext: str, *, associated_data: str = "transaction", key: str | None = None
    ) -> dict[str, str]:
        nonce = secrets.token_urlsafe(9)[:12]
        ciphertext = AESGCM((key or self.apiv3_key).encode()).encrypt(
            nonce.encode(), plaintext.encode(), associated_data.encode()
        )
        return {
            "original_type": "transaction",
            "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data,
            "nonce": nonce,
        }

    def notification(
        self, out_trade_no: str, *, event_id: str | None = None, **sign_options: Any
    ) -> tuple[dict[str, str], bytes]:
        """(headers, body) of a TRANSACTION.SUCCESS notification for a paid transaction."""
        found = {
            k: v for k, v in self.transactions[out_trade_no].items() if k not in {"code_url", "notify_url"}
        }
        body = json.dumps(
            {
                "id": event_id or str(uuid.uuid4()),
                "create_time": time.strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                "resource_type": "encrypt-resource",
                "event_type": "TRANSACTION.SUCCESS",
                "summary": "支付成功",
                "resource": self.encrypt(json.dumps(found, ensure_ascii=False)),
            },
            ensure_ascii=False,
        )
        return self.signed_headers(body, **sign_options), body.encode()
