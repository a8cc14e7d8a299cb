"""Periodic jobs: 超 flags and auto-confirmation, run for the active tenant."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.selectors import provider_settings
from repair_forms import jobs, services
from repair_forms.models import OrderEvent, OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive

S = OrderStatus


def test_overdue_job_flags_late_pending_and_late_repairs_but_not_suspended_ones(cast: Cast) -> None:
    now = timezone.now()
    fresh = services.order_submit(
        actor=cast.actor("reporter"), data=cast.form_data(), now=now - timedelta(hours=1)
    )
    late_pending = services.order_submit(
        actor=cast.actor("reporter"), data=cast.form_data(), now=now - timedelta(hours=3)
    )
    late_repair = drive(cast, S.IN_PROGRESS, start=now - timedelta(hours=60))
    # Suspended for most of its life: its repair clock has run only a few hours.
    paused = drive(cast, S.SUSPENDED, start=now - timedelta(hours=60))

    assert jobs.flag_overdue_orders(now=now) == 2
    flagged = set(RepairOrder.objects.filter(is_overdue=True).values_list("pk", flat=True))
    assert flagged == {late_pending.pk, late_repair.pk}
    assert fresh.pk not in flagged and paused.pk not in flagged
    event = OrderEvent.objects.get(order=late_pending, transition="flag_overdue")
    assert event.payload == {"clock": "waiting"} and event.notify_roles == ["supervisor", "back_office"]
    assert event.visibility == "internal"

    assert jobs.flag_overdue_orders(now=now) == 0  # running twice changes nothing
    assert OrderEvent.objects.filter(transition="flag_overdue").count() == 2


def test_a_resumed_order_owes_only_its_unsuspended_time(cast: Cast) -> None:
    now = timezone.now()
    order = drive(cast, S.SUSPENDED, start=now - timedelta(hours=60))
    services.order_resume(actor=cast.actor("engineer"), order=order, now=now - timedelta(hours=1))
    assert jobs.flag_overdue_orders(now=now) == 0
    assert jobs.flag_overdue_orders(now=now + timedelta(hours=48)) == 1


def test_auto_confirm_confirms_as_the_system_after_the_providers_days(cast: Cast) -> None:
    now = timezone.now()
    waiting = drive(cast, S.AWAITING_CONFIRMATION, start=now - timedelta(days=9))
    recent = drive(cast, S.AWAITING_CONFIRMATION, start=now - timedelta(days=1))

    assert jobs.auto_confirm_orders(now=now) == 1
    waiting.refresh_from_db()
    recent.refresh_from_db()
    assert waiting.status == S.COMPLETED and recent.status == S.AWAITING_CONFIRMATION
    event = OrderEvent.objects.filter(order=waiting).latest("id")
    assert event.transition == "confirm_completion" and event.actor_kind == "system"
    assert event.payload == {"auto": True} and event.notify_roles == ["engineer"]
    assert jobs.auto_confirm_orders(now=now) == 0


def test_auto_confirm_is_off_when_the_provider_sets_zero_days(cast: Cast) -> None:
    settings = provider_settings()
    settings.auto_confirm_days = 0
    settings.save()
    drive(cast, S.AWAITING_CONFIRMATION, start=timezone.now() - timedelta(days=30))
    assert jobs.auto_confirm_orders() == 0
