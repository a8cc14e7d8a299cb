"""Asset import (all or nothing, per-row errors), export round trip, QR label sheet."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook, load_workbook

from repair_forms.imports import assets_export, import_job_create, import_job_run, import_template
from repair_forms.labels import asset_report_url, labels_pdf
from repair_forms.models import Asset, Brand, ImportJob, MachineModel
from repair_forms.tests.helpers import Cast

HEADER = "机器编号,序列号,品牌,类别,型号,客户公司,建筑物,房间,保修情况,保修截止\n"


def _csv(text: str, encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile("assets.csv", text.encode(encoding), content_type="text/csv")


def _run(cast: Cast, upload: Any, name: str = "assets.csv") -> ImportJob:
    job = import_job_create(actor=cast.actor("dispatcher"), file=upload, filename=name)
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_csv_import_creates_assets_and_their_catalog(cast: Cast) -> None:
    job = _run(
        cast,
        _csv(
            HEADER
            + "NO100001,SN-A;SN-B,惠普,打印机,M404,芒果科技,C栋,101,厂保内,2027-01-31\n"
            + ",SN-C,惠普,打印机,M404,,,,保外,\n"
        ),
    )
    assert job.status == "succeeded", job.errors
    assert (job.created_count, job.updated_count, job.rows_total, job.progress_percent) == (2, 0, 2, 100)
    asset = Asset.objects.get(machine_no="NO100001")
    assert asset.serials == ["SN-A", "SN-B"] and asset.company == cast.company
    assert asset.model == MachineModel.objects.get(name="M404") and asset.warranty_status == "factory"
    assert str(asset.warranty_ends_on) == "2027-01-31"
    assert Asset.objects.get(serials__contains=["SN-C"]).warranty_status == "out"


def test_a_file_with_bad_rows_imports_nothing_and_lists_every_problem(cast: Cast) -> None:
    with translation.override("en"):
        job = _run(
            cast,
            _csv(
                HEADER
                + "NO200001,,惠普,打印机,M404,,,,,\n"  # fine
                + ",,惠普,,,,,,,\n"  # no number
                + "NO200003,,,,,不存在公司,,,,\n"  # unknown company
                + "NO200004,,,,,,,,坏了,2027-99-01\n"  # bad warranty, bad date
                + "NO000028,,,,,,,,,\n"  # fine: updates the existing asset
                + "NO200001,,,,,,,,,\n"  # duplicate in the file
            ),
        )
    assert job.status == "failed"
    problems = {(e["row"], e["column"]) for e in job.errors}
    assert problems == {(3, "机器编号"), (4, "客户公司"), (5, "保修情况"), (5, "保修截止"), (7, "机器编号")}
    assert any("also in row 2" in e["message"] for e in job.errors)
    assert not Asset.objects.filter(machine_no__startswith="NO2000").exists()
    assert not Brand.objects.filter(name="惠普").exists()


def test_row_errors_are_written_in_the_uploaders_language(cast: Cast) -> None:
    with translation.override("zh-hans"):
        job = _run(cast, _csv(HEADER + ",,,,,,,,,\n" + ",,,,,不存在,,,,\n"))
    assert job.errors[0]["message"] == "请填写机器编号或至少一个序列号。"


def test_reimport_updates_the_matching_asset(cast: Cast) -> None:
    job = _run(cast, _csv(HEADER + "NO000028,SN-00000168,联想,打印机,N900,芒果科技,D栋,999,保外,\n"))
    assert (job.status, job.created_count, job.updated_count) == ("succeeded", 0, 1)
    cast.asset.refresh_from_db()
    assert cast.asset.location_building == "D栋" and cast.asset.location_room == "999"


def test_gbk_csv_from_excel_is_read(cast: Cast) -> None:
    job = _run(cast, _csv(HEADER + "NO300001,,格力,空调,KFR-35GW,,,,,\n", encoding="gb18030"))
    assert job.status == "succeeded"
    assert str(Asset.objects.get(machine_no="NO300001").brand) == "格力"


def test_xlsx_import_and_export_round_trip(cast: Cast) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Machine number", "Serial numbers", "Brand", "Category", "Model"])
    sheet.append([100123, "X-1", "戴尔", "显示器", "U2720Q"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = _run(cast, SimpleUploadedFile("a.xlsx", buffer.getvalue()), name="a.xlsx")
    assert job.status == "succeeded", job.errors
    assert str(Asset.objects.get(machine_no="100123").model) == "U2720Q"

    exported = load_workbook(io.BytesIO(assets_export(Asset.objects.all(), file_format="xlsx")))
    rows = list(exported.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("机器编号", "序列号", "品牌")
    assert ("100123", "X-1", "戴尔") in [r[:3] for r in rows]


def test_csv_export_opens_in_excel_and_reimports_unchanged(cast: Cast) -> None:
    data = assets_export(Asset.objects.all(), file_format="csv")
    assert data.startswith("\ufeff".encode())
    job = _run(cast, SimpleUploadedFile("export.csv", data))
    assert (job.status, job.created_count, job.updated_count) == ("succeeded", 0, 1)
    assert import_template(file_format="csv").decode("utf-8-sig").startswith("机器编号,序列号")


def test_unknown_columns_and_empty_files_fail_the_whole_job(cast: Cast) -> None:
    with translation.override("en"):
        job = _run(cast, _csv("机器编号,颜色\nNO1,红\n"))
    assert job.status == "failed" and job.errors[0]["message"] == "Unknown columns: 颜色."
    with pytest.raises(ValidationError):
        import_job_create(actor=cast.actor("admin"), file=_csv(""), filename="a.csv")
    with pytest.raises(ValidationError):
        import_job_create(actor=cast.actor("admin"), file=_csv("x"), filename="a.pdf")


def test_engineers_cannot_import(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        import_job_create(actor=cast.actor("engineer"), file=_csv(HEADER), filename="a.csv")


def test_a_job_runs_only_once(cast: Cast) -> None:
    job = _run(cast, _csv(HEADER + "NO400001,,,,,,,,,\n"))
    assert import_job_run(job_id=job.pk) == "succeeded"
    assert Asset.objects.filter(machine_no="NO400001").count() == 1


# --- Labels -------------------------------------------------------------------------------------------


def test_label_sheet_is_a_pdf_with_one_page_per_24_assets(cast: Cast) -> None:
    assets = [cast.asset] * 30
    pdf = labels_pdf(assets, portal_base="https://acme.baoxiu.test", title="甲维修服务中心")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"/Count 2" in pdf  # the page tree: 30 labels fill two A4 pages


def test_each_label_links_to_the_report_page_with_the_asset_token(cast: Cast) -> None:
    url = asset_report_url("https://acme.baoxiu.test/", cast.asset)
    assert url == f"https://acme.baoxiu.test/report/?asset={cast.asset.token}"
    assert len(cast.asset.token) >= 16  # random, not the id: labels cannot be enumerated


def test_an_empty_label_sheet_still_prints_a_page(in_a: Any) -> None:
    assert labels_pdf([], portal_base="https://acme.baoxiu.test").startswith(b"%PDF-")
