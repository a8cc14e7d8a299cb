"""Refuse input that no field of ours can hold, before any view sees it.

PostgreSQL text cannot contain the NUL character: a ``%00`` in a search box, a token or a JSON
string reached the database and came back as a 500 (``DataError``) on 18 endpoints. No form,
serializer or lookup in the product accepts NUL, so one middleware answers every such request with
a 400 and a message (JSON under ``/api/``), instead of each view guarding itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
JSON_NUL = (b"\\u0000", b"\\U0000")


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return True
    content_type = request.content_type or ""
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return False
    if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        return False  # large uploads stream to the view; their text fields go through forms
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        request.body  # noqa: B018 (read once, so the view can still read the body after POST)
        for key, values in request.POST.lists():
            if NUL in key or any(NUL in value for value in values):
                return True
    elif content_type.endswith("json"):
        body = request.body
        if b"\x00" in body or any(marker in body for marker in JSON_NUL):
            return True
    return False


class RejectNulInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("The request contains a NUL character, which no field accepts.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "invalid_input"}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
