"""Background jobs of the portals. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from portals.api.idempotency import idempotency_records_purge
from tenants.models import Provider
from tenants.services import for_each_tenant


@shared_task(name="portals.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Every tenant: forget Idempotency-Key answers older than 24 h (beat, hourly)."""

    def purge(provider: Provider) -> int:
        return idempotency_records_purge()

    return sum(r for r in for_each_tenant(purge, only_active=False).values() if isinstance(r, int))
