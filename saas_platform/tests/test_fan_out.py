"""Periodic tenant jobs run as one task per tenant, each retried on its own (with jitter)."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection

from saas_platform.scheduler import InProcessScheduler
from saas_platform.tasks import fan_out, tenant_job
from tenants.services import for_each_tenant

VISITS: list[str] = []
FAIL_ONCE: set[str] = set()


@shared_task(name="tests.visit_every_tenant")
def visit_every_tenant() -> int:
    def visit(provider: Any) -> int:
        VISITS.append(str(getattr(connection, "schema_name", "")))
        if provider.schema_name in FAIL_ONCE:
            FAIL_ONCE.discard(provider.schema_name)
            raise RuntimeError("tenant hiccup")
        return 1

    return sum(v for v in for_each_tenant(visit).values() if isinstance(v, int))


def test_a_periodic_job_fans_out_into_one_task_per_tenant(actors: Any) -> None:
    VISITS.clear()
    enqueued = fan_out.apply(kwargs={"task": "tests.visit_every_tenant"}).get()
    schemas = {actors.tenant_a.schema_name, actors.tenant_b.schema_name}
    assert enqueued >= 2
    assert schemas <= set(VISITS)
    assert len(VISITS) == len(set(VISITS))  # each tenant visited once, by its own task


def test_one_tenants_failure_is_retried_without_running_the_others_again(actors: Any) -> None:
    VISITS.clear()
    FAIL_ONCE.add(actors.tenant_a.schema_name)
    fan_out.apply(kwargs={"task": "tests.visit_every_tenant"})
    assert VISITS.count(actors.tenant_a.schema_name) == 2  # failed, retried, succeeded
    assert VISITS.count(actors.tenant_b.schema_name) == 1


def test_tenant_jobs_retry_with_exponential_backoff_and_jitter() -> None:
    task: Any = tenant_job
    assert task.retry_backoff and task.retry_jitter
    assert task.max_retries and task.autoretry_for == (Exception,)


def test_every_tenant_loop_in_the_schedule_is_fanned_out() -> None:
    looped = {
        "integrations.sweep_notifications",
        "repair_forms.flag_overdue_orders",
        "repair_forms.auto_confirm_orders",
        "asset_systems.push_due",
        "asset_systems.pull_all",
    }
    scheduled_directly = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    fanned = {
        entry["kwargs"]["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "saas_platform.fan_out"
    }
    assert looped <= fanned
    assert not looped & scheduled_directly


def test_without_redis_the_in_process_scheduler_still_runs_every_tenants_job(
    actors: Any, monkeypatch: Any
) -> None:
    # The scheduler recycles DB connections between jobs; the test's transaction must survive it.
    monkeypatch.setattr("saas_platform.scheduler.close_old_connections", lambda: None)
    VISITS.clear()
    scheduler = InProcessScheduler(
        {
            "visit": {
                "task": "saas_platform.fan_out",
                "schedule": 60,
                "kwargs": {"task": "tests.visit_every_tenant"},
            }
        }
    )
    assert scheduler.run_pending() == ["visit"]
    assert {actors.tenant_a.schema_name, actors.tenant_b.schema_name} <= set(VISITS)
