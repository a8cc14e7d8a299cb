"""The job sheet a customer signs: the engineer records 保外 charges and the customer's signature
(drawn on the phone, stored as a PNG), and the printable PDF job sheet carries the provider, the
order, the work done, parts, charges and the signature (read back with pdftotext)."""

from __future__ import annotations

import base64
import io
import subprocess
from typing import Any

from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder, WorkOrder
from repair_forms.tests.helpers import Cast, drive

S = OrderStatus


def _signature() -> str:
    image = Image.new("RGBA", (300, 110), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 80), (90, 20), (170, 90), (280, 30)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _repaired(actors: Any, cast: Cast) -> RepairOrder:
    with schema_context(actors.tenant_a.schema_name):
        order = drive(cast, S.IN_PROGRESS)  # the cast's form data: out of warranty (保外)
        services.order_submit_job_sheet(
            actor=cast.actor("engineer"),
            order=order,
            work_done="更换定影组件",
            result="已修复",
            parts=[{"name": "定影组件", "quantity": 1}],
        )
        order.refresh_from_db()
    return order


def _pdf_text(content: bytes) -> str:
    done = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return done.stdout.decode()


def test_the_signed_job_sheet_pdf_has_the_charges_work_and_signature(actors: Any, cast: Cast) -> None:
    order = _repaired(actors, cast)
    engineer = signed_in(actors.tenant_a, cast.engineer)
    page = text_of(engineer.get(f"/console/jobs/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert 'class="signature-pad"' in page and "labour_charge" in page
    engineer.post(f"/console/jobs/{order.pk}/charges/", {"labour_charge": "120", "parts_charge": "45.50"})
    engineer.post(f"/console/jobs/{order.pk}/signature/", {"signature": _signature()})
    with schema_context(actors.tenant_a.schema_name):
        work_order = WorkOrder.objects.get(order=order)
        assert (work_order.labour_charge_fen, work_order.parts_charge_fen) == (12000, 4550)
        assert work_order.customer_signature.name.endswith(".png") and work_order.signed_at is not None
        with work_order.customer_signature.open("rb") as handle:
            assert Image.open(handle).format == "PNG"
    pdf = engineer.get(f"/console/jobs/{order.pk}/job-sheet.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    for expected in (
        actors.tenant_a.name.split()[0],
        order.number,
        "更换定影组件",
        "定影组件 × 1",
        "120.00",
        "45.50",
        "165.50",
    ):
        assert expected in text, expected
    assert b"/Subtype /Image" in pdf.content  # the signature is drawn on the sheet
    office = signed_in(actors.tenant_a, cast.admin).get(f"/console/orders/{order.pk}/job-sheet.pdf")
    assert office.status_code == 200 and office.content.startswith(b"%PDF")


def test_an_empty_or_forged_signature_is_refused(actors: Any, cast: Cast) -> None:
    order = _repaired(actors, cast)
    engineer = signed_in(actors.tenant_a, cast.engineer)
    blank = io.BytesIO()
    Image.new("RGBA", (50, 20), (0, 0, 0, 0)).save(blank, format="PNG")
    for forged in (
        "",
        "data:image/png;base64,notbase64!",
        "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode(),
    ):
        engineer.post(f"/console/jobs/{order.pk}/signature/", {"signature": forged})
    with schema_context(actors.tenant_a.schema_name):
        assert not WorkOrder.objects.get(order=order).customer_signature


def test_only_the_engineer_on_the_job_records_charges(actors: Any, cast: Cast) -> None:
    order = _repaired(actors, cast)
    other = signed_in(actors.tenant_a, cast.engineer2)
    assert other.post(f"/console/jobs/{order.pk}/charges/", {"labour_charge": "1"}).status_code == 404
    assert (
        signed_in(actors.tenant_a, cast.admin).post(f"/console/jobs/{order.pk}/charges/", {}).status_code
        == 403
    )


def test_the_customer_sees_the_charges_when_asked_to_confirm(actors: Any, cast: Cast) -> None:
    order = _repaired(actors, cast)
    signed_in(actors.tenant_a, cast.engineer).post(
        f"/console/jobs/{order.pk}/charges/", {"labour_charge": "80", "parts_charge": "20"}
    )
    page = text_of(
        signed_in(actors.tenant_a, cast.reporter).get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    )
    assert "¥80.00" in page and "¥20.00" in page and "¥100.00" in page
