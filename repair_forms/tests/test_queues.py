"""Work queues: each count the workbench shows equals the list it links to, per role, in one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.queue_selectors import (
    engineer_load,
    engineer_today,
    pending_suspensions,
    queue_counts,
)
from repair_forms.queues import QUEUES
from repair_forms.selectors import OrderFilters, order_list
from repair_forms.tests.helpers import Cast, drive, queries_at_most

S = OrderStatus


@pytest.fixture
def queued(cast: Cast) -> dict[str, RepairOrder]:
    """One order (at least) in every queue."""
    pending = drive(cast, S.SUBMITTED)
    urged = drive(cast, S.SUBMITTED)
    services.order_urge(actor=cast.actor("reporter"), order=urged)
    overdue = drive(cast, S.ACCEPTED)
    services.order_flag_overdue(order=overdue, clock="waiting")
    awaiting = drive(cast, S.AWAITING_CONFIRMATION)
    suspension = drive(cast, S.IN_PROGRESS, pending_suspension=True)
    today = services.order_submit(actor=cast.actor("loner"), data=cast.form_data())
    late = drive(cast, S.AWAITING_CONFIRMATION)
    services.order_flag_overdue(order=late, clock="repair")
    services.order_confirm_completion(actor=cast.actor("reporter"), order=late)
    return {
        "pending": pending,
        "urged": urged,
        "overdue": overdue,
        "awaiting": awaiting,
        "suspension": suspension,
        "today": today,
    }


def test_every_queue_count_equals_the_list_it_links_to(cast: Cast, queued: dict[str, RepairOrder]) -> None:
    actor = cast.actor("admin")
    counts = queue_counts(actor=actor, keys=QUEUES)
    assert counts == {
        "pending": 3,  # pending, urged, today
        "overdue": 1,  # a completed order that was late is no longer waiting for anyone
        "urged": 1,
        "awaiting_confirmation": 1,
        "unassigned": 1,
        "today": 1,
        "suspension_pending": 1,
    }
    for key, count in counts.items():
        listed = order_list(actor=actor, filters=OrderFilters(queue=key), limit=200).items
        assert len(listed) == count, key
    suspension = order_list(actor=actor, filters=OrderFilters(queue="suspension_pending")).items
    assert [o.pk for o in suspension] == [queued["suspension"].pk]


def test_an_engineer_counts_only_his_own_jobs(cast: Cast, queued: dict[str, RepairOrder]) -> None:
    mine = queue_counts(actor=cast.actor("engineer"), keys=["awaiting_confirmation", "pending"])
    assert mine == {"awaiting_confirmation": 1, "pending": 0}
    assert queue_counts(actor=cast.actor("engineer2"), keys=["awaiting_confirmation"]) == {
        "awaiting_confirmation": 0
    }


def test_all_counts_are_read_in_one_query(cast: Cast, queued: dict[str, RepairOrder]) -> None:
    with queries_at_most(1):
        queue_counts(actor=cast.actor("admin"), keys=QUEUES)


def test_the_supervisor_sees_pending_suspensions_with_reason_and_each_engineers_load(
    cast: Cast, queued: dict[str, RepairOrder]
) -> None:
    pending = pending_suspensions(actor=cast.actor("supervisor"))
    assert [s.order_id for s in pending] == [queued["suspension"].pk]
    assert pending[0].reason == "缺少配件"
    load = {e.pk: (getattr(e, "open_jobs"), getattr(e, "overdue_jobs")) for e in engineer_load()}  # noqa: B009
    assert load[cast.engineer.pk] == (1, 0)  # the suspended one is in progress; awaiting is handed back
    assert load[cast.engineer2.pk] == (0, 0)


def test_an_engineers_day_leaves_out_jobs_booked_for_later(cast: Cast) -> None:
    now_job = drive(cast, S.DISPATCHED)
    later = drive(cast, S.DISPATCHED)
    RepairOrder.objects.filter(pk=later.pk).update(appointment_at=timezone.now() + timedelta(days=3))
    assert [o.pk for o in engineer_today(actor=cast.actor("engineer"))] == [now_job.pk]
    assert engineer_today(actor=cast.actor("admin")) == []
