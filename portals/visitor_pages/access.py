"""Visitor screens are a plan feature (``billing`` entitlement ``visitors``: premium and trial).

Console: a plan without it shows the upgrade prompt instead of the screen. Portal, gate and API:
the routes answer 404, as if the module did not exist. Staff roles are checked after the feature,
by ``portals.access.staff_required``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import StaffRole
from billing.entitlements import Feature, provider_may

View = Callable[..., HttpResponse]

# Everyone in the console but the gate guard works with invitations and the 流程中心.
OFFICE = tuple(r for r in StaffRole.values if r != StaffRole.GUARD)
GATE = (StaffRole.GUARD, StaffRole.ADMIN)


def visitors_enabled(request: HttpRequest) -> bool:
    tenant: Any = getattr(request, "tenant", None)
    return tenant is not None and provider_may(tenant, Feature.VISITORS)


def console_feature(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not visitors_enabled(request):
            return render(request, "portals/visitors/console/upgrade.html", status=402)
        return view(request, *args, **kwargs)

    return wrapped


def portal_feature(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not visitors_enabled(request):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped
