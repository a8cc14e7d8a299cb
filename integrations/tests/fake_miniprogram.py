"""The loopback WeChat (``fake_wechat``) plus the mini-program APIs we use, with WeChat's documented
answers and error codes:

- ``GET sns/jscode2session`` (appid + secret + ``js_code``): ``{openid, session_key, unionid?}``;
  40013 bad appid, 40125 bad secret, 40029 invalid code, 40163 code been used, 45011 too many
  calls (``rate_limit_per_minute``);
- ``POST wxa/business/getuserphonenumber`` (access token): ``phone_info`` with ``phoneNumber``,
  ``purePhoneNumber``, ``countryCode`` and the ``watermark``; 40029 invalid code;
- ``POST wxa/getwxacodeunlimit`` (access token): a PNG; 40169 scene longer than 32 characters,
  41030 a page the published mini-program does not have;
- ``POST cgi-bin/message/subscribe/send`` (access token): 40003 unknown openid, 40037 unknown
  template, 43101 the user has no subscription left for that template, 47003 a field breaking its
  type's rule.

``login(openid)`` plays ``wx.login()`` on a phone and returns the code; ``phone_code(phone)`` plays
the phone-number button; ``subscribe(openid, template_id)`` plays an accepted
``wx.requestSubscribeMessage``.
"""

from __future__ import annotations

import io
import json
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

import segno

from integrations.tests.fake_wechat import FakeWeChat, FakeWeChatServer, Sent, _authed, _err, _Handler, _ok
from integrations.wechat.limits import violations


def code_png(scene: str) -> bytes:
    """A real PNG standing in for WeChat's 葵花码 (a plain QR of the scene)."""
    buffer = io.BytesIO()
    segno.make(scene, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


PNG_1PX = code_png("x")


@dataclass
class FakeMiniProgram(FakeWeChat):
    pages: set[str] = field(
        default_factory=lambda: {"pages/home/index", "pages/report/index", "pages/scan/index"}
    )
    unionids: dict[str, str] = field(default_factory=dict)  # openid → unionid
    subscriptions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (openid, template) → left
    codes_made: list[dict[str, Any]] = field(default_factory=list)
    rate_limit_per_minute: int = 0  # 0: no limit

    def __post_init__(self) -> None:
        super().__post_init__()
        self._login_codes: dict[str, tuple[str, str]] = {}  # code → (appid, openid)
        self._used_codes: set[str] = set()
        self._phone_codes: dict[str, str] = {}  # code → phone
        self._session_calls: list[float] = []

    def login(self, appid: str, openid: str, *, unionid: str = "") -> str:
        code = "0" + secrets.token_hex(15)  # wx.login codes are 32 characters
        self._login_codes[code] = (appid, openid)
        if unionid:
            self.unionids[openid] = unionid
        return code

    def phone_code(self, phone: str) -> str:
        code = secrets.token_hex(16)
        self._phone_codes[code] = phone
        return code

    def subscribe(self, openid: str, template_id: str, times: int = 1) -> None:
        self.subscriptions[(openid, template_id)] += times

    def handle(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        route = MINI_ROUTES.get(path)
        if route is None:
            return super().handle(method, path, query, body)
        self.calls[path] += 1
        forced = self._forced(path)
        if forced is not None:
            return 200, {"errcode": forced[0], "errmsg": forced[1]}
        return route(self, query, body)


def jscode2session(fake: FakeMiniProgram, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid = q.get("appid", "")
    if appid not in fake.apps:
        return _err(40013, "invalid appid")
    if fake.apps[appid] != q.get("secret"):
        return _err(40125, "invalid appsecret")
    if fake.rate_limit_per_minute:
        now = time.time()
        fake._session_calls = [t for t in fake._session_calls if t > now - 60] + [now]
        if len(fake._session_calls) > fake.rate_limit_per_minute:
            return _err(45011, "api minute-quota reach limit  mustslower  retry next minute")
    code = q.get("js_code", "")
    if code in fake._used_codes:
        return _err(40163, "code been used")
    entry = fake._login_codes.pop(code, None)
    if entry is None or entry[0] != appid:
        return _err(40029, "invalid code")
    fake._used_codes.add(code)
    answer: dict[str, Any] = {"openid": entry[1], "session_key": secrets.token_urlsafe(16)}
    if entry[1] in fake.unionids:
        answer["unionid"] = fake.unionids[entry[1]]
    return 200, answer


def phone_number(fake: FakeMiniProgram, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    phone = fake._phone_codes.pop(str(body.get("code", "")), None)
    if phone is None:
        return _err(40029, "invalid code")
    return _ok(
        phone_info={
            "phoneNumber": phone,
            "purePhoneNumber": phone,
            "countryCode": "86",
            "watermark": {"timestamp": int(time.time()), "appid": appid},
        }
    )


def wxacode_unlimited(fake: FakeMiniProgram, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    scene = str(body.get("scene", ""))
    if not scene or len(scene) > 32:
        return _err(40169, "invalid length for scene, or the data is not json string")
    page = body.get("page")
    if page and page not in fake.pages:
        return _err(41030, "invalid page hint")
    fake.codes_made.append({"appid": appid, "scene": scene, "page": page or ""})
    return 200, code_png(scene)


def subscribe_send(fake: FakeMiniProgram, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    assert appid is not None
    touser = str(body.get("touser", ""))
    if touser not in fake.followers[appid]:
        return _err(40003, "invalid openid")
    template_id = str(body.get("template_id", ""))
    if template_id not in fake.templates[appid]:
        return _err(40037, "invalid template id")
    if fake.subscriptions[(touser, template_id)] <= 0:
        return _err(43101, "user refuse to accept the msg")
    data = body.get("data") or {}
    if not isinstance(data, dict) or violations(data):
        return _err(47003, "argument invalid! data.thing1.value invalid")
    fake.subscriptions[(touser, template_id)] -= 1
    with fake._lock:
        fake.sent.append(Sent(appid, touser, template_id, data, str(body.get("page") or ""), "miniprogram"))
    return _ok(msgid=secrets.randbelow(10**12))


MINI_ROUTES = {
    "/sns/jscode2session": jscode2session,
    "/wxa/business/getuserphonenumber": phone_number,
    "/wxa/getwxacodeunlimit": wxacode_unlimited,
    "/cgi-bin/message/subscribe/send": subscribe_send,
}


class _BinaryHandler(_Handler):
    """Answers bytes (the 葵花码 image) as image/png, everything else as the base handler does."""

    def _serve(self, method: str) -> None:
        from urllib.parse import parse_qs, urlsplit

        parts = urlsplit(self.path)
        if parts.path not in MINI_ROUTES:
            super()._serve(method)
            return
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            body = {}
        status, answer = self.fake.handle(method, parts.path, query, body if isinstance(body, dict) else {})
        binary = isinstance(answer, bytes)
        payload = answer if binary else json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "image/png" if binary else "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class FakeMiniProgramServer(FakeWeChatServer):
    def __init__(self, fake: FakeMiniProgram | None = None) -> None:
        self.fake: FakeMiniProgram = fake or FakeMiniProgram()
        handler = type("Handler", (_BinaryHandler,), {"fake": self.fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.fake.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/"
