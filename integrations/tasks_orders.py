"""Celery wrappers for the order domain's periodic and background jobs. Thin: the work is in
``repair_forms.jobs`` / ``repair_forms.imports`` (plain functions); this file only loops over tenants
(``tenants.services.for_each_tenant``) or relies on tenant-schemas-celery to run a task in the schema
it was sent from. Registered through ``CELERY_IMPORTS``; scheduled in ``CELERY_BEAT_SCHEDULE``.
All are safe to run twice.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.db import transaction

from repair_forms import imports, jobs
from repair_forms.models import ImportJob
from tenants.broker import publish
from tenants.services import for_each_tenant


def _total(results: dict[str, Any]) -> int:
    return sum(value for value in results.values() if isinstance(value, int))


@shared_task(name="repair_forms.flag_overdue_orders", ignore_result=True)
def flag_overdue_orders() -> int:
    """超: flag orders past their provider's SLA, in every active tenant."""
    return _total(for_each_tenant(lambda provider: jobs.flag_overdue_orders()))


@shared_task(name="repair_forms.auto_confirm_orders", ignore_result=True)
def auto_confirm_orders() -> int:
    """Confirm orders left awaiting confirmation past the provider's auto-confirm days."""
    return _total(for_each_tenant(lambda provider: jobs.auto_confirm_orders()))


@shared_task(name="repair_forms.run_asset_import", ignore_result=True, acks_late=True)
def run_asset_import(job_id: int) -> str:
    """Run one asset import (sent from the tenant's schema; tenant-schemas-celery restores it)."""
    return imports.import_job_run(job_id=job_id)


def enqueue_asset_import(job: ImportJob) -> None:
    """Start ``job`` in the background once the transaction that created it has committed."""
    job_id = job.pk
    # Robust and never waiting on the broker: the job row is committed either way.
    transaction.on_commit(lambda: publish(run_asset_import, args=(job_id,)), robust=True)
