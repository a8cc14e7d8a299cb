"""Errors for API clients in the API's own format.

Unknown paths under ``/api/`` answer a JSON 404 (``{"detail": …, "code": "not_found"}``), like every
API view, instead of the HTML page a browser gets; every other path keeps Django's 404 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)
    return page_not_found(request, exception or Exception())
