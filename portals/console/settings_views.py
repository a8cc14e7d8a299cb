"""设置: how the provider's service behaves (ratings, reporting, SLA clocks, embedding)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from accounts.selectors import provider_settings
from accounts.services import provider_settings_update
from portals.access import current_staff, staff_required
from portals.console.forms import SettingsForm
from portals.web import add_service_errors


@staff_required(StaffRole.ADMIN)
def settings_edit(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                provider_settings_update(actor=current_staff(request), **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"star_descriptions": "star_1"})
            else:
                messages.success(request, _("Settings saved."))
                return redirect("console:settings")
    else:
        form = SettingsForm(initial=SettingsForm.initial_from(provider_settings()))
    stars = [form[name] for name in SettingsForm.STAR_FIELDS]
    return render(request, "portals/console/settings/edit.html", {"form": form, "star_fields": stars})
