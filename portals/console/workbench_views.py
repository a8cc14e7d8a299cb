"""工作台: the console opens on what needs the signed-in person now.

- admins and dispatchers: counts of each work queue (待接单, 超时, 催单, waiting for the customer's
  confirmation, accepted but not dispatched, new today), each linking to the order list filtered to
  exactly those orders (``repair_forms.queues``);
- supervisors: the suspensions waiting for their decision (approve/reject in place), overdue jobs
  and each engineer's load;
- engineers: today's jobs in route order and the next job's address with its map route.

The counts refresh themselves: the block polls ``workbench_counts`` with htmx (served by the app).
Both the page and the poll have a fixed query budget, whatever the number of orders.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import CustomerCompany, StaffMember, StaffRole, StaffStatus
from accounts.selectors import provider_profile
from integrations.maps import order_coordinates, route_link
from portals.access import current_staff, staff_required
from portals.console.nav import nav_for
from portals.console.routes import in_route_order
from portals.console.views import service_period
from portals.order_ui import list_rows, location_text, staff_actor
from portals.web import absolute_url
from repair_forms.queue_selectors import (
    engineer_load,
    engineer_today,
    pending_suspensions,
    queue_counts,
    queue_orders,
)
from repair_forms.queues import QUEUES

# Which queues each role counts on the workbench, in display order. Queues in WARN are shown in the
# warning colour when not empty.
ROLE_QUEUES: dict[str, tuple[str, ...]] = {
    StaffRole.ADMIN: (
        "pending",
        "overdue",
        "urged",
        "awaiting_confirmation",
        "unassigned",
        "today",
        "suspension_pending",
    ),
    StaffRole.DISPATCHER: ("pending", "overdue", "urged", "awaiting_confirmation", "unassigned", "today"),
    StaffRole.SUPERVISOR: ("suspension_pending", "overdue", "urged", "unassigned"),
}
WARN = frozenset({"overdue", "urged", "suspension_pending"})
POLL_SECONDS = 30


def _count_tiles(staff: StaffMember) -> list[dict[str, Any]]:
    keys = ROLE_QUEUES.get(staff.role, ())
    if not keys:
        return []
    counts = queue_counts(actor=staff_actor(staff), keys=keys)
    base = reverse("console:orders")
    return [
        {
            "key": key,
            "label": QUEUES[key].label,
            "count": counts[key],
            "url": f"{base}?queue={key}",
            "warn": key in WARN and counts[key] > 0,
        }
        for key in keys
    ]


def _engineer_context(staff: StaffMember) -> dict[str, Any]:
    jobs = in_route_order(engineer_today(actor=staff_actor(staff)), coordinates=order_coordinates)
    rows = list_rows(jobs)
    for row, job in zip(rows, jobs, strict=True):
        row["address"] = location_text(job)
        row["company"] = job.company.name if job.company else ""
    next_job = next((row for row, job in zip(rows, jobs, strict=True) if job.status != "suspended"), None)
    if next_job is not None:
        job = next(j for j in jobs if j.pk == next_job["pk"])
        next_job["route_link"] = route_link(address=location_text(job), coordinates=order_coordinates(job))
        next_job["contact"] = job.contact_name
        next_job["phone"] = job.contact_phone
    return {"today_jobs": rows, "next_job": next_job}


@staff_required()
def workbench(request: HttpRequest) -> HttpResponse:
    staff = current_staff(request)
    context: dict[str, Any] = {
        "staff": staff,
        "provider": request.tenant,  # type: ignore[attr-defined]
        "portal_link": absolute_url(request, "/"),
        "shortcuts": [item for item in nav_for(staff.role) if item["url_name"] != "console:home"],
        "tiles": _count_tiles(staff),
        "poll_seconds": POLL_SECONDS,
    }
    if staff.role in (StaffRole.ADMIN, StaffRole.SUPERVISOR):
        actor = staff_actor(staff)
        context["suspensions"] = pending_suspensions(actor=actor, limit=10)
        context["overdue_rows"] = list_rows(queue_orders(actor=actor, key="overdue", limit=10))
        context["engineers"] = engineer_load()
    if staff.role == StaffRole.ENGINEER:
        context.update(_engineer_context(staff))
    if staff.role == StaffRole.ADMIN:
        counts = dict.fromkeys(StaffStatus.values, 0)
        for status in StaffMember.objects.values_list("status", flat=True):
            counts[status] += 1
        profile = provider_profile()
        context.update(
            staff_count=counts[StaffStatus.ACTIVE],
            invited_count=counts[StaffStatus.INVITED],
            pending_count=counts[StaffStatus.PENDING],
            profile_incomplete=not (profile.contact_phone and profile.about),
            service=service_period(request.tenant),  # type: ignore[attr-defined]
        )
    if staff.role in {StaffRole.ADMIN, StaffRole.DISPATCHER}:
        context["company_count"] = CustomerCompany.objects.filter(is_active=True).count()
    return render(request, "portals/console/workbench.html", context)


@staff_required()
def workbench_counts(request: HttpRequest) -> HttpResponse:
    """The counts block alone, for the htmx poll (one count query after the sign-in checks)."""
    staff = current_staff(request)
    return render(
        request,
        "portals/console/_workbench_counts.html",
        {"tiles": _count_tiles(staff), "poll_seconds": POLL_SECONDS},
    )
