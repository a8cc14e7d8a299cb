"""The wechatpy client of the provider's mini-program, pointed at ``settings.WECHAT_API_BASE_URL``.

Its access token is kept by the same ``integrations.wechat.client.TokenClient`` as the official
account's (shared by every worker through ``integrations.wechat.tokens``, one locked refresher) and
refreshed once on 40001/40014/42001. The mini-program APIs are wechatpy's ``WeChatWxa``
(``client.wxa``): ``code_to_session`` (``sns/jscode2session``, signed with appid + secret, no access
token), ``get_wxa_code_unlimited`` and ``send_subscribe_message``; ``phone_number`` calls
``wxa/business/getuserphonenumber`` (the phone-number button's ``code`` flow, newer than wechatpy
1.8).

Failures surface as ``WeChatClientException`` (``errcode`` None for the network), whose code
``integrations.miniprogram.errors.describe`` turns into words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from integrations.wechat import tokens
from integrations.wechat.client import TokenClient, _network_error, _timeout, api_base, fetch_with_secret

if TYPE_CHECKING:
    from integrations.miniprogram.models import MiniProgramAccount

NO_TOKEN_ENDPOINTS = ("sns/",)  # signed with appid + secret instead of an access token


class MiniProgramClient(TokenClient):
    def __init__(self, account: MiniProgramAccount) -> None:
        self.account = account
        super().__init__(account.appid, api_base(), self._fetch)
        self.secret = account.secret  # after wechatpy's __init__, which sets it to ""
        self.wxa.API_BASE_URL = api_base()

    def _fetch(self) -> tokens.Fetched:
        return fetch_with_secret(self.appid, self.secret)

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        if url_or_endpoint.startswith(NO_TOKEN_ENDPOINTS):
            return self._without_token(method, url_or_endpoint, **kwargs)
        return super()._request(method, url_or_endpoint, **kwargs)

    def _without_token(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        kwargs.pop("api_base_url", None)
        url = self.API_BASE_URL + endpoint
        try:
            response = self._http.request(
                method=method, url=url, params=kwargs.get("params") or {}, timeout=_timeout()
            )
            response.raise_for_status()
        except requests.RequestException as exc:
            raise _network_error(exc) from exc
        return self._handle_result(response, method, url)

    # --- Calls wechatpy 1.8 does not have -------------------------------------------------------------

    def phone_number(self, code: str) -> dict[str, Any]:
        """``wxa/business/getuserphonenumber``: the phone behind the phone-number button's code."""
        result: dict[str, Any] = self.post("wxa/business/getuserphonenumber", data={"code": code})
        return dict(result.get("phone_info") or {})


def miniprogram_client(account: MiniProgramAccount) -> MiniProgramClient:
    return MiniProgramClient(account)
