"""受理并派单 in one step with the engineer picker (open jobs, distance), and bulk steps from the
order list (one request per order for the progress bar, or the whole batch without script)."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.models import OrderEvent, OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive

S = OrderStatus


def _drive(actors: Any, cast: Cast, state: str, **kwargs: Any) -> RepairOrder:
    with schema_context(actors.tenant_a.schema_name):
        return drive(cast, state, **kwargs)


def _reload(actors: Any, order: RepairOrder) -> RepairOrder:
    with schema_context(actors.tenant_a.schema_name):
        order.refresh_from_db()
    return order


def test_the_picker_shows_each_engineers_open_jobs_and_distance(actors: Any, cast: Cast) -> None:
    busy = _drive(actors, cast, S.DISPATCHED)  # engineer 小王 works in 天河
    order = _drive(actors, cast, S.SUBMITTED)
    with schema_context(actors.tenant_a.schema_name):
        RepairOrder.objects.filter(pk=busy.pk).update(extra={"location_coordinates": "23.13,113.32"})
        RepairOrder.objects.filter(pk=order.pk).update(extra={"location_coordinates": "23.14,113.33"})
    page = text_of(
        signed_in(actors.tenant_a, cast.dispatcher).get(
            f"/console/orders/{order.pk}/accept-dispatch/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    )
    assert "工程师小王 · 1 项在办 · 距离 1.5 公里" in page
    assert "工程师小孙 · 0 项在办<" in page  # no open job: no distance to show


def test_accepting_and_dispatching_in_one_step_records_both(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.SUBMITTED)
    client = signed_in(actors.tenant_a, cast.dispatcher)
    response = client.post(
        f"/console/orders/{order.pk}/accept-dispatch/", {"engineer": cast.engineer2.pk, "note": "带上硒鼓"}
    )
    assert response.status_code == 302
    order = _reload(actors, order)
    assert order.status == S.DISPATCHED and order.engineer_id == cast.engineer2.pk
    with schema_context(actors.tenant_a.schema_name):
        transitions = list(OrderEvent.objects.filter(order=order).values_list("transition", flat=True))
    assert transitions[-2:] == ["accept", "dispatch"]
    again = client.post(f"/console/orders/{order.pk}/accept-dispatch/", {"engineer": cast.engineer.pk})
    assert again.status_code == 409
    supervisor = signed_in(actors.tenant_a, cast.supervisor)
    assert supervisor.get(f"/console/orders/{order.pk}/accept-dispatch/").status_code == 403


def test_bulk_accept_reports_each_order_for_the_progress_bar(actors: Any, cast: Cast) -> None:
    first = _drive(actors, cast, S.SUBMITTED)
    second = _drive(actors, cast, S.ACCEPTED)
    client = signed_in(actors.tenant_a, cast.dispatcher)
    answer = client.post(
        "/console/orders/bulk/", {"step": "accept", "orders": [first.pk, second.pk]}, HTTP_X_BULK_PROGRESS="1"
    ).json()
    outcome = {r["number"]: r["ok"] for r in answer["results"]}
    assert outcome == {first.number: True, second.number: False}
    assert _reload(actors, first).status == S.ACCEPTED


def test_bulk_accept_and_dispatch_without_script_runs_the_whole_batch(actors: Any, cast: Cast) -> None:
    orders = [_drive(actors, cast, S.SUBMITTED) for _ in range(3)]
    client = signed_in(actors.tenant_a, cast.dispatcher)
    missing_engineer = client.post(
        "/console/orders/bulk/", {"step": "accept-dispatch", "orders": [orders[0].pk]}
    )
    assert missing_engineer.status_code == 400 and _reload(actors, orders[0]).status == S.SUBMITTED
    response = client.post(
        "/console/orders/bulk/",
        {
            "step": "accept-dispatch",
            "orders": [o.pk for o in orders],
            "engineer": cast.engineer.pk,
            "back": "?q=x",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = text_of(response)
    assert response.status_code == 200 and all(o.number in page for o in orders)
    assert 'href="/console/orders/?q=x"' in page
    assert {_reload(actors, o).status for o in orders} == {S.DISPATCHED}


def test_the_list_offers_bulk_steps_to_the_back_office_only(actors: Any, cast: Cast) -> None:
    _drive(actors, cast, S.SUBMITTED)
    dispatcher = text_of(signed_in(actors.tenant_a, cast.dispatcher).get("/console/orders/"))
    assert 'id="bulk-form"' in dispatcher and 'name="orders"' in dispatcher
    supervisor = text_of(signed_in(actors.tenant_a, cast.supervisor).get("/console/orders/"))
    assert 'id="bulk-form"' not in supervisor
    assert signed_in(actors.tenant_a, cast.supervisor).post("/console/orders/bulk/", {}).status_code == 403
