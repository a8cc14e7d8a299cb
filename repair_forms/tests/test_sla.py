"""SLA clocks: waiting (submit → accept) and repair (accept → complete) minus suspended time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation

from accounts.selectors import provider_settings
from repair_forms import services, sla
from repair_forms.models import OrderStatus
from repair_forms.tests.helpers import Cast

S = OrderStatus
T0 = datetime(2026, 5, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_durations_exclude_every_suspension(cast: Cast) -> None:
    reporter, office, engineer, boss = (
        cast.actor(w) for w in ("reporter", "dispatcher", "engineer", "supervisor")
    )
    order = services.order_submit(actor=reporter, data=cast.form_data(), now=at(0))
    assert sla.waiting_duration(order, now=at(1.5)) == timedelta(hours=1.5)
    assert sla.repair_duration(order, now=at(1.5)) is None

    services.order_accept(actor=office, order=order, now=at(2))
    services.order_dispatch(actor=office, order=order, engineer=cast.engineer, now=at(2.5))
    services.order_start(actor=engineer, order=order, now=at(3))
    # First suspension: approved at 4h, resumed at 10h → 6 h excluded.
    services.order_request_suspension(actor=engineer, order=order, reason="缺件", now=at(3.5))
    services.order_approve_suspension(actor=boss, order=order, now=at(4))
    order.refresh_from_db()
    # While suspended the repair clock stands still.
    assert (
        sla.repair_duration(order, now=at(5)) == sla.repair_duration(order, now=at(9)) == timedelta(hours=2)
    )
    services.order_resume(actor=engineer, order=order, now=at(10))
    # Second suspension: 11h → 12.5h → 1.5 h excluded.
    services.order_request_suspension(actor=engineer, order=order, reason="等客户", now=at(10.5))
    services.order_approve_suspension(actor=boss, order=order, now=at(11))
    services.order_resume(actor=boss, order=order, now=at(12.5))
    services.order_submit_job_sheet(
        actor=engineer, order=order, work_done="修好", result="已修复", now=at(14)
    )
    services.order_confirm_completion(actor=reporter, order=order, now=at(20))
    order.refresh_from_db()

    assert order.suspended_seconds == int(7.5 * 3600)
    assert sla.waiting_duration(order, now=at(100)) == timedelta(hours=2)
    # accept 2h → complete 20h = 18 h, minus 7.5 h suspended.
    assert sla.repair_duration(order, now=at(100)) == timedelta(hours=10.5)
    with translation.override("en"):
        assert sla.format_duration(sla.repair_duration(order, now=at(100))) == "10 hours, 30 minutes"


def test_a_cancelled_order_stops_its_waiting_clock(cast: Cast) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=at(0))
    services.order_cancel(actor=cast.actor("reporter"), order=order, reason="误报", now=at(0.75))
    order.refresh_from_db()
    assert sla.waiting_duration(order, now=at(50)) == timedelta(minutes=45)


def test_overdue_clock_follows_the_providers_hours(cast: Cast) -> None:
    settings = provider_settings()  # defaults: 2 h to accept, 48 h to repair
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=at(0))
    assert sla.overdue_clock(order, settings, now=at(1.9)) is None
    assert sla.overdue_clock(order, settings, now=at(2.1)) == "waiting"

    services.order_accept(actor=cast.actor("dispatcher"), order=order, now=at(1))
    order.refresh_from_db()
    assert sla.overdue_clock(order, settings, now=at(48.9)) is None
    assert sla.overdue_clock(order, settings, now=at(49.1)) == "repair"


def test_format_duration_reads_days_hours_minutes_in_the_pages_language() -> None:
    with translation.override("en"):
        assert sla.format_duration(timedelta(days=2, hours=3, minutes=5, seconds=59)) == (
            "2 days, 3 hours, 5 minutes"
        )
        assert sla.format_duration(timedelta(minutes=7)) == "7 minutes"
        assert sla.format_duration(timedelta(seconds=20)) == "0 minutes"
    with translation.override("zh-hans"):
        text = sla.format_duration(timedelta(hours=6, minutes=11))
        assert "6" in text and "小时" in text and "11" in text and "分钟" in text
        assert "h" not in text and "m" not in text
    assert sla.format_duration(None) == ""
