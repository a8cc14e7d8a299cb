"""我的信息: the provider's public contact details, shown on the customer portal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from accounts.selectors import provider_profile
from accounts.services import provider_profile_update
from portals.access import current_staff, staff_required
from portals.console.forms import ProfileForm
from portals.web import add_service_errors


@staff_required(StaffRole.ADMIN)
def profile(request: HttpRequest) -> HttpResponse:
    row = provider_profile()
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                provider_profile_update(actor=current_staff(request), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your information was saved. Customers see it on your portal."))
                return redirect("console:profile")
    else:
        form = ProfileForm(
            initial={
                "contact_person": row.contact_person,
                "contact_phone": row.contact_phone,
                "address": row.address,
                "about": row.about,
            }
        )
    return render(
        request,
        "portals/console/profile/edit.html",
        {"form": form, "provider": request.tenant, "owner_phone": request.tenant.owner_phone},  # type: ignore[attr-defined]
    )
