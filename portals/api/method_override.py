"""``X-HTTP-Method-Override: PATCH`` on a POST to ``/api/``: WeChat's ``wx.request`` cannot send
PATCH, so the mini-program POSTs with this header. Only PATCH is accepted (never a way to turn a
POST into a DELETE), and only under ``/api/``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "HTTP_X_HTTP_METHOD_OVERRIDE"
ALLOWED = frozenset({"PATCH"})


class MethodOverrideMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        override = request.META.get(HEADER, "").upper()
        if request.method == "POST" and override in ALLOWED and request.path.startswith("/api/"):
            request.method = override
        return self.get_response(request)
