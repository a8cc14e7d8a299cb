"""Background jobs of the portals. Safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from portals.api.idempotency import idempotency_records_purge
from repair_forms.draft_photos import draft_photos_purge
from tenants.models import Provider
from tenants.services import for_each_tenant


@shared_task(name="portals.purge_idempotency_records", ignore_result=True)
def purge_idempotency_records() -> int:
    """Every tenant: forget Idempotency-Key answers older than 24 h (beat, hourly)."""

    def purge(provider: Provider) -> int:
        return idempotency_records_purge()

    return sum(r for r in for_each_tenant(purge, only_active=False).values() if isinstance(r, int))


@shared_task(name="portals.purge_draft_photos", ignore_result=True)
def purge_draft_photos() -> int:
    """Every tenant: delete the photos of unsent portal reports once no session can name them
    (older than ``SESSION_COOKIE_AGE``; beat, hourly)."""
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)

    def purge(provider: Provider) -> int:
        return draft_photos_purge(older_than=age)

    return sum(r for r in for_each_tenant(purge, only_active=False).values() if isinstance(r, int))
