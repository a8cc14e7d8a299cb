"""The periodic pull of external statuses, and pruning the sync log."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from integrations.asset_systems.adapters import adapter_for
from integrations.asset_systems.adapters.base import (
    AdapterError,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    ExternalOrderLink,
    PushStatus,
    SyncLogEntry,
    WebhookDelivery,
)
from integrations.asset_systems.selectors import active_binding
from integrations.asset_systems.services.status import status_change_apply
from repair_forms.models import TERMINAL_STATUSES

# --- Pull ----------------------------------------------------------------------------------------------


def binding_pull(*, binding: AssetSystemBinding) -> int:
    """Fetch status changes since the binding's cursor and apply them; returns how many orders moved.
    The cursor only moves forward after the changes were handled."""
    open_links = list(
        ExternalOrderLink.objects.filter(binding=binding, push_status=PushStatus.PUSHED)
        .exclude(external_id="")
        .exclude(order__status__in=list(TERMINAL_STATUSES))
        .order_by("id")
        .values_list("external_id", "external_asset_id")[:500]
    )
    if not open_links:
        AssetSystemBinding.objects.filter(pk=binding.pk).update(last_pulled_at=timezone.now())
        return 0
    adapter = adapter_for(binding)
    try:
        result = adapter.pull_changes(cursor=binding.pull_cursor, open_work_orders=open_links)
    except AdapterError:
        return 0  # logged by the client; the next run tries again from the same cursor
    applied = 0
    for change in result.changes:
        outcome = status_change_apply(binding=binding, change=change, via="pull")
        if outcome.changed:
            applied += 1
    AssetSystemBinding.objects.filter(pk=binding.pk).update(
        pull_cursor=result.cursor[:100], last_pulled_at=timezone.now()
    )
    return applied


SYNC_LOG_KEEP_DAYS = 90
PRUNE_BATCH = 5000


def sync_prune(*, now: datetime | None = None) -> None:
    """Forget delivery ids once their timestamps could no longer pass the window (a replay is
    refused by the timestamp then), and sync-log rows older than ``SYNC_LOG_KEEP_DAYS``."""
    now = now or timezone.now()
    window = timedelta(seconds=4 * int(settings.ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS))
    WebhookDelivery.objects.filter(received_at__lt=now - window).delete()
    old = SyncLogEntry.objects.filter(created_at__lt=now - timedelta(days=SYNC_LOG_KEEP_DAYS))
    SyncLogEntry.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()


def pull_current_tenant() -> int:
    """One provider's periodic pull (called inside its schema by ``tasks.pull_all``)."""
    sync_prune()
    binding = active_binding()
    if binding is None:
        return 0
    return binding_pull(binding=binding)
