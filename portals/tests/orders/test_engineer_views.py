"""The engineer's jobs (mobile): the list groups, a job with address, contact and the Tencent Maps
route, start / request suspension with photos / resume / job sheet, and the limits (his jobs only,
engineers only)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive, jpeg


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def test_the_job_list_groups_jobs_to_do_awaiting_confirmation_and_done(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        todo = drive(cast, "dispatched")
        waiting = drive(cast, "awaiting_confirmation")
        done = drive(cast, "completed")
        unassigned = drive(cast, "accepted")
    client = signed_in(actors.tenant_a, cast.engineer)
    groups = {
        "active": text_of(client.get("/console/jobs/")),
        "awaiting": text_of(client.get("/console/jobs/", {"group": "awaiting"})),
        "done": text_of(client.get("/console/jobs/", {"group": "done"})),
    }
    assert todo.number in groups["active"] and waiting.number not in groups["active"]
    assert waiting.number in groups["awaiting"] and done.number in groups["done"]
    assert all(unassigned.number not in page for page in groups.values())
    assert "/console/jobs/" in text_of(client.get("/console/"))  # the menu offers "My jobs"


def test_a_job_shows_where_to_go_who_to_call_and_the_route(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
        RepairOrder.objects.filter(pk=order.pk).update(
            location_building="A栋", location_room="301", location_address="广州市黄埔区科学大道100号"
        )
    page = signed_in(actors.tenant_a, cast.engineer).get(f"/console/jobs/{order.pk}/")
    body = text_of(page)
    assert 'href="tel:+8613700000101"' in body
    route = page.context["route_link"]
    assert route.startswith("https://apis.map.qq.com/uri/v1/")
    query = parse_qs(urlsplit(route).query)
    assert "广州市黄埔区科学大道100号" in (query.get("keyword") or query.get("to") or [""])[0]


def test_start_suspend_resume_and_submit_the_job_sheet(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    engineer = signed_in(actors.tenant_a, cast.engineer)
    assert engineer.post(f"/console/jobs/{order.pk}/start/").status_code == 302
    form = engineer.get(f"/console/jobs/{order.pk}/suspend/")
    assert form.status_code == 200 and 'type="file"' in text_of(form)
    no_reason = engineer.post(f"/console/jobs/{order.pk}/suspend/", {"reason": ""})
    assert no_reason.status_code == 400
    asked = engineer.post(
        f"/console/jobs/{order.pk}/suspend/", {"reason": "等硒鼓到货", "photos": [jpeg(), jpeg(color="blue")]}
    )
    assert asked.status_code == 302
    assert "等硒鼓到货" in text_of(engineer.get(f"/console/jobs/{order.pk}/"))
    assert (
        signed_in(actors.tenant_a, cast.supervisor)
        .post(f"/console/orders/{order.pk}/approve-suspension/")
        .status_code
        == 302
    )
    assert engineer.post(f"/console/jobs/{order.pk}/resume/").status_code == 302
    bad_parts = engineer.post(
        f"/console/jobs/{order.pk}/job-sheet/",
        {"work_done": "换硒鼓", "result": "已修复", "parts": "硒鼓, 0"},
    )
    assert bad_parts.status_code == 400
    sheet = engineer.post(
        f"/console/jobs/{order.pk}/job-sheet/",
        {"work_done": "更换硒鼓", "result": "已修复", "parts": "硒鼓, 1\n搓纸轮", "photos": [jpeg()]},
    )
    assert sheet.status_code == 302
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.AWAITING_CONFIRMATION
        work_order = order.work_orders.get()
        assert work_order.parts == [{"name": "硒鼓", "quantity": 1}, {"name": "搓纸轮", "quantity": 1}]
        assert order.suspensions.get().photos.count() == 2 and order.suspended_seconds >= 0
    assert order.number in text_of(engineer.get("/console/jobs/", {"group": "awaiting"}))


def test_an_engineer_cannot_reach_another_engineers_job(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    other = signed_in(actors.tenant_a, cast.engineer2)
    assert other.get(f"/console/jobs/{order.pk}/").status_code == 404
    assert other.post(f"/console/jobs/{order.pk}/start/").status_code == 404
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.DISPATCHED


def test_a_step_at_the_wrong_moment_is_409(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    response = signed_in(actors.tenant_a, cast.engineer).post(
        f"/console/jobs/{order.pk}/job-sheet/", {"work_done": "x", "result": "y"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409 and "Allowed only when it is In repair" in text_of(response)


@pytest.mark.parametrize("who", ["admin", "dispatcher", "supervisor"])
def test_office_staff_get_403_on_the_engineer_pages(cast: Cast, actors: Any, who: str) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    client = signed_in(actors.tenant_a, getattr(cast, who))
    for path in ("/console/jobs/", f"/console/jobs/{order.pk}/", f"/console/jobs/{order.pk}/start/"):
        assert client.get(path).status_code == 403


def test_the_job_list_costs_the_same_queries_for_many_jobs(
    cast: Cast, actors: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.engineer)
    with _in_a(actors):
        drive(cast, "dispatched")
    client.get("/console/jobs/")
    with django_assert_max_num_queries(16):
        client.get("/console/jobs/")
    with _in_a(actors):
        for _ in range(12):
            drive(cast, "dispatched")
    with django_assert_max_num_queries(16):
        page = client.get("/console/jobs/")
    assert len(page.context["jobs"]) == 13
