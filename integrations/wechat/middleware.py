"""Portal pages opened inside WeChat's browser sign the customer in silently (snsapi_base) once
per session, when the provider's account is connected. Everything else passes through untouched."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class WeChatSilentLoginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from integrations.wechat.views import silent_login_applies

        if silent_login_applies(request):
            start = reverse("wechat-oauth-start")
            return HttpResponseRedirect(start + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)
