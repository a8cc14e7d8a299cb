"""Platform tasks run by beat: the heartbeat, the metrics snapshot, and the fan-out of periodic
tenant jobs.

Fan-out: a periodic job that works inside every tenant's schema (notification sweep, overdue
flags, auto-confirm, asset-system push/pull) is scheduled as ``saas_platform.fan_out`` with the
job's task name. ``fan_out`` lists the tenant schemas (one query) and enqueues one
``saas_platform.tenant_job`` per tenant; each runs the job inside ``tenant_scope(schema)``, where
``tenants.services.for_each_tenant`` visits that tenant only and lets its failure propagate, so the
task retries with exponential backoff and jitter. Thousands of tenants become thousands of small
tasks spread over the workers instead of one loop that outlives its interval.

Without Redis (eager tasks, the in-process scheduler) the same code runs every tenant in turn.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import current_app, shared_task

from saas_platform.health import beat_heartbeat_record
from saas_platform.observability.snapshot import snapshot_refresh
from tenants.services import tenant_schema_names, tenant_scope

logger = logging.getLogger(__name__)


@shared_task(name="saas_platform.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> float:
    """Beat's pulse: scheduled every minute, run by a worker; ``/readyz`` and ``beat_alive`` read it."""
    return beat_heartbeat_record()


@shared_task(name="saas_platform.collect_snapshot", ignore_result=True)
def collect_snapshot() -> None:
    """Refresh the platform snapshot behind the metrics gauges and the operator health page."""
    snapshot_refresh()


@shared_task(name="saas_platform.fan_out", ignore_result=True)
def fan_out(task: str, only_active: bool = True, kwargs: dict[str, Any] | None = None) -> int:
    """Enqueue ``task`` once per tenant schema; returns how many were enqueued."""
    schemas = tenant_schema_names(only_active=only_active)
    for schema in schemas:
        tenant_job.apply_async(kwargs={"task": task, "schema": schema, "kwargs": kwargs or {}})
    return len(schemas)


@shared_task(
    name="saas_platform.tenant_job",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=4,
)
def tenant_job(task: str, schema: str, kwargs: dict[str, Any] | None = None) -> Any:
    """Run the periodic ``task`` for one tenant (see the module docstring)."""
    with tenant_scope(schema):
        return current_app.tasks[task].run(**(kwargs or {}))
