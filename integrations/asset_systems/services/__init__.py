"""Writes for the asset-system sync: the binding (console), the lookup cache, order pushes, status
changes (webhook and pull) and retries.

What must stay true:
- only an admin changes a binding, and only while the plan includes asset sync;
- a secret typed into the binding form is sealed before it is saved and never returned;
- a push never runs inside the customer's request: the order is linked in its transaction and
  pushed after commit by a task (``tasks.push_order``), which retries with exponential backoff; a
  failure leaves the order untouched and the link ``pending`` (or ``failed`` once given up);
- an external status becomes our status only through ``repair_forms.services`` (one lifecycle
  transition per step, as ``Actor.asset_adapter``), so the events, SLA clocks and notifications
  are exactly those of the same steps taken in the console; a repeated change is a no-op;
- a webhook is accepted only with a valid HMAC-SHA256 signature of ``"<timestamp>.<body>"`` under
  the binding's secret, a timestamp within the tolerance and a delivery id never seen before.
"""

from __future__ import annotations

from integrations.asset_systems.services._common import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    DISABLED_RECHECK_SECONDS,
    HEADER_NAME_RE,
    IGNORE,
    MAPPABLE_STATUSES,
    S,
    adapter_actor,
    log_entry,
)
from integrations.asset_systems.services.binding import (
    BindingInput,
    ConnectionResult,
    binding_defaults,
    binding_errors,
    binding_rotate_webhook_secret,
    binding_save,
    binding_set_enabled,
    binding_test,
    new_webhook_secret,
    status_mapping_errors,
)
from integrations.asset_systems.services.lookup_cache import (
    asset_cache_external,
    external_asset_lookup,
)
from integrations.asset_systems.services.pull import (
    PRUNE_BATCH,
    SYNC_LOG_KEEP_DAYS,
    binding_pull,
    pull_current_tenant,
    sync_prune,
)
from integrations.asset_systems.services.push import (
    backoff_seconds,
    due_push_ids,
    link_retry,
    links_retry_failed,
    order_link_create,
    order_push,
    work_order_request_for,
)
from integrations.asset_systems.services.status import (
    ApplyOutcome,
    lifecycle_path,
    map_status,
    status_change_apply,
)
from integrations.asset_systems.services.webhook import (
    WebhookRefused,
    webhook_receive,
    webhook_signature,
)

__all__ = [
    "ApplyOutcome",
    "BACKOFF_BASE_SECONDS",
    "BACKOFF_CAP_SECONDS",
    "BindingInput",
    "ConnectionResult",
    "DISABLED_RECHECK_SECONDS",
    "HEADER_NAME_RE",
    "IGNORE",
    "MAPPABLE_STATUSES",
    "PRUNE_BATCH",
    "S",
    "SYNC_LOG_KEEP_DAYS",
    "WebhookRefused",
    "adapter_actor",
    "asset_cache_external",
    "backoff_seconds",
    "binding_defaults",
    "binding_errors",
    "binding_pull",
    "binding_rotate_webhook_secret",
    "binding_save",
    "binding_set_enabled",
    "binding_test",
    "due_push_ids",
    "external_asset_lookup",
    "lifecycle_path",
    "link_retry",
    "links_retry_failed",
    "log_entry",
    "map_status",
    "new_webhook_secret",
    "order_link_create",
    "order_push",
    "pull_current_tenant",
    "status_change_apply",
    "status_mapping_errors",
    "sync_prune",
    "webhook_receive",
    "webhook_signature",
    "work_order_request_for",
]
