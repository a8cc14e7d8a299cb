"""Provider console (工作台). Thin views: parse, call a selector, render."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import StaffMember
from portals.access import current_staff, staff_required
from portals.qr import qr_response
from tenants.domains import portal_url


def _portal_link(request: HttpRequest) -> str:
    return portal_url(request.tenant.primary_host or request.get_host().split(":")[0], "/")  # type: ignore[attr-defined]


@staff_required()
def workbench(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portals/console/workbench.html",
        {
            "staff": current_staff(request),
            "provider": request.tenant,  # type: ignore[attr-defined]
            "portal_link": _portal_link(request),
            "staff_count": StaffMember.objects.filter(is_active=True).count(),
        },
    )


@staff_required()
def portal_qr(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {"png", "svg"}:
        raise Http404
    return qr_response(_portal_link(request), kind=kind, filename="portal-qr")
