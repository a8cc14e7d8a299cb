"""工作台 dashboard of the order work: counts by progress (with 超 and 催), today's reports, and a
30-day chart of orders per day with their average waiting time (inline SVG)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.console.charts import daily_chart
from portals.order_ui import staff_actor
from repair_forms.models import OrderStatus
from repair_forms.selectors import dashboard_counts, orders_per_day

OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR)
DAYS = 30


@staff_required(*OFFICE)
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = staff_actor(current_staff(request))
    counts = dashboard_counts(actor=actor)
    statuses = [(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices]
    return render(
        request,
        "portals/console/orders/dashboard.html",
        {
            "counts": counts,
            "statuses": statuses,
            "chart": daily_chart(orders_per_day(actor=actor, days=DAYS)),
            "days": DAYS,
        },
    )
