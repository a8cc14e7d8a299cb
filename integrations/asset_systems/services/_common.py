"""Shared pieces of the asset-sync services: the adapter actor, sync-log entries, permission checks."""

from __future__ import annotations

import logging
import re

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from integrations.asset_systems.models import (
    AssetSystemBinding,
    SyncLogEntry,
)
from integrations.asset_systems.selectors import sync_allowed
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderStatus, RepairOrder

logger = logging.getLogger(__name__)

S = OrderStatus
MAPPABLE_STATUSES = [s for s in S.values if s != S.SUBMITTED]
IGNORE = "ignore"
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,59}$")
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
DISABLED_RECHECK_SECONDS = 3600


def adapter_actor(binding: AssetSystemBinding) -> Actor:
    return Actor.asset_adapter(str(binding)[:60])


def log_entry(
    *,
    binding: AssetSystemBinding | None,
    operation: str,
    result: str,
    error: str = "",
    summary: str = "",
    order: RepairOrder | None = None,
    latency_ms: int = 0,
    http_status: int | None = None,
) -> SyncLogEntry:
    return SyncLogEntry.objects.create(
        binding=binding,
        operation=operation,
        result=result,
        error=str(error)[:500],
        request_summary=summary[:300],
        order=order,
        latency_ms=max(0, latency_ms),
        http_status=http_status,
    )


def _require_admin(actor: StaffMember) -> None:
    if actor.role != StaffRole.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only an administrator can change the asset-system binding."))


def _require_plan() -> None:
    if not sync_allowed():
        raise PermissionDenied(
            _("Your plan does not include asset-system sync. Upgrade to the premium plan.")
        )
