"""The printable job sheet (派单) a customer signs — the paper form after-sales engineers hand over:
provider, order and work order numbers, customer, machine, fault, work done and result, parts,
保外 charges, the customer's signature and when it was given. A4, text in the CJK font the label
sheets embed (``repair_forms.labels``), so Poppler and printers show the Chinese."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from billing.pricing import format_yuan
from portals.order_ui import location_text
from repair_forms.labels import _font
from repair_forms.models import RepairOrder, WorkOrder

MARGIN = 18 * mm
LINE = 6.5 * mm


def _wrap(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").splitlines() or [""]:
        current = ""
        for char in paragraph:
            if pdf.stringWidth(current + char, font, size) > width:
                lines.append(current)
                current = char
            else:
                current += char
        lines.append(current)
    return lines


def job_sheet_pdf(*, provider_name: str, order: RepairOrder, work_order: WorkOrder | None) -> bytes:
    font = _font()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(f"{_('Job sheet')} {order.number}")
    width, height = A4
    y = height - MARGIN

    def row(label: str, value: Any, size: float = 10.5) -> None:
        nonlocal y
        pdf.setFont(font, size)
        lines = _wrap(pdf, str(value or "—"), font, size, width - 2 * MARGIN - 32 * mm)
        pdf.drawString(MARGIN, y, label)
        for line in lines:
            pdf.drawString(MARGIN + 32 * mm, y, line)
            y -= LINE
        y -= 1 * mm

    pdf.setFont(font, 16)
    pdf.drawString(MARGIN, y, provider_name)
    y -= 9 * mm
    pdf.setFont(font, 13)
    pdf.drawString(MARGIN, y, _("Job sheet"))
    y -= 10 * mm
    row(_("Order number"), order.number)
    row(_("Work order number"), work_order.number if work_order else "")
    customer = order.contact_name or (order.reporter.name if order.reporter else "")
    row(_("Customer"), " ".join(p for p in (order.company.name if order.company else "", customer) if p))
    row(_("Contact phone"), order.contact_phone or (order.reporter.phone if order.reporter else ""))
    row(_("Address"), location_text(order))
    machine = " ".join(
        p for p in (order.brand.name if order.brand else "", order.model.name if order.model else "") if p
    )
    row(_("Machine"), " ".join(p for p in (machine, order.machine_no, order.serial) if p))
    row(_("Warranty"), order.get_warranty_status_display())
    row(_("Fault description"), order.fault_description)
    if work_order is not None:
        row(_("Engineer"), work_order.engineer.display_name or work_order.engineer.phone)
        row(_("Work done"), work_order.work_done)
        row(_("Result"), work_order.result)
        parts = "；".join(f"{p.get('name', '')} × {p.get('quantity', '')}" for p in work_order.parts or [])
        row(_("Parts used"), parts)
        labour, parts_fen = work_order.labour_charge_fen, work_order.parts_charge_fen
        row(_("Labour charge"), _("%(amount)s yuan") % {"amount": format_yuan(labour)})
        row(_("Parts charge"), _("%(amount)s yuan") % {"amount": format_yuan(parts_fen)})
        row(_("Total"), _("%(amount)s yuan") % {"amount": format_yuan(labour + parts_fen)}, size=12)
    y -= 4 * mm
    pdf.setFont(font, 10.5)
    pdf.drawString(MARGIN, y, _("Customer's signature"))
    box_h = 35 * mm
    pdf.rect(MARGIN + 32 * mm, y - box_h + 4 * mm, 90 * mm, box_h, stroke=1, fill=0)
    if work_order is not None and work_order.customer_signature:
        with work_order.customer_signature.open("rb") as handle:
            image = ImageReader(io.BytesIO(handle.read()))
        pdf.drawImage(
            image,
            MARGIN + 33 * mm,
            y - box_h + 5 * mm,
            88 * mm,
            box_h - 2 * mm,
            mask="auto",
            preserveAspectRatio=True,
        )
        y -= box_h + 2 * mm
        signed = timezone.localtime(work_order.signed_at) if work_order.signed_at else None
        pdf.drawString(
            MARGIN + 32 * mm,
            y,
            _("Signed at %(time)s") % {"time": signed.strftime("%Y-%m-%d %H:%M") if signed else ""},
        )
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
