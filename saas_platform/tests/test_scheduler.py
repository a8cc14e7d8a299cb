from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task

from saas_platform.scheduler import InProcessScheduler

RUNS: list[str] = []


@shared_task(name="tests.record_run")
def record_run(label: str) -> None:
    RUNS.append(label)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_periodic_jobs_run_in_process_at_their_interval(db: Any) -> None:
    RUNS.clear()
    clock = FakeClock()
    scheduler = InProcessScheduler(
        {
            "every-minute": {
                "task": "tests.record_run",
                "schedule": timedelta(minutes=1),
                "args": ("minute",),
            },
            "every-hour": {"task": "tests.record_run", "schedule": 3600, "args": ("hour",)},
        },
        clock=clock,
    )
    assert scheduler.run_pending() == ["every-minute", "every-hour"]  # both run at start
    clock.now += 30
    assert scheduler.run_pending() == []
    clock.now += 31
    assert scheduler.run_pending() == ["every-minute"]
    assert RUNS == ["minute", "hour", "minute"]


def test_a_failing_job_does_not_stop_the_others(db: Any) -> None:
    RUNS.clear()
    scheduler = InProcessScheduler(
        {
            "broken": {"task": "tests.record_run", "schedule": 60, "args": ()},  # missing argument
            "fine": {"task": "tests.record_run", "schedule": 60, "args": ("fine",)},
        },
        clock=FakeClock(),
    )
    assert scheduler.run_pending() == ["broken", "fine"]
    assert RUNS == ["fine"]


def test_the_default_schedule_refills_spare_schemas(db: Any) -> None:
    scheduler = InProcessScheduler(clock=FakeClock())
    assert "refill-spare-schemas" in scheduler.run_pending()


def test_crontab_entries_wait_until_their_next_slot(db: Any) -> None:
    from celery.schedules import crontab

    RUNS.clear()
    clock = FakeClock()
    scheduler = InProcessScheduler(
        {"nightly": {"task": "tests.record_run", "schedule": crontab(minute=0, hour=3), "args": ("n",)}},
        clock=clock,
    )
    scheduler.run_pending()
    assert 0 < scheduler.next_run["nightly"] - clock.now <= 24 * 3600
    assert scheduler.run_pending() == []  # not again until its slot comes round
