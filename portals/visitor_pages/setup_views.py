"""Console, administrators: units (departments with heads and members), approver groups, the
approval chain (ordered steps with an optional condition) and the visitor settings (walk-ins, the
application form's extra fields)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.form_post import saved_or_shown
from portals.visitor_pages.access import console_feature
from portals.visitor_pages.forms import ChainStepForm, GroupForm, UnitForm, VisitorSettingsForm
from visitors import services
from visitors.models import ApproverGroup, ChainStep, Unit
from visitors.organisation import visitor_settings

ADMIN = StaffRole.ADMIN


SETUP_PAGE = "console:visitors-setup"


def _edit_page(
    request: HttpRequest, form: Form, save: Callable[[dict[str, Any]], object], *, done: str, title: str
) -> HttpResponse:
    """A unit / group / step form: saved (back to the setup page) or shown again with its errors."""
    response = saved_or_shown(request, form, save, done=done, page=SETUP_PAGE)
    if response is not None:
        return response
    return render(request, "portals/visitors/console/setup_form.html", {"form": form, "title": title})


@staff_required(ADMIN)
@console_feature
def setup(request: HttpRequest) -> HttpResponse:
    services.chain_default_ensure()
    current = visitor_settings()
    form = VisitorSettingsForm(
        request.POST or None,
        initial={"walk_in_allowed": current.walk_in_allowed, "extra_fields": current.extra_fields},
    )
    response = saved_or_shown(
        request,
        form,
        lambda data: services.visitor_settings_update(
            actor=current_staff(request),
            walk_in_allowed=data["walk_in_allowed"],
            extra_fields=data["extra_fields"] or [],
        ),
        done=_("The visitor settings were saved."),
        page=SETUP_PAGE,
    )
    if response is not None:
        return response
    context: dict[str, Any] = {
        "form": form,
        "units": Unit.objects.select_related("head").prefetch_related("members"),
        "groups": ApproverGroup.objects.prefetch_related("members"),
        "steps": ChainStep.objects.select_related("group", "person"),
    }
    return render(request, "portals/visitors/console/setup.html", context)


@staff_required(ADMIN)
@console_feature
def unit_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    initial = {"name": unit.name, "head": unit.head, "members": list(unit.members.all())} if unit else None
    return _edit_page(
        request,
        UnitForm(request.POST or None, initial=initial),
        lambda data: services.unit_save(actor=current_staff(request), unit=unit, **data),
        done=_("The unit was saved."),
        title=_("Unit"),
    )


@staff_required(ADMIN)
@console_feature
def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    group = get_object_or_404(ApproverGroup, pk=pk) if pk else None
    initial = {"name": group.name, "members": list(group.members.all())} if group else None
    return _edit_page(
        request,
        GroupForm(request.POST or None, initial=initial),
        lambda data: services.group_save(actor=current_staff(request), group=group, **data),
        done=_("The group was saved."),
        title=_("Approver group"),
    )


@staff_required(ADMIN)
@console_feature
def step_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    step = get_object_or_404(ChainStep, pk=pk) if pk else None
    initial = None
    if step is not None:
        initial = {
            "name": step.name,
            "approver_kind": step.approver_kind,
            "group": step.group,
            "person": step.person,
            "condition_field": step.condition_field,
            "condition_value": step.condition_value,
        }
    return _edit_page(
        request,
        ChainStepForm(request.POST or None, initial=initial),
        lambda data: services.chain_step_save(actor=current_staff(request), step=step, **data),
        done=_("The approval step was saved."),
        title=_("Approval step"),
    )


@staff_required(ADMIN)
@console_feature
def step_action(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the step with its move and remove buttons; POST does it."""
    step = get_object_or_404(ChainStep, pk=pk)
    if request.method != "POST":
        return render(request, "portals/visitors/console/step_action.html", {"step": step})
    action = request.POST.get("action")
    if action == "delete":
        services.chain_step_delete(actor=current_staff(request), step=step)
        messages.success(request, _("The approval step was removed."))
    elif action in ("up", "down"):
        services.chain_step_move(actor=current_staff(request), step=step, up=action == "up")
    return redirect("console:visitors-setup")
