"""The MangoIT flow (seed 000) end to end through the web screens: the customer reports by serial
number → the office accepts and dispatches → the engineer starts and submits the job sheet → the
company manager confirms → the reporter rates."""

from __future__ import annotations

import re
from typing import Any

from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.models import OrderStatus, Rating, RepairOrder
from repair_forms.tests.helpers import Cast


def test_the_mangoit_flow_runs_through_the_web_screens(cast: Cast, actors: Any) -> None:
    tenant = actors.tenant_a
    reporter = signed_in(tenant, cast.reporter)

    found = reporter.get("/report/", {"q": "sn-00000168"})
    assert found.status_code == 200
    assert "NO000028" in text_of(found)
    assert cast.asset.token not in text_of(found)  # found by serial, never by handing out the token

    sent = reporter.post(
        "/report/",
        {
            "f_fault_description": "打印机卡纸，无法打印",
            "f_service_type": "repair",
            "f_machine__brand": str(cast.catalog[0].pk),
            "f_machine__category": str(cast.catalog[1].pk),
            "f_machine__model": str(cast.catalog[2].pk),
            "f_serial": "SN-00000168",
            "action": "submit",
        },
    )
    assert sent.status_code == 302, text_of(sent)
    detail = reporter.get(sent["Location"])
    number = re.search(r"BX-\d{8}-\d{5}", text_of(detail))
    assert number is not None
    with schema_context(tenant.schema_name):
        order = RepairOrder.objects.get(number=number.group(0))
        assert order.asset_id == cast.asset.pk and order.status == OrderStatus.SUBMITTED

    office = signed_in(tenant, cast.dispatcher)
    listing = office.get("/console/orders/")
    assert order.number in text_of(listing)
    assert office.post(f"/console/orders/{order.pk}/accept/").status_code == 302
    assert (
        office.post(f"/console/orders/{order.pk}/dispatch/", {"engineer": cast.engineer.pk}).status_code
        == 302
    )

    engineer = signed_in(tenant, cast.engineer)
    job = engineer.get(f"/console/jobs/{order.pk}/")
    assert job.status_code == 200 and "A栋" in text_of(job)
    assert engineer.post(f"/console/jobs/{order.pk}/start/").status_code == 302
    sheet = engineer.post(
        f"/console/jobs/{order.pk}/job-sheet/",
        {"work_done": "更换搓纸轮", "result": "已修复", "parts": "搓纸轮, 1"},
    )
    assert sheet.status_code == 302, text_of(sheet)

    manager = signed_in(tenant, cast.manager)
    waiting = manager.get("/manager/orders/", {"awaiting": "1"})
    assert order.number in text_of(waiting)
    assert manager.post(f"/orders/{order.pk}/confirm/").status_code == 302

    rated = reporter.post(f"/orders/{order.pk}/rate/", {"stars": "5", "tags": ["技术好"], "comment": "很快"})
    assert rated.status_code == 302, text_of(rated)
    with schema_context(tenant.schema_name):
        order.refresh_from_db()
        assert order.status == OrderStatus.COMPLETED
        assert Rating.objects.get(order=order).tags == ["技术好"]
    final = text_of(reporter.get(f"/orders/{order.pk}/"))
    for step in ("搓纸轮", "已修复", "★★★★★"):
        assert step in final
