"""Customer portal on the provider's host."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portals/customer/home.html", {"provider": request.tenant})  # type: ignore[attr-defined]
