"""The wechatpy clients we use, pointed at ``settings.WECHAT_API_BASE_URL`` and sharing tokens.

- ``account_client(account)``: the provider's official account (``WeChatClient``). Its access token
  comes from ``integrations.wechat.tokens`` (one locked refresher for all workers): for a manually
  connected account from ``cgi-bin/token`` (appid + secret), for an authorized one from the
  component's ``api_authorizer_token`` (whose new refresh token is stored, sealed).
- ``platform_component()``: our third-party platform (``WeChatComponent``), or None when the
  platform is not configured. Its component access token needs the latest verify ticket.

Both (and the mini-program's client, a ``TokenClient`` too) keep their token with one
``TokenManager``: refreshed exactly once on 40001/40014/42001 and the call retried once; wechatpy's
own retry loop (which could fetch forever) is switched off. Network failures and refusals surface as
``WeChatClientException`` (``errcode`` None for the network).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from wechatpy import WeChatClient
from wechatpy.component import WeChatComponent
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from integrations.metrics import count_wechat_error
from integrations.wechat import tokens
from integrations.wechat.errors import TOKEN_ERRORS

if TYPE_CHECKING:
    from integrations.models import WeChatAccount

logger = logging.getLogger(__name__)


def api_base() -> str:
    return str(settings.WECHAT_API_BASE_URL).rstrip("/") + "/"


def _timeout() -> int:
    return int(getattr(settings, "WECHAT_HTTP_TIMEOUT_SECONDS", 5))


def platform_store(name: str) -> Any:
    """A function of the public-schema store (``settings.WECHAT_PLATFORM_STORE``)."""
    return import_string(f"{settings.WECHAT_PLATFORM_STORE}.{name}")


class _NoSession(SessionStorage):
    """wechatpy insists on a session; our tokens live in ``tokens`` instead."""

    def get(self, key: str, default: Any = None) -> Any:
        return default

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        return None

    def delete(self, key: str) -> None:
        return None


_local = threading.local()


def _http() -> requests.Session:
    """One keep-alive HTTP session per thread, shared by every client it creates."""
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        # Proxies from the environment are read once here, not re-scanned on every request.
        session.proxies.update(requests.utils.get_environ_proxies(api_base()))
        session.trust_env = False
    return session


def _network_error(exc: requests.RequestException) -> WeChatClientException:
    count_wechat_error(None)
    return WeChatClientException(None, str(exc) or exc.__class__.__name__)


def _checked(response: requests.Response) -> dict[str, Any]:
    try:
        response.raise_for_status()
        result: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as exc:
        count_wechat_error(None)
        raise WeChatClientException(None, f"bad answer from WeChat: {exc}") from exc
    if int(result.get("errcode", 0) or 0) != 0:
        count_wechat_error(int(result["errcode"]))
        raise WeChatClientException(int(result["errcode"]), str(result.get("errmsg", "")))
    return result


def fetch_with_secret(appid: str, secret: str) -> tokens.Fetched:
    """``cgi-bin/token`` with appid + secret: the token of a manually connected official account or
    of a mini-program. Raises ``WeChatClientException`` when WeChat refuses the credentials."""
    try:
        response = _http().get(
            api_base() + "cgi-bin/token",
            params={"grant_type": "client_credential", "appid": appid, "secret": secret},
            timeout=_timeout(),
        )
    except requests.RequestException as exc:
        raise _network_error(exc) from exc
    result = _checked(response)
    return tokens.Fetched(str(result["access_token"]), int(result.get("expires_in", 7200)))


class TokenManager:
    """One account's access token, as every client of ours handles it: read from the shared cache
    of ``tokens`` (fetched by ``fetch`` under its lock when missing), sent as the query parameter
    ``param``, and on 40001/40014/42001 refreshed exactly once and the call retried once. Network
    failures become ``WeChatClientException`` with ``errcode`` None."""

    def __init__(self, name: str, fetch: tokens.Fetcher, *, param: str = "access_token") -> None:
        self.name = name
        self.fetch = fetch
        self.param = param

    def current(self) -> str:
        return tokens.get(self.name, self.fetch)

    def renew(self) -> str:
        """A new token now, replacing the cached one (wechatpy's ``fetch_access_token``)."""
        return tokens.refresh(self.name, self.fetch, stale=tokens.peek(self.name))

    def request(self, send: Callable[..., Any], method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """``send(method, url_or_endpoint, params=params + token, **kwargs)`` (wechatpy's
        ``_request``); once more with a refreshed token if WeChat says the token is stale."""
        params = dict(kwargs.pop("params", None) or {})
        token = self.current()
        try:
            return send(method, url_or_endpoint, params={**params, self.param: token}, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat said %s for %s; refreshing the token once", exc.errcode, self.name)
        except requests.RequestException as exc:
            raise _network_error(exc) from exc
        token = tokens.refresh(self.name, self.fetch, stale=token)
        try:
            return send(method, url_or_endpoint, params={**params, self.param: token}, **kwargs)
        except requests.RequestException as exc:
            raise _network_error(exc) from exc


class TokenClient(WeChatClient):
    """A ``WeChatClient`` (official account or mini-program) whose token a ``TokenManager`` keeps;
    ``fetch`` gets a new token from WeChat."""

    def __init__(self, appid: str, base_url: str, fetch: tokens.Fetcher) -> None:
        super().__init__(appid, "", session=_NoSession(), timeout=_timeout(), auto_retry=False)
        self._http = _http()
        self.API_BASE_URL = base_url
        self.token_manager = TokenManager(appid, fetch)

    @property
    def access_token(self) -> str:
        return self.token_manager.current()

    def fetch_access_token(self) -> dict[str, Any]:
        return {"access_token": self.token_manager.renew()}

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        return self.token_manager.request(super()._request, method, url_or_endpoint, **kwargs)


# --- Third-party platform ----------------------------------------------------------------------


def component_configured() -> bool:
    return all(
        getattr(settings, name, "")
        for name in (
            "WECHAT_COMPONENT_APPID",
            "WECHAT_COMPONENT_SECRET",
            "WECHAT_COMPONENT_TOKEN",
            "WECHAT_COMPONENT_AES_KEY",
        )
    )


class PlatformComponent(WeChatComponent):
    def __init__(self) -> None:
        super().__init__(
            settings.WECHAT_COMPONENT_APPID,
            settings.WECHAT_COMPONENT_SECRET,
            settings.WECHAT_COMPONENT_TOKEN,
            settings.WECHAT_COMPONENT_AES_KEY,
            session=_NoSession(),
            auto_retry=False,
        )
        self._http = _http()
        self.API_BASE_URL = api_base() + "cgi-bin"
        self.PRE_AUTH_URL = str(settings.WECHAT_MP_BASE_URL).rstrip("/") + "/cgi-bin/componentloginpage"
        self.token_manager = TokenManager(self.token_name, self._fetch, param="component_access_token")

    @property
    def token_name(self) -> str:
        return f"component:{self.component_appid}"

    @property
    def component_verify_ticket(self) -> str:
        return str(platform_store("ticket_get")(component_appid=self.component_appid))

    def _fetch(self) -> tokens.Fetched:
        ticket = self.component_verify_ticket
        if not ticket:
            raise WeChatClientException(None, "no component_verify_ticket received from WeChat yet")
        try:
            response = self._http.post(
                self.API_BASE_URL + "/component/api_component_token",
                data=json.dumps(
                    {
                        "component_appid": self.component_appid,
                        "component_appsecret": self.component_appsecret,
                        "component_verify_ticket": ticket,
                    }
                ),
                timeout=_timeout(),
            )
        except requests.RequestException as exc:
            raise _network_error(exc) from exc
        result = _checked(response)
        return tokens.Fetched(str(result["component_access_token"]), int(result.get("expires_in", 7200)))

    @property
    def access_token(self) -> str:
        return self.token_manager.current()

    def fetch_access_token(self) -> dict[str, Any]:
        return {"component_access_token": self.token_manager.renew()}

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", _timeout())
        return self.token_manager.request(super()._request, method, url_or_endpoint, **kwargs)

    def query_authorization(self, authorization_code: str) -> dict[str, Any]:
        """``api_query_auth``: the authorizer's appid, access and refresh tokens (access token kept)."""
        result = self._query_auth(authorization_code)
        info: dict[str, Any] = result["authorization_info"]
        if info.get("authorizer_access_token"):
            tokens.store(
                info["authorizer_appid"], info["authorizer_access_token"], int(info.get("expires_in", 7200))
            )
        return info


def platform_component() -> PlatformComponent | None:
    return PlatformComponent() if component_configured() else None


# --- The provider's official account -----------------------------------------------------------


class AccountClient(TokenClient):
    def __init__(self, account: WeChatAccount) -> None:
        self.account = account
        super().__init__(account.appid, api_base() + "cgi-bin/", self._fetch)

    def _fetch(self) -> tokens.Fetched:
        from integrations.models import WeChatConnection

        account = self.account
        if account.connection == WeChatConnection.COMPONENT:
            component = platform_component()
            if component is None:
                raise WeChatClientException(None, "the WeChat third-party platform is not configured")
            result = component.refresh_authorizer_token(account.appid, account.refresh_token)
            new_refresh = str(result.get("authorizer_refresh_token") or "")
            if new_refresh and new_refresh != account.refresh_token:
                account.set_refresh_token(new_refresh)
                type(account).objects.filter(pk=account.pk).update(
                    refresh_token_sealed=account.refresh_token_sealed
                )
                from integrations.wechat.accounts import account_cache_key

                cache.delete(account_cache_key())  # the cached copy has the old refresh token
            return tokens.Fetched(str(result["authorizer_access_token"]), int(result.get("expires_in", 7200)))
        return fetch_with_secret(account.appid, account.secret)

    def _handle_result(self, res: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super()._handle_result(res, *args, **kwargs)
        except WeChatClientException as exc:
            count_wechat_error(exc.errcode)  # baoxiu_wechat_api_errors_total{errcode}
            raise


def account_client(account: WeChatAccount) -> AccountClient:
    return AccountClient(account)


def verify_credentials(*, appid: str, secret: str) -> None:
    """Ask WeChat for a token with these credentials (the manual connection's check). Raises
    ``WeChatClientException`` when WeChat refuses them."""
    fetched = fetch_with_secret(appid, secret)
    tokens.store(appid, fetched.token, fetched.expires_in)
