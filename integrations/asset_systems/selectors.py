"""Reads for the asset-system sync: the active binding (enabled *and* entitled), the sync log and
the push counters the console shows. Everything here runs inside one provider's schema."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Count, Q, QuerySet

from billing.entitlements import provider_may
from integrations.asset_systems.models import (
    AssetSystemBinding,
    ExternalOrderLink,
    PushStatus,
    SyncLogEntry,
    SyncResult,
)
from tenants.models import Provider

FEATURE = "asset_sync"


def current_provider() -> Provider | None:
    """The provider whose schema is active (requests, tasks and ``schema_context`` alike)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Provider):
        return tenant
    return Provider.objects.filter(schema_name=getattr(connection, "schema_name", "")).first()


def sync_allowed(provider: Provider | None = None) -> bool:
    """The provider's plan includes asset-system sync (premium) and the account is usable."""
    provider = provider or current_provider()
    return provider is not None and provider_may(provider, FEATURE)


def active_binding() -> AssetSystemBinding | None:
    """The enabled binding, if the plan allows syncing now (None otherwise). One cheap query when
    nothing is bound, so callers on the customer's path may ask freely."""
    binding = AssetSystemBinding.objects.filter(enabled=True).select_related("engineer").first()
    if binding is None or not sync_allowed():
        return None
    return binding


def binding_list() -> list[AssetSystemBinding]:
    return list(AssetSystemBinding.objects.select_related("engineer").order_by("-enabled", "id"))


@dataclass(frozen=True)
class SyncCounts:
    pending: int
    failed: int
    pushed: int
    errors_24h: int


def sync_counts(*, since: datetime) -> SyncCounts:
    links = ExternalOrderLink.objects.aggregate(
        pending=Count("id", filter=Q(push_status=PushStatus.PENDING)),
        failed=Count("id", filter=Q(push_status=PushStatus.FAILED)),
        pushed=Count("id", filter=Q(push_status=PushStatus.PUSHED)),
    )
    errors = SyncLogEntry.objects.filter(created_at__gte=since).exclude(result=SyncResult.OK).count()
    return SyncCounts(
        pending=links["pending"] or 0,
        failed=links["failed"] or 0,
        pushed=links["pushed"] or 0,
        errors_24h=errors,
    )


def sync_log(*, result: str = "", operation: str = "") -> QuerySet[SyncLogEntry]:
    entries = SyncLogEntry.objects.select_related("binding", "order")
    if result:
        entries = entries.filter(result=result)
    if operation:
        entries = entries.filter(operation=operation)
    return entries.order_by("-created_at", "-id")


def links_needing_attention() -> QuerySet[ExternalOrderLink]:
    """Pushes still pending or given up, oldest first (the console's retry list)."""
    return (
        ExternalOrderLink.objects.filter(push_status__in=[PushStatus.PENDING, PushStatus.FAILED])
        .select_related("order", "binding")
        .order_by("created_at", "id")
    )
