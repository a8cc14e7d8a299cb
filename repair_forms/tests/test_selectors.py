"""Order reads: who sees what, the same "not found" for missing and forbidden, filters, keyset
pages, dashboard numbers — and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.services import customer_get_or_create
from repair_forms import services
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.selectors import (
    OrderFilters,
    asset_lookup,
    catalog_tree,
    dashboard_counts,
    engineer_jobs,
    order_actions,
    order_get,
    order_list,
    orders_per_day,
    tab_counts,
)
from repair_forms.tests.helpers import Cast, drive, queries_at_most

S = OrderStatus


@pytest.fixture
def orders(cast: Cast) -> dict[str, RepairOrder]:
    mine = drive(cast, S.DISPATCHED)  # reporter (company member), engineer
    managers_own = drive(cast, S.SUBMITTED, reporter=cast.manager)
    loners = drive(cast, S.IN_PROGRESS, reporter=cast.loner)  # no company, engineer
    other = drive(cast, S.ACCEPTED, reporter=cast.loner)
    services.order_dispatch(actor=cast.actor("admin"), order=other, engineer=cast.engineer2)
    return {"mine": mine, "managers_own": managers_own, "loners": loners, "other": other}


def _numbers(actor: Actor) -> set[str]:
    return {o.number for o in order_list(actor=actor).items}


def test_each_role_sees_exactly_its_orders(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    n = {k: v.number for k, v in orders.items()}
    assert _numbers(cast.actor("reporter")) == {n["mine"]}
    assert _numbers(cast.actor("manager")) == {n["mine"], n["managers_own"]}
    assert _numbers(cast.actor("loner")) == {n["loners"], n["other"]}
    assert _numbers(cast.actor("engineer")) == {n["mine"], n["loners"]}
    assert _numbers(cast.actor("engineer2")) == {n["other"]}
    for who in ("admin", "dispatcher", "supervisor"):
        assert _numbers(cast.actor(who)) == set(n.values())


def test_missing_and_forbidden_orders_look_the_same(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    with pytest.raises(RepairOrder.DoesNotExist) as forbidden:
        order_get(actor=cast.actor("reporter"), order_id=orders["loners"].pk)
    with pytest.raises(RepairOrder.DoesNotExist) as missing:
        order_get(actor=cast.actor("reporter"), order_id=10**9)
    assert type(forbidden.value) is type(missing.value) and str(forbidden.value) == str(missing.value)
    assert order_get(actor=cast.actor("manager"), number=orders["mine"].number.lower()) == orders["mine"]


def test_filters_narrow_the_console_list(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    admin = cast.actor("admin")
    brand, category, _model = cast.catalog

    def numbers(**filters: Any) -> set[str]:
        return {o.number for o in order_list(actor=admin, filters=OrderFilters(**filters)).items}

    assert numbers(status="submitted") == {orders["managers_own"].number}
    assert numbers(tab="accepted") == {orders["mine"].number, orders["loners"].number, orders["other"].number}
    assert numbers(engineer=cast.engineer2.pk) == {orders["other"].number}
    assert numbers(company=cast.company.pk) == {orders["mine"].number, orders["managers_own"].number}
    assert len(numbers(brand=brand.pk, category=category.pk, service_type="repair")) == 4
    assert numbers(overdue=True) == set()
    assert numbers(q=orders["loners"].number) == {orders["loners"].number}
    today = timezone.localdate()
    assert len(numbers(date_from=today - timedelta(days=3), date_to=today)) == 4
    assert numbers(date_from=today + timedelta(days=1)) == set()


def test_keyset_pages_cover_every_order_once(cast: Cast) -> None:
    start = timezone.now() - timedelta(days=1)
    for i in range(7):
        services.order_submit(
            actor=cast.actor("reporter"), data=cast.form_data(), now=start + timedelta(minutes=i)
        )
    # Two orders in the same instant: the id breaks the tie.
    for _ in range(2):
        services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=start)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = order_list(actor=cast.actor("admin"), cursor=cursor, limit=4)
        seen += [o.number for o in page.items]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert pages == 3 and len(seen) == 9 == len(set(seen))
    stamps = [o.submitted_at for o in RepairOrder.objects.order_by("-submitted_at", "-id")]
    assert stamps == sorted(stamps, reverse=True)


def test_list_costs_one_query_however_many_orders(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    for who in ("admin", "reporter", "manager", "engineer"):
        actor = cast.actor(who)
        with queries_at_most(1):
            page = order_list(actor=actor)
            for order in page.items:
                assert [
                    order.brand,
                    order.category,
                    order.model,
                    order.company,
                    order.reporter,
                    order.engineer,
                ]


def test_dashboard_counts_and_series(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    admin = cast.actor("admin")
    with queries_at_most(1):
        counts = dashboard_counts(actor=admin)
    assert counts["total"] == 4 and counts["submitted"] == 1 and counts["dispatched"] == 2
    assert counts["in_progress"] == 1 and counts["overdue"] == 0
    with queries_at_most(1):
        series = orders_per_day(actor=admin, days=7)
    assert len(series) == 7 and sum(day["count"] for day in series) == 4
    accepted_days = [d for d in series if d["avg_waiting_seconds"] is not None]
    assert accepted_days and all(d["avg_waiting_seconds"] == 3600 for d in accepted_days)
    assert tab_counts(actor=cast.actor("manager")) == {
        "pending": 1,
        "accepted": 1,
        "suspended": 0,
        "completed": 0,
        "cancelled": 0,
    }


def test_engineer_job_lists(cast: Cast, orders: dict[str, RepairOrder]) -> None:
    engineer = cast.actor("engineer")
    assert {o.pk for o in engineer_jobs(actor=engineer)} == {orders["mine"].pk, orders["loners"].pk}
    assert engineer_jobs(actor=engineer, group="awaiting") == []
    assert engineer_jobs(actor=cast.actor("dispatcher")) == []


def test_order_actions_are_the_buttons_the_actor_may_press_now(cast: Cast) -> None:
    fresh = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    assert order_actions(actor=cast.actor("reporter"), order=fresh) == ["edit", "cancel"]
    later = timezone.now() + timedelta(hours=3)
    assert order_actions(actor=cast.actor("reporter"), order=fresh, now=later) == ["edit", "cancel", "urge"]
    assert order_actions(actor=cast.actor("dispatcher"), order=fresh) == [
        "accept",
        "set_progress",
        "add_note",
    ]
    assert order_actions(actor=cast.actor("manager"), order=fresh) == []

    in_repair = drive(cast, S.IN_PROGRESS)
    assert "request_suspension" in order_actions(actor=cast.actor("engineer"), order=in_repair)
    assert "approve_suspension" not in order_actions(actor=cast.actor("supervisor"), order=in_repair)
    services.order_request_suspension(actor=cast.actor("engineer"), order=in_repair, reason="缺件")
    assert "request_suspension" not in order_actions(actor=cast.actor("engineer"), order=in_repair)
    assert {"approve_suspension", "reject_suspension"} <= set(
        order_actions(actor=cast.actor("supervisor"), order=in_repair)
    )

    done = drive(cast, S.COMPLETED)
    assert order_actions(actor=cast.actor("reporter"), order=done) == ["rate"]
    services.order_rate(actor=cast.actor("reporter"), order=done, stars=5)
    done.refresh_from_db()
    assert order_actions(actor=cast.actor("reporter"), order=done) == []


def test_asset_lookup_by_machine_number_or_any_serial(cast: Cast) -> None:
    assert asset_lookup("no000028") == cast.asset
    assert asset_lookup(" SN-00000168 ") == cast.asset
    assert asset_lookup("unknown") is None
    assert asset_lookup("") is None


def test_catalog_tree_feeds_the_cascade(cast: Cast) -> None:
    with queries_at_most(3):
        tree = catalog_tree()
    brand = next(b for b in tree if b["name"] == "联想")
    assert brand["categories"][0]["name"] == "打印机"
    assert brand["categories"][0]["models"][0]["name"] == "N900"


def test_a_customer_of_another_company_sees_nothing_of_this_one(
    cast: Cast, orders: dict[str, RepairOrder]
) -> None:
    outsider = customer_get_or_create(phone="13700000199", name="路人")
    assert order_list(actor=Actor.for_customer(outsider)).items == []
