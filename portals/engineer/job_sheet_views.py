"""The job sheet the customer signs, on the engineer's job page: the signature pad's PNG, the 保外
charges, and the printable PDF (also for the office from the order's page). Thin views over
``repair_forms.services.jobsheet`` and ``portals.engineer.job_sheet_pdf``."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.engineer.job_sheet_pdf import job_sheet_pdf
from portals.engineer.views import job_page
from portals.order_ui import order_for, staff_actor
from repair_forms.models import RepairOrder, WorkOrder
from repair_forms.services.jobsheet import work_order_set_charges, work_order_sign

OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR)


def _order_or_404(request: HttpRequest, pk: int) -> RepairOrder:
    try:
        return order_for(staff_actor(current_staff(request)), pk)
    except RepairOrder.DoesNotExist:
        raise Http404 from None


def _fen(value: str) -> int:
    try:
        amount = Decimal((value or "0").strip() or "0")
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in yuan, e.g. 120 or 45.50.")) from None
    if amount != amount.quantize(Decimal("0.01")) or amount < 0:
        raise ValidationError(_("Enter an amount in yuan, e.g. 120 or 45.50."))
    return int(amount * 100)


@require_POST
@staff_required(StaffRole.ENGINEER)
def job_signature(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    try:
        work_order_sign(
            actor=staff_actor(current_staff(request)), order=order, data_url=request.POST.get("signature", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return job_page(request, order, status=400)
    messages.success(request, _("The customer's signature was saved."))
    return job_page(request, order)


@require_POST
@staff_required(StaffRole.ENGINEER)
def job_charges(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order_or_404(request, pk)
    try:
        work_order_set_charges(
            actor=staff_actor(current_staff(request)),
            order=order,
            labour_fen=_fen(request.POST.get("labour_charge", "")),
            parts_fen=_fen(request.POST.get("parts_charge", "")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return job_page(request, order, status=400)
    messages.success(request, _("The charges were saved."))
    return job_page(request, order)


def _pdf_response(request: HttpRequest, order: RepairOrder) -> HttpResponse:
    work_order = (
        WorkOrder.objects.select_related("engineer")
        .filter(order=order)
        .order_by("-dispatched_at", "-id")
        .first()
    )
    pdf = job_sheet_pdf(provider_name=request.tenant.name, order=order, work_order=work_order)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="job-sheet-{order.number}.pdf"'
    return response


@staff_required(StaffRole.ENGINEER)
def job_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(request, _order_or_404(request, pk))


@staff_required(*OFFICE)
def order_job_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf_response(request, _order_or_404(request, pk))
