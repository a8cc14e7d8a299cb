"""我的任务: the signed-in engineer's jobs. Only orders currently assigned to him are reachable
(``repair_forms.selectors`` scopes engineers to them); anything else is 404. Office staff have the
console's order pages instead, so these pages are for the engineer role only (403 otherwise)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.console.order_actions import ENGINEER_STEPS, STEP_FOR_TRANSITION, run_step, step_form
from portals.engineer.maps import route_link_for
from portals.order_ui import location_text, order_for, order_view, staff_actor
from repair_forms.models import RepairOrder
from repair_forms.selectors import ENGINEER_GROUPS, engineer_jobs, order_work_orders
from repair_forms.services.jobsheet import SIGNING_STATUSES

GROUPS = list(ENGINEER_GROUPS)


def _job_or_404(request: HttpRequest, pk: int) -> RepairOrder:
    try:
        return order_for(staff_actor(current_staff(request)), pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None


@staff_required(StaffRole.ENGINEER)
def job_index(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("group", "active")
    if group not in ENGINEER_GROUPS:
        group = "active"
    jobs = engineer_jobs(actor=staff_actor(current_staff(request)), group=group)
    return render(request, "portals/engineer/jobs.html", {"jobs": jobs, "group": group, "groups": GROUPS})


def job_page(request: HttpRequest, order: RepairOrder, *, status: int = 200) -> HttpResponse:
    """The job page (also what the job sheet's charge and signature forms answer with)."""
    view = order_view(actor=staff_actor(current_staff(request)), order=order)
    steps = [STEP_FOR_TRANSITION[t] for t in view.actions if STEP_FOR_TRANSITION.get(t) in ENGINEER_STEPS]
    return render(
        request,
        "portals/engineer/job.html",
        {
            "v": view,
            "order": order,
            "steps": steps,
            "note_form": step_form("note", order) if "note" in steps else None,
            "address": location_text(order),
            "route_link": route_link_for(order),
            "photo_route": "console:photo",
            "work_order": next(iter(reversed(order_work_orders(order=order))), None),
            "job_sheet_statuses": SIGNING_STATUSES,
        },
        status=status,
    )


@staff_required(StaffRole.ENGINEER)
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return job_page(request, _job_or_404(request, pk))


@staff_required(StaffRole.ENGINEER)
def job_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = _job_or_404(request, pk)
    return run_step(
        request,
        actor=staff_actor(current_staff(request)),
        order=order,
        name=action,
        allowed=ENGINEER_STEPS,
        template="portals/engineer/step.html",
        success_url=reverse("console:job-detail", args=[order.pk]),
        photo_route="console:photo",
    )
