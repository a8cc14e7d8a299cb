"""OAuth2 web sign-in inside WeChat's browser (网页授权).

``snsapi_base`` runs silently (WeChat redirects straight back with a code for the user's openid);
``snsapi_userinfo`` asks the user first and also gives the nickname, used only when they choose
"use my WeChat profile". ``state`` is signed (10 minutes), names the purpose and where to go next,
and carries a nonce that must match the one this browser's session was given and is accepted once
— a stolen or replayed callback URL signs nobody in.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.core.cache import cache
from wechatpy.exceptions import WeChatClientException, WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from integrations.models import WeChatAccount, WeChatConnection
from integrations.wechat.client import api_base, platform_component

STATE_SALT = "integrations.wechat.oauth.state"
STATE_MAX_AGE = 600
SESSION_NONCES = "wechat_oauth_nonces"
SCOPES = {"base": "snsapi_base", "userinfo": "snsapi_userinfo"}


class OAuthFailed(Exception):
    """The callback cannot sign anyone in (bad or reused state, WeChat refused the code)."""


@dataclass(frozen=True)
class State:
    purpose: str  # "login" or "staff_bind"
    next: str
    scope: str
    staff_id: int | None = None


def is_wechat_browser(user_agent: str) -> bool:
    return "micromessenger" in (user_agent or "").lower()


def _oauth_base() -> str:
    return str(settings.WECHAT_OPEN_BASE_URL).rstrip("/") + "/connect/"


def state_issue(
    session: SessionBase, *, purpose: str, next_url: str, scope: str, staff_id: int | None = None
) -> str:
    nonce = secrets.token_urlsafe(12)
    nonces = list(session.get(SESSION_NONCES, []))[-4:] + [nonce]
    session[SESSION_NONCES] = nonces
    return signing.dumps(
        {"n": nonce, "p": purpose, "x": next_url, "s": scope, "i": staff_id}, salt=STATE_SALT, compress=True
    )


def state_accept(session: SessionBase, value: str) -> State:
    try:
        data: dict[str, Any] = signing.loads(value or "", salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature as exc:
        raise OAuthFailed("bad or expired state") from exc
    nonce = str(data.get("n", ""))
    nonces = list(session.get(SESSION_NONCES, []))
    if nonce not in nonces:
        raise OAuthFailed("state was not issued to this browser")
    session[SESSION_NONCES] = [n for n in nonces if n != nonce]
    if not cache.add(f"wechat-oauth-used:{nonce}", 1, STATE_MAX_AGE * 2):
        raise OAuthFailed("state already used")
    return State(
        purpose=str(data.get("p", "login")),
        next=str(data.get("x", "/")),
        scope=str(data.get("s", "base")),
        staff_id=data.get("i"),
    )


def authorize_url(account: WeChatAccount, *, redirect_uri: str, scope: str, state: str) -> str:
    oauth = WeChatOAuth(account.appid, "", redirect_uri, scope=SCOPES[scope], state=state)
    oauth.OAUTH_BASE_URL = _oauth_base()
    url = str(oauth.authorize_url)
    if account.connection == WeChatConnection.COMPONENT:
        component = platform_component()
        if component is not None:
            url = url.replace(
                "#wechat_redirect", f"&component_appid={component.component_appid}#wechat_redirect"
            )
    return url


@dataclass(frozen=True)
class WeChatUser:
    openid: str
    nickname: str = ""
    language: str = ""


def exchange_code(account: WeChatAccount, *, code: str, scope: str) -> WeChatUser:
    """The user behind ``code`` (and their nickname with ``userinfo``)."""
    if not code:
        raise OAuthFailed("no code (the user declined)")
    try:
        if account.connection == WeChatConnection.COMPONENT:
            component = platform_component()
            if component is None:
                raise OAuthFailed("the third-party platform is not configured")
            oauth: Any = component.get_component_oauth(account.appid)
            oauth.API_BASE_URL = api_base()
            token = oauth.fetch_access_token(code)
        else:
            oauth = WeChatOAuth(account.appid, account.secret, "", scope=SCOPES[scope])
            oauth.API_BASE_URL = api_base()
            token = oauth.fetch_access_token(code)
        openid = str(token.get("openid", ""))
        if not openid:
            raise OAuthFailed("WeChat returned no openid")
        if scope != "userinfo":
            return WeChatUser(openid)
        profile = oauth.get_user_info(openid=openid, access_token=token.get("access_token"))
        return WeChatUser(openid, str(profile.get("nickname", ""))[:60], str(profile.get("language", "")))
    except (WeChatOAuthException, WeChatClientException, requests.RequestException) as exc:
        raise OAuthFailed(f"WeChat refused the code: {exc}") from exc
