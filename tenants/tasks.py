"""Background jobs of the tenants app. Safe to run twice; each owns its retry policy."""

from __future__ import annotations

from celery import shared_task

from tenants import services


@shared_task(name="tenants.refill_spare_schemas", ignore_result=True)
def refill_spare_schemas() -> int:
    return services.spare_pool_refill()
