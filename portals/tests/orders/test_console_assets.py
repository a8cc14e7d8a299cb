"""Machines and the catalog in the console: add, edit, deactivate; CSV/XLSX import as a job with a
progress state and per-row errors (nothing imported until the file is clean); export; the QR label
PDF; brands, categories and models; roles and tenants."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.models import Asset, Brand, Category, ImportJob, MachineModel
from repair_forms.selectors import asset_lookup
from repair_forms.tests.helpers import Cast, drive

HEADER = "机器编号,序列号,品牌,类别,型号,客户公司,建筑物,房间,保修情况,保修截止\n"


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def _upload(client: Any, actors: Any, text: str, capture: Any, name: str = "machines.csv") -> Any:
    """Upload through the console; run the background job the upload queued (inside A's schema,
    as the worker would)."""
    with capture() as callbacks:
        response = client.post(
            "/console/assets/import/",
            {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
        )
    with _in_a(actors):
        for callback in callbacks:
            callback()
    return response


def test_adding_editing_and_deactivating_a_machine(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.dispatcher)
    brand, category, model = cast.catalog
    data = {
        "machine_no": "NO300001",
        "serials": "SN-X1\nSN-X2",
        "brand": brand.pk,
        "category": category.pk,
        "model": model.pk,
        "company": cast.company.pk,
        "location_building": "B栋",
        "location_room": "502",
        "warranty_status": "factory",
        "warranty_ends_on": "2030-01-01",
    }
    created = client.post("/console/assets/new/", data)
    assert created.status_code == 302
    with _in_a(actors):
        asset = Asset.objects.get(machine_no="NO300001")
        assert asset.serials == ["SN-X1", "SN-X2"] and asset.company == cast.company
    clash = client.post(
        "/console/assets/new/",
        {**data, "machine_no": "NO300002", "serials": "sn-x2"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert clash.status_code == 200 and "already has this machine or serial number" in text_of(clash)
    page = text_of(client.get(f"/console/assets/{asset.pk}/"))
    assert f"/report/?asset={asset.token}" in page
    assert client.post(f"/console/assets/{asset.pk}/", {**data, "location_room": "503"}).status_code == 302
    old_token = asset.token
    assert client.post(f"/console/assets/{asset.pk}/", {"action": "new-token"}).status_code == 302
    assert client.post(f"/console/assets/{asset.pk}/", {"action": "deactivate"}).status_code == 302
    with _in_a(actors):
        asset.refresh_from_db()
        assert asset.location_room == "503" and asset.token != old_token and not asset.is_active
        assert asset_lookup("SN-X1") is None


def test_a_clean_file_is_imported_in_the_background_with_progress(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.dispatcher)
    text = (
        HEADER
        + "NO400001,SN-Y1,惠普,打印机,M404,芒果科技,C栋,101,厂保内,2030-01-31\n"
        + ",SN-Y2,惠普,打印机,M404,,,,保外,\n"
    )
    response = _upload(client, actors, text, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    job_url = response["Location"]
    page = text_of(client.get(job_url))
    assert "machines.csv" in page and "<progress" in page
    state = client.get(job_url + "status/").json()
    assert state["status"] == "succeeded" and state["percent"] == 100 and state["created"] == 2
    with _in_a(actors):
        assert Asset.objects.get(machine_no="NO400001").model == MachineModel.objects.get(name="M404")


def test_a_file_with_bad_rows_lists_them_and_imports_nothing(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.dispatcher)
    text = HEADER + "NO500001,,惠普,打印机,M404,,,,,\n,,惠普,,,,,,,\nNO500003,,,,,不存在公司,,,,\n"
    response = _upload(client, actors, text, django_capture_on_commit_callbacks)
    state = client.get(response["Location"] + "status/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert state["status"] == "failed" and state["finished"]
    assert sorted({e["row"] for e in state["errors"]}) == [3, 4]
    page = text_of(client.get(response["Location"]))
    assert "不存在公司" in page
    with _in_a(actors):
        assert not Asset.objects.filter(machine_no="NO500001").exists()


def test_an_upload_that_is_not_a_sheet_is_refused_at_once(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.dispatcher)
    response = client.post(
        "/console/assets/import/",
        {"file": SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and "Upload a .csv or .xlsx file." in text_of(response)
    with _in_a(actors):
        assert not ImportJob.objects.exists()


def test_export_and_templates_download_in_csv_and_excel(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.supervisor)
    csv_export = client.get("/console/assets/export.csv")
    assert "NO000028" in csv_export.content.decode("utf-8-sig")
    xlsx = client.get("/console/assets/export.xlsx", {"q": "NO000028"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.cell(row=2, column=1).value == "NO000028"
    template = client.get("/console/assets/import/template.csv")
    assert template.content.decode("utf-8-sig").startswith("机器编号")
    assert client.get("/console/assets/export.pdf").status_code == 404


def test_the_qr_label_sheet_is_a_pdf(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.admin)
    chosen = client.get("/console/assets/labels.pdf", {"ids": [cast.asset.pk]})
    assert chosen.status_code == 200 and chosen["Content-Type"] == "application/pdf"
    assert chosen.content.startswith(b"%PDF") and "attachment" in chosen["Content-Disposition"]
    everything = client.get("/console/assets/labels.pdf")
    assert everything.content.startswith(b"%PDF")


def test_the_catalog_grows_and_entries_in_use_are_hidden_not_deleted(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.admin)
    client.post("/console/catalog/", {"kind": "brand", "name": "格力"})
    with _in_a(actors):
        gree = Brand.objects.get(name="格力")
    client.post("/console/catalog/", {"kind": "category", "parent": gree.pk, "name": "空调"})
    with _in_a(actors):
        aircon = Category.objects.get(name="空调")
    client.post("/console/catalog/", {"kind": "model", "parent": aircon.pk, "name": "KFR-35GW"})
    page = text_of(client.get("/console/catalog/"))
    assert "格力" in page and "空调" in page and "KFR-35GW" in page
    duplicate = client.post(
        "/console/catalog/", {"kind": "brand", "name": "格力"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This brand already exists." in text_of(duplicate)
    assert (
        client.post(f"/console/catalog/brand/{gree.pk}/", {"name": "格力电器", "is_active": "on"}).status_code
        == 302
    )
    with _in_a(actors):
        drive(cast, "submitted")  # uses 联想 / 打印机 / N900
        lenovo = cast.catalog[0]
    client.post(f"/console/catalog/brand/{lenovo.pk}/", {"action": "delete"})
    with _in_a(actors):
        lenovo.refresh_from_db()
        assert not lenovo.is_active
        assert Brand.objects.filter(name="格力电器").exists()


@pytest.mark.parametrize(
    "path", ["/console/assets/", "/console/assets/new/", "/console/catalog/", "/console/assets/import/"]
)
def test_engineers_get_403_on_machines(cast: Cast, actors: Any, path: str) -> None:
    assert signed_in(actors.tenant_a, cast.engineer).get(path).status_code == 403


def test_another_tenants_staff_get_404_for_our_machines(cast: Cast, actors: Any) -> None:
    from tests.actors import client_for

    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/console/assets/{cast.asset.pk}/").status_code == 404
    labels = outsider.get("/console/assets/labels.pdf", {"ids": [cast.asset.pk]})
    assert labels.status_code == 200 and b"NO000028" not in labels.content


def test_the_machine_list_costs_the_same_queries_for_many_machines(
    cast: Cast, actors: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.admin)
    client.get("/console/assets/")
    with django_assert_max_num_queries(24):
        client.get("/console/assets/")
    with _in_a(actors):
        from repair_forms.asset_services import AssetData, asset_create

        brand, category, model = cast.catalog
        for index in range(30):
            asset_create(
                actor=cast.actor("admin"),
                data=AssetData(
                    machine_no=f"NO9{index:05d}",
                    brand=brand,
                    category=category,
                    model=model,
                    company=cast.company,
                ),
            )
    with django_assert_max_num_queries(24):
        page = client.get("/console/assets/")
    assert text_of(page).count("/console/assets/") > 30
