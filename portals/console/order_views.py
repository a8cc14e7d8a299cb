"""报修单列表 in the provider console: the list with the seed's columns and filters (keyset pages),
the CSV export (streamed, so a million rows never sit in memory), one order with the steps the
signed-in role may take and its full timeline, and the step pages themselves.

Admins, dispatchers and supervisors; engineers have their own job pages (``portals.engineer``).
Which step a role may take is the lifecycle's decision (``portals.console.order_actions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.console.dispatch import BulkForm
from portals.console.order_actions import OFFICE_STEPS, STEP_FOR_TRANSITION, run_step, step_form
from portals.console.order_forms import OrderFilterForm
from portals.customer.order_views import photo_response
from portals.order_ui import (
    list_rows,
    local_minutes,
    order_for,
    order_page,
    order_view,
    photo_for,
    service_type_label,
    staff_actor,
    status_label,
    warranty_label,
)
from repair_forms.models import OrderPhoto, RepairOrder
from repair_forms.queue_selectors import pending_suspensions
from repair_forms.queues import QUEUES
from repair_forms.selectors import order_export_rows
from tenants.services import in_tenant
from tenants.spreadsheets import csv_lines

OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR)
BULK_ROLES = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER})
PAGE_SIZE = 50


def _order_or_404(request: HttpRequest, pk: int) -> RepairOrder:
    try:
        return order_for(staff_actor(current_staff(request)), pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None


def _query_without_cursor(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


@staff_required(*OFFICE)
def order_index(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET or None)
    filters = form.filters()
    try:
        page = order_page(
            actor=staff_actor(current_staff(request)),
            filters=filters,
            cursor=request.GET.get("cursor") or None,
            limit=PAGE_SIZE,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        page = order_page(actor=staff_actor(current_staff(request)), filters=filters, limit=PAGE_SIZE)
    query = _query_without_cursor(request)
    base = reverse("console:orders")
    queues = [
        {"label": _("All"), "url": base, "current": not query},
        *(
            {"label": q.label, "url": f"{base}?queue={q.key}", "current": query == f"queue={q.key}"}
            for q in QUEUES.values()
        ),
    ]
    return render(
        request,
        "portals/console/orders/list.html",
        {
            "form": form,
            "page": page,
            "rows": list_rows(page.items),
            "queues": queues,
            "bulk_form": BulkForm() if current_staff(request).role in BULK_ROLES else None,
            "filtered": bool(set(request.GET) - {"q", "queue", "cursor"}),
            "query": query,
            "first_page": bool(request.GET.get("cursor")),
            "export_url": f"{reverse('console:orders-export')}?{query}",
        },
    )


CSV_COLUMNS = [
    ("number", "报修单号 Order number"),
    ("status", "进度 Progress"),
    ("submitted_at", "报修时间 Reported at"),
    ("brand", "机器品牌 Brand"),
    ("category", "机器类别 Category"),
    ("model", "机器型号 Model"),
    ("machine_no", "机器编号 Machine number"),
    ("serial", "序列号 Serial number"),
    ("fault_description", "故障描述 Fault"),
    ("service_type", "服务类别 Service type"),
    ("warranty_status", "保修情况 Warranty"),
    ("appointment_at", "预约时间 Appointment"),
    ("notes", "备注 Notes"),
    ("is_overdue", "超时 Overdue"),
    ("is_urged", "催单 Urged"),
    ("engineer", "工程师 Engineer"),
    ("company", "客户公司 Company"),
    ("reporter", "报修人 Reporter"),
    ("contact_phone", "联系电话 Contact phone"),
]


def _csv_row(order: RepairOrder) -> list[str]:
    return [
        order.number,
        status_label(order.status),
        local_minutes(order.submitted_at),
        order.brand.name if order.brand else "",
        order.category.name if order.category else "",
        order.model.name if order.model else "",
        order.machine_no,
        order.serial,
        order.fault_description,
        service_type_label(order.service_type),
        warranty_label(order.warranty_status),
        local_minutes(order.appointment_at),
        order.notes,
        "超" if order.is_overdue else "",
        "催" if order.is_urged else "",
        (order.engineer.display_name or order.engineer.phone) if order.engineer else "",
        order.company.name if order.company else "",
        (order.reporter.name or order.reporter.phone) if order.reporter else "",
        order.contact_phone,
    ]


@staff_required(*OFFICE)  # type: ignore[arg-type]
def order_export(request: HttpRequest) -> StreamingHttpResponse:
    """All orders matching the list's filters as CSV (UTF-8 with BOM for Excel), streamed."""
    filters = OrderFilterForm(request.GET or None).filters()
    rows = order_export_rows(actor=staff_actor(current_staff(request)), filters=filters)
    provider = request.tenant  # type: ignore[attr-defined]

    def lines() -> Iterator[str]:
        # The body is read after the view returned and the routing middleware went back to the
        # public schema: the rows are read inside this provider's schema again. Cells a customer
        # typed never run as formulas (tenants.spreadsheets).
        with in_tenant(provider):
            yield from csv_lines([label for _key, label in CSV_COLUMNS], (_csv_row(o) for o in rows))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="orders-{stamp}.csv"'
    return response


@staff_required(*OFFICE)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    view = order_view(actor=staff_actor(current_staff(request)), order=order)
    forms: dict[str, Any] = {}
    for transition in view.actions:
        name = STEP_FOR_TRANSITION.get(transition)
        if name in OFFICE_STEPS:
            forms[name.replace("-", "_")] = step_form(name, order)
    return render(
        request,
        "portals/console/orders/detail.html",
        {"v": view, "order": order, "forms": forms, "photo_route": "console:photo"},
    )


def _next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a step taken from a queue (workbench, approvals): the posted ``next`` when
    it is a path on this host, else the order's page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


@staff_required(*OFFICE)
def order_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = _order_or_404(request, pk)
    return run_step(
        request,
        actor=staff_actor(current_staff(request)),
        order=order,
        name=action,
        allowed=OFFICE_STEPS,
        template="portals/console/orders/step.html",
        success_url=_next_url(request, reverse("console:order-detail", args=[order.pk])),
        photo_route="console:photo",
    )


@staff_required(StaffRole.ADMIN, StaffRole.SUPERVISOR)
def approval_queue(request: HttpRequest) -> HttpResponse:
    """挂起待审批: every pending suspension request with the engineer's reason and photos, approved
    or rejected in place (through the order's approve/reject steps, i.e. the lifecycle services)."""
    suspensions = pending_suspensions(actor=staff_actor(current_staff(request)), limit=200)
    return render(
        request,
        "portals/console/orders/approvals.html",
        {"suspensions": suspensions, "next_url": reverse("console:approvals")},
    )


@staff_required()  # type: ignore[arg-type]
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A photo on an order the staff member may see (engineers: their own jobs')."""
    try:
        item = photo_for(staff_actor(current_staff(request)), pk)
    except OrderPhoto.DoesNotExist:
        raise Http404 from None
    return photo_response(item)
