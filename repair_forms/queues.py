"""Work queues: what waits for someone now (待接单, 超时, 催单, waiting for the customer's
confirmation, accepted but not dispatched, new today, 挂起待审批).

Each queue is one named filter (``queue_filter``). The workbench counts
(``repair_forms.queue_selectors``) and the order list's ``queue`` filter
(``selectors.apply_filters``) use the same definition, so a count always equals the length of the
list it links to. This module imports no selector, so the selectors can import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from repair_forms.models import ACTIVE_STATUSES, OrderStatus, SuspensionDecision, SuspensionRequest
from repair_forms.numbering import NUMBERING_TZ

S = OrderStatus


@dataclass(frozen=True)
class Queue:
    key: str
    label: Any


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in [
        Queue("pending", _("Waiting to be accepted")),
        Queue("overdue", _("Overdue")),
        Queue("urged", _("Urged")),
        Queue("awaiting_confirmation", _("Waiting for customer confirmation")),
        Queue("unassigned", _("Accepted, not yet dispatched")),
        Queue("today", _("New today")),
        Queue("suspension_pending", _("Suspension awaiting approval")),
    ]
}


def day_start(now: datetime | None = None) -> datetime:
    """Midnight (Asia/Shanghai, the numbering day) of ``now``'s day."""
    local = timezone.localtime(now or timezone.now(), NUMBERING_TZ).date()
    return datetime(local.year, local.month, local.day, tzinfo=NUMBERING_TZ)


def pending_suspension_exists() -> Exists:
    return Exists(SuspensionRequest.objects.filter(order=OuterRef("pk"), decision=SuspensionDecision.PENDING))


def queue_filter(key: str, *, now: datetime | None = None) -> Q:
    """The orders in queue ``key`` (a key of ``QUEUES``); ValueError for an unknown key."""
    active = Q(status__in=list(ACTIVE_STATUSES))
    if key == "pending":
        return Q(status=S.SUBMITTED)
    if key == "overdue":
        return Q(is_overdue=True) & active
    if key == "urged":
        return Q(is_urged=True) & active
    if key == "awaiting_confirmation":
        return Q(status=S.AWAITING_CONFIRMATION)
    if key == "unassigned":
        return Q(status=S.ACCEPTED)
    if key == "today":
        return Q(submitted_at__gte=day_start(now))
    if key == "suspension_pending":
        return Q(pending_suspension_exists(), status=S.IN_PROGRESS)
    raise ValueError(f"Unknown queue {key!r}")
