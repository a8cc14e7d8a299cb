"""Provider console: sign-in, the service period shown on the workbench and the portal QR code
(the workbench itself is ``workbench_views``). Thin views."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils import timezone

from accounts.selectors import staff_for_user
from billing.entitlements import snapshot
from portals.access import staff_required
from portals.console.forms import PhoneLoginForm
from portals.qr import qr_response
from portals.web import absolute_url


def _portal_link(request: HttpRequest) -> str:
    return absolute_url(request, "/")


class StaffLoginView(auth_views.LoginView):
    """Staff sign in with phone + password. Someone already signed in as staff goes straight to the
    console; a portal customer on this host sees the form (signing in replaces their session)."""

    template_name = "portals/console/login.html"
    authentication_form = PhoneLoginForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if staff_for_user(user=request.user) is not None:
            return HttpResponseRedirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)


def service_period(provider: Any) -> dict[str, Any] | None:
    """Days left in the trial or paid period, from billing's cached entitlements snapshot (None
    while billing does not report an end date)."""
    data = snapshot(provider)
    ends_at = data.get("ends_at")
    if ends_at is None:
        return None
    seconds_left = float(ends_at) - timezone.now().timestamp()
    return {
        "state": data.get("state", ""),
        "trial": data.get("state") == "trialing",
        "days_left": max(0, math.ceil(seconds_left / 86400)),
        "ends_at": datetime.fromtimestamp(float(ends_at), tz=UTC),
    }


@staff_required()
def portal_qr(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in {"png", "svg"}:
        raise Http404
    return qr_response(_portal_link(request), kind=kind, filename="portal-qr")
