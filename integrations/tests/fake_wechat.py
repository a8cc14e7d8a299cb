"""A loopback WeChat: the documented requests, answers and error codes of the parts we use.

The real wechatpy clients talk to it (``WECHAT_API_BASE_URL`` and friends point here):

- ``GET cgi-bin/token`` (40013 bad appid, 40125 bad secret) — counts fetches per appid;
- every ``access_token``-protected call checks the token: 40001 unknown, 42001 expired;
- ``POST cgi-bin/message/template/send`` and ``message/subscribe/bizsend``: 40003 unknown openid,
  43004 not following, 40037 unknown template, 47003 a field breaking its type's rule;
- ``cgi-bin/menu/create|get|delete`` with WeChat's menu checks (40016 … 40027, 46003 no menu);
- ``cgi-bin/user/info``;
- third-party platform: ``component/api_component_token`` (needs the pushed ticket),
  ``api_create_preauthcode``, ``api_query_auth``, ``api_authorizer_token``,
  ``api_get_authorizer_info``; the authorization page ``cgi-bin/componentloginpage`` stands in for
  the admin's QR scan and redirects back with an ``auth_code``;
- OAuth: ``connect/oauth2/authorize`` stands in for WeChat's browser redirect (with ``code`` and
  ``state``), ``sns/oauth2/access_token``, ``sns/oauth2/component/access_token``, ``sns/userinfo``.

``fail_next(path, errcode, times)`` makes the next calls of a path fail with a WeChat error;
``expire_tokens(appid)`` / ``invalidate_tokens(appid)`` make live tokens answer 42001 / 40001.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from integrations.wechat.limits import violations

MENU_TYPES = {
    "click",
    "view",
    "scancode_push",
    "scancode_waitmsg",
    "pic_sysphoto",
    "pic_photo_or_album",
    "pic_weixin",
    "location_select",
    "media_id",
    "view_limited",
    "miniprogram",
    "article_id",
    "article_view_limited",
}


@dataclass
class Sent:
    appid: str
    touser: str
    template_id: str
    data: dict[str, Any]
    url: str
    kind: str  # template / subscribe
    client_msg_id: str = ""


@dataclass
class FakeWeChat:
    apps: dict[str, str] = field(default_factory=dict)  # appid → secret
    followers: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unfollowed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    templates: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    menus: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    client_msg_ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (openid, id) → msgid
    token_fetches: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    languages: dict[str, str] = field(default_factory=dict)  # openid → WeChat language
    # Third-party platform.
    component_appid: str = ""
    component_secret: str = ""
    component_ticket: str = ""
    authorizers: dict[str, dict[str, Any]] = field(default_factory=dict)  # appid → details
    next_authorizer: str = ""  # the account the fake admin authorizes on the login page
    # OAuth: who is "in the browser".
    oauth_openid: str = ""
    oauth_nickname: str = "微信用户"
    base_url: str = ""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float, str]] = {}  # token → (appid, expires_at, state)
        self._failures: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._preauth: dict[str, float] = {}
        self._auth_codes: dict[str, str] = {}  # auth code → authorizer appid
        self._refresh: dict[str, str] = {}  # authorizer appid → refresh token
        self._oauth_codes: dict[str, tuple[str, str, str]] = {}  # code → (appid, openid, scope)
        self._sns_tokens: dict[str, str] = {}  # sns token → openid

    # --- Test controls ----------------------------------------------------------------------------

    def add_app(
        self, appid: str, secret: str, *, followers: tuple[str, ...] = (), templates: tuple[str, ...] = ()
    ) -> None:
        self.apps[appid] = secret
        self.followers[appid].update(followers)
        self.templates[appid].update(templates)

    def add_authorizer(
        self, appid: str, *, nick_name: str, user_name: str, followers: tuple[str, ...] = ()
    ) -> None:
        self.authorizers[appid] = {"nick_name": nick_name, "user_name": user_name}
        self.followers[appid].update(followers)

    def fail_next(self, path: str, errcode: int, *, times: int = 1, errmsg: str = "") -> None:
        with self._lock:
            self._failures[path].extend([(errcode, errmsg or f"fake error {errcode}")] * times)

    def expire_tokens(self, appid: str) -> None:
        self._mark_tokens(appid, "expired")

    def invalidate_tokens(self, appid: str) -> None:
        self._mark_tokens(appid, "invalid")

    def _mark_tokens(self, appid: str, state: str) -> None:
        with self._lock:
            for token, (owner, expires, _state) in list(self._tokens.items()):
                if owner == appid:
                    self._tokens[token] = (owner, expires, state)

    def sent_to(self, openid: str) -> list[Sent]:
        return [s for s in self.sent if s.touser == openid]

    # --- Helpers ------------------------------------------------------------------------------------

    def _issue_token(self, appid: str, lifetime: int = 7200) -> str:
        token = "tok_" + secrets.token_hex(12)
        with self._lock:
            self._tokens[token] = (appid, time.time() + lifetime, "ok")
        return token

    def _token_owner(self, token: str) -> tuple[str | None, int]:
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[2] == "invalid":
            return None, 40001
        if entry[2] == "expired" or entry[1] < time.time():
            return None, 42001
        return entry[0], 0

    def _forced(self, path: str) -> tuple[int, str] | None:
        with self._lock:
            queue = self._failures.get(path)
            if queue:
                return queue.pop(0)
        return None

    # --- Dispatch -----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
        self.calls[path] += 1
        forced = self._forced(path)
        if forced is not None:
            return 200, {"errcode": forced[0], "errmsg": forced[1]}
        route = ROUTES.get(path)
        if route is None:
            return 404, {"errcode": 404, "errmsg": "not found"}
        return route(self, query, body)


def _err(code: int, message: str = "") -> tuple[int, dict[str, Any]]:
    return 200, {"errcode": code, "errmsg": message or f"error {code}"}


def _ok(**values: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"errcode": 0, "errmsg": "ok", **values}


def token(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid = q.get("appid", "")
    if appid not in fake.apps:
        return _err(40013, "invalid appid")
    if fake.apps[appid] != q.get("secret"):
        return _err(40125, "invalid appsecret")
    fake.token_fetches[appid] += 1
    return 200, {"access_token": fake._issue_token(appid), "expires_in": 7200}


def _authed(fake: FakeWeChat, q: dict[str, str]) -> tuple[str | None, tuple[int, Any] | None]:
    appid, code = fake._token_owner(q.get("access_token", ""))
    if appid is None:
        return None, _err(code, "invalid credential" if code == 40001 else "access_token expired")
    return appid, None


def _send(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any], kind: str) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    assert appid is not None
    touser = str(body.get("touser", ""))
    if touser in fake.unfollowed[appid]:
        return _err(43004, "require subscribe")
    if touser not in fake.followers[appid]:
        return _err(40003, "invalid openid")
    template_id = str(body.get("template_id", ""))
    if template_id not in fake.templates[appid]:
        return _err(40037, "invalid template_id")
    data = body.get("data") or {}
    if not isinstance(data, dict) or violations(data):
        return _err(47003, "argument invalid! data.thing2.value invalid")
    client_msg_id = str(body.get("client_msg_id") or "")
    with fake._lock:
        # Documented: one message per (openid, client_msg_id) within 10 minutes; a repeat is accepted
        # and not sent again.
        if client_msg_id and (touser, client_msg_id) in fake.client_msg_ids:
            return _ok(msgid=fake.client_msg_ids[(touser, client_msg_id)])
        msgid = secrets.randbelow(10**12)
        if client_msg_id:
            fake.client_msg_ids[(touser, client_msg_id)] = msgid
        fake.sent.append(
            Sent(
                appid,
                touser,
                template_id,
                data,
                str(body.get("url") or body.get("page") or ""),
                kind,
                client_msg_id,
            )
        )
    return _ok(msgid=msgid)


def template_send(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return _send(fake, q, body, "template")


def subscribe_send(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return _send(fake, q, body, "subscribe")


def user_info(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    assert appid is not None
    openid = q.get("openid", "")
    if openid not in fake.followers[appid]:
        return _err(40003, "invalid openid")
    return 200, {"subscribe": 1, "openid": openid, "language": fake.languages.get(openid, "zh_CN")}


def _name_bytes(value: str) -> int:
    return len(value.encode("utf-8"))


def menu_create(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    assert appid is not None
    buttons = body.get("button") or []
    if not 1 <= len(buttons) <= 3:
        return _err(40016, "invalid button size")
    for button in buttons:
        if _name_bytes(button.get("name", "")) > 16 or not button.get("name"):
            return _err(40018, "invalid button name size")
        subs = button.get("sub_button")
        if subs is not None and subs != []:
            if len(subs) > 5:
                return _err(40023, "invalid sub button size")
            for sub in subs:
                if _name_bytes(sub.get("name", "")) > 60 or not sub.get("name"):
                    return _err(40025, "invalid sub button name size")
                if sub.get("type") not in MENU_TYPES:
                    return _err(40024, "invalid sub button type")
                if _name_bytes(sub.get("key", "")) > 128:
                    return _err(40026, "invalid sub button key size")
                if _name_bytes(sub.get("url", "")) > 1024:
                    return _err(40027, "invalid sub button url size")
            continue
        if button.get("type") not in MENU_TYPES:
            return _err(40017, "invalid button type")
        if _name_bytes(button.get("key", "")) > 128:
            return _err(40019, "invalid button key size")
        if _name_bytes(button.get("url", "")) > 1024:
            return _err(40020, "invalid button url size")
    fake.menus[appid] = {"button": buttons}
    return _ok()


def menu_get(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    assert appid is not None
    if appid not in fake.menus:
        return _err(46003, "menu no exist")
    return 200, {"menu": fake.menus[appid]}


def menu_delete(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    appid, error = _authed(fake, q)
    if error is not None:
        return error
    fake.menus.pop(str(appid), None)
    return _ok()


# --- Third-party platform ---------------------------------------------------------------------------


def component_token(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    if (
        body.get("component_appid") != fake.component_appid
        or body.get("component_appsecret") != fake.component_secret
    ):
        return _err(40013, "invalid component appid or secret")
    if not fake.component_ticket or body.get("component_verify_ticket") != fake.component_ticket:
        return _err(61006, "component ticket is invalid")
    fake.token_fetches["component:" + fake.component_appid] += 1
    return 200, {
        "component_access_token": fake._issue_token("component:" + fake.component_appid),
        "expires_in": 7200,
    }


def _component_authed(fake: FakeWeChat, q: dict[str, str]) -> tuple[int, Any] | None:
    owner, code = fake._token_owner(q.get("component_access_token", ""))
    if owner != "component:" + fake.component_appid:
        return _err(code or 40001, "invalid component_access_token")
    return None


def create_preauthcode(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    error = _component_authed(fake, q)
    if error:
        return error
    code = "preauthcode@@@" + secrets.token_urlsafe(16)
    fake._preauth[code] = time.time() + 1800
    return 200, {"pre_auth_code": code, "expires_in": 1800}


def query_auth(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    error = _component_authed(fake, q)
    if error:
        return error
    appid = fake._auth_codes.pop(str(body.get("authorization_code", "")), None)
    if appid is None:
        return _err(61010, "code is expired or invalid")
    refresh = "refreshtoken@@@" + secrets.token_urlsafe(16)
    fake._refresh[appid] = refresh
    fake.token_fetches[appid] += 1
    return 200, {
        "authorization_info": {
            "authorizer_appid": appid,
            "authorizer_access_token": fake._issue_token(appid),
            "expires_in": 7200,
            "authorizer_refresh_token": refresh,
            "func_info": [{"funcscope_category": {"id": 1}}, {"funcscope_category": {"id": 15}}],
        }
    }


def authorizer_token(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    error = _component_authed(fake, q)
    if error:
        return error
    appid = str(body.get("authorizer_appid", ""))
    if fake._refresh.get(appid) != body.get("authorizer_refresh_token"):
        return _err(61023, "refresh_token is invalid")
    fake.token_fetches[appid] += 1
    refresh = "refreshtoken@@@" + secrets.token_urlsafe(16)
    fake._refresh[appid] = refresh
    return 200, {
        "authorizer_access_token": fake._issue_token(appid),
        "expires_in": 7200,
        "authorizer_refresh_token": refresh,
    }


def authorizer_info(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    error = _component_authed(fake, q)
    if error:
        return error
    appid = str(body.get("authorizer_appid", ""))
    if appid not in fake.authorizers:
        return _err(61003, "component is not authorized by this account")
    details = fake.authorizers[appid]
    return 200, {
        "authorizer_info": {
            "nick_name": details["nick_name"],
            "user_name": details["user_name"],
            "service_type_info": {"id": 2},
            "verify_type_info": {"id": 0},
        },
        "authorization_info": {"authorizer_appid": appid},
    }


def login_page(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    """The admin scans and confirms: back to ``redirect_uri`` with an ``auth_code``."""
    if fake._preauth.pop(q.get("pre_auth_code", ""), None) is None:
        return 200, "pre_auth_code invalid"
    code = "queryauthcode@@@" + secrets.token_urlsafe(16)
    fake._auth_codes[code] = fake.next_authorizer
    separator = "&" if "?" in q.get("redirect_uri", "") else "?"
    return 302, q.get("redirect_uri", "") + separator + urlencode({"auth_code": code, "expires_in": 3600})


# --- OAuth ------------------------------------------------------------------------------------------


def oauth_authorize(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    """WeChat's browser: the user (``oauth_openid``) agrees; back with ``code`` and ``state``."""
    code = secrets.token_urlsafe(16)
    fake._oauth_codes[code] = (q.get("appid", ""), fake.oauth_openid, q.get("scope", ""))
    separator = "&" if "?" in q.get("redirect_uri", "") else "?"
    return 302, q.get("redirect_uri", "") + separator + urlencode({"code": code, "state": q.get("state", "")})


def _sns(fake: FakeWeChat, q: dict[str, str], *, component: bool) -> tuple[int, Any]:
    entry = fake._oauth_codes.pop(q.get("code", ""), None)
    if entry is None or entry[0] != q.get("appid"):
        return _err(40029, "invalid code")
    if component:
        error = _component_authed(fake, q)
        if error:
            return error
    elif fake.apps.get(entry[0]) != q.get("secret"):
        return _err(40125, "invalid appsecret")
    sns = "sns_" + secrets.token_hex(8)
    fake._sns_tokens[sns] = entry[1]
    scope = entry[2]
    return 200, {
        "access_token": sns,
        "expires_in": 7200,
        "refresh_token": "r",
        "openid": entry[1],
        "scope": scope,
    }


def sns_token(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return _sns(fake, q, component=False)


def sns_component_token(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    return _sns(fake, q, component=True)


def sns_userinfo(fake: FakeWeChat, q: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    openid = fake._sns_tokens.get(q.get("access_token", ""))
    if openid is None or openid != q.get("openid"):
        return _err(40001, "invalid credential")
    return 200, {"openid": openid, "nickname": fake.oauth_nickname, "language": "zh_CN"}


ROUTES = {
    "/cgi-bin/token": token,
    "/cgi-bin/message/template/send": template_send,
    "/cgi-bin/message/subscribe/bizsend": subscribe_send,
    "/cgi-bin/user/info": user_info,
    "/cgi-bin/menu/create": menu_create,
    "/cgi-bin/menu/get": menu_get,
    "/cgi-bin/menu/delete": menu_delete,
    "/cgi-bin/component/api_component_token": component_token,
    "/cgi-bin/component/api_create_preauthcode": create_preauthcode,
    "/cgi-bin/component/api_query_auth": query_auth,
    "/cgi-bin/component/api_authorizer_token": authorizer_token,
    "/cgi-bin/component/api_get_authorizer_info": authorizer_info,
    "/mp/cgi-bin/componentloginpage": login_page,
    "/open/connect/oauth2/authorize": oauth_authorize,
    "/sns/oauth2/access_token": sns_token,
    "/sns/oauth2/component/access_token": sns_component_token,
    "/sns/userinfo": sns_userinfo,
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    fake: FakeWeChat

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (silence the test output)
        return None

    def _serve(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            body = {"__raw__": raw.decode("utf-8", "replace")}
        status, answer = self.fake.handle(method, parts.path, query, body if isinstance(body, dict) else {})
        if status == 302:
            self.send_response(302)
            self.send_header("Location", str(answer))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = (answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)).encode(
            "utf-8"
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")


class FakeWeChatServer:
    """Runs a ``FakeWeChat`` on 127.0.0.1 (a free port) in a daemon thread."""

    def __init__(self, fake: FakeWeChat | None = None) -> None:
        self.fake = fake or FakeWeChat()
        handler = type("Handler", (_Handler,), {"fake": self.fake})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.fake.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    def settings(self) -> dict[str, str]:
        """Settings that point our clients here."""
        return {
            "WECHAT_API_BASE_URL": self.base_url,
            "WECHAT_MP_BASE_URL": self.base_url + "mp/",
            "WECHAT_OPEN_BASE_URL": self.base_url + "open/",
        }

    def start(self) -> FakeWeChatServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
