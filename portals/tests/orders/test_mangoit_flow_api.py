"""The MangoIT flow through the JSON API (mini program / mobile): the default form as JSON, lookup
by serial, submit with an uploaded photo, accept, dispatch, start, job sheet, the company manager
confirms, the reporter rates; each answer is the order as the caller sees it."""

from __future__ import annotations

import re
from typing import Any

from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in
from repair_forms.models import OrderPhoto, OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, jpeg


def test_the_mangoit_flow_runs_through_the_api(cast: Cast, actors: Any) -> None:
    tenant = actors.tenant_a
    reporter = signed_in(tenant, cast.reporter, api=True)

    form = reporter.get("/api/v1/portal/form/")
    assert form.status_code == 200
    assert form.json()["template"]["fields"][0]["key"] == "machine"
    assert form.json()["catalog"][0]["categories"][0]["models"][0]["name"] == "N900"

    lookup = reporter.get("/api/v1/portal/assets/lookup/", {"q": "SN-00000168"})
    assert lookup.status_code == 200 and "token" not in lookup.json()

    photo = reporter.post("/api/v1/portal/photos/", {"file": jpeg()}, format="multipart")
    assert photo.status_code == 201, photo.json()
    values = {
        "serial": "SN-00000168",  # the machine is matched again from the typed number
        "fault_description": "打印机卡纸",
        "service_type": "repair",
        "photos": [photo.json()["id"]],
    }
    submitted = reporter.post("/api/v1/portal/orders/", {"values": values}, format="json")
    assert submitted.status_code == 201, submitted.json()
    order = submitted.json()
    assert re.fullmatch(r"BX-\d{8}-\d{5}", order["number"])
    assert order["machine_no"] == "NO000028" and order["status"] == "submitted"
    assert len(order["photos"]) == 1 and "cancel" in order["actions"]
    pk = order["id"]

    office = signed_in(tenant, cast.dispatcher, api=True)
    listed = office.get("/api/v1/console/orders/", {"q": order["number"]})
    assert [o["number"] for o in listed.json()["results"]] == [order["number"]]
    assert (
        office.post(f"/api/v1/console/orders/{pk}/accept/", {}, format="json").json()["status"] == "accepted"
    )
    engineers = office.get("/api/v1/console/engineers/").json()
    assert cast.engineer.pk in [e["id"] for e in engineers]
    dispatched = office.post(
        f"/api/v1/console/orders/{pk}/dispatch/", {"engineer": cast.engineer.pk}, format="json"
    )
    assert dispatched.json()["status"] == "dispatched"
    assert dispatched.json()["work_orders"][0]["number"].startswith("GD-")

    engineer = signed_in(tenant, cast.engineer, api=True)
    jobs = engineer.get("/api/v1/engineer/jobs/").json()["results"]
    assert [j["id"] for j in jobs] == [pk]
    job = engineer.get(f"/api/v1/engineer/jobs/{pk}/").json()
    assert job["route_link"].startswith("https://apis.map.qq.com/uri/v1/")
    assert (
        engineer.post(f"/api/v1/engineer/jobs/{pk}/start/", {}, format="json").json()["status"]
        == "in_progress"
    )
    sheet_photo = engineer.post("/api/v1/engineer/photos/", {"file": jpeg(color="blue")}, format="multipart")
    sheet = engineer.post(
        f"/api/v1/engineer/jobs/{pk}/job-sheet/",
        {
            "work_done": "更换搓纸轮",
            "result": "已修复",
            "parts": [{"name": "搓纸轮", "quantity": 1}],
            "photos": [sheet_photo.json()["id"]],
        },
        format="json",
    )
    assert sheet.status_code == 200, sheet.json()
    assert sheet.json()["status"] == "awaiting_confirmation"

    manager = signed_in(tenant, cast.manager, api=True)
    confirmed = manager.post(f"/api/v1/portal/orders/{pk}/confirm/", {}, format="json")
    assert confirmed.json()["status"] == "completed"

    detail = reporter.get(f"/api/v1/portal/orders/{pk}/").json()
    assert detail["rating_options"]["tags"]
    rated = reporter.post(
        f"/api/v1/portal/orders/{pk}/rate/",
        {"stars": 5, "tags": ["技术好"], "comment": "很快"},
        format="json",
    )
    assert rated.status_code == 200
    assert rated.json()["rating"]["stars"] == 5
    transitions = [e["transition"] for e in rated.json()["timeline"]]
    assert transitions == [
        "submit",
        "accept",
        "dispatch",
        "start",
        "submit_job_sheet",
        "confirm_completion",
        "rate",
    ]
    again = reporter.post(f"/api/v1/portal/orders/{pk}/rate/", {"stars": 4}, format="json")
    assert again.status_code == 409
    with schema_context(tenant.schema_name):
        assert RepairOrder.objects.get(pk=pk).status == OrderStatus.COMPLETED
        assert OrderPhoto.objects.filter(order_id=pk).count() == 2
