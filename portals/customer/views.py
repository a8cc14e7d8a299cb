"""Customer portal on the provider's host."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import customer_for_user, provider_profile_cached, provider_settings
from accounts.validators import tel_href


def home(request: HttpRequest) -> HttpResponse:
    """Who the provider is and how to reach them (我的信息), and who is signed in."""
    profile = provider_profile_cached()
    return render(
        request,
        "portals/customer/home.html",
        {
            "provider": request.tenant,  # type: ignore[attr-defined]
            "profile": profile,
            "tel": tel_href(profile.contact_phone),
            "customer": customer_for_user(user=request.user),
            # the seed's 不知道机器编号或序列号报修 button, when the provider allows it
            "free_allowed": provider_settings().free_form_reporting_enabled,
        },
    )
