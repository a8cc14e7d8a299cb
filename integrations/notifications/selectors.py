"""Reads for the message centre (a person's in-app messages) and the console's message log."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import Customer, StaffMember, StaffRole
from integrations.models import Channel, Notification, NotificationPreference

LOG_ROLES = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER})


def _inbox(*, customer: Customer | None = None, staff: StaffMember | None = None) -> QuerySet[Notification]:
    if customer is not None:
        rows = Notification.objects.filter(customer=customer, channel=Channel.INAPP)
    elif staff is not None:
        rows = Notification.objects.filter(staff=staff, channel=Channel.INAPP)
    else:
        return Notification.objects.none()
    return rows.order_by("-created_at", "-id")


def inbox(
    *, customer: Customer | None = None, staff: StaffMember | None = None, limit: int = 100
) -> list[Notification]:
    """The person's latest in-app messages, newest first (one query)."""
    return list(_inbox(customer=customer, staff=staff)[:limit])


def unread_count(*, customer: Customer | None = None, staff: StaffMember | None = None) -> int:
    return _inbox(customer=customer, staff=staff).filter(read_at__isnull=True).count()


def language_of(*, customer: Customer | None = None, staff: StaffMember | None = None) -> str:
    if customer is not None:
        rows = NotificationPreference.objects.filter(customer=customer)
    elif staff is not None:
        rows = NotificationPreference.objects.filter(staff=staff)
    else:
        return "zh-hans"
    return rows.values_list("language", flat=True).first() or "zh-hans"


@dataclass
class LogFilters:
    channel: str = ""
    status: str = ""
    query: str = ""  # order number, phone or name


def can_see_log(actor: StaffMember) -> bool:
    return actor.is_active and actor.role in LOG_ROLES


def notification_log(*, actor: StaffMember, filters: LogFilters | None = None) -> QuerySet[Notification]:
    """Every delivery attempt record, newest first, for the back office (admins, dispatchers)."""
    if not can_see_log(actor):
        raise PermissionDenied
    filters = filters or LogFilters()
    rows = Notification.objects.select_related("customer", "staff", "event__order").order_by(
        "-created_at", "-id"
    )
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.status:
        rows = rows.filter(status=filters.status)
    query = filters.query.strip()
    if query:
        rows = rows.filter(
            Q(event__order__number__iexact=query)
            | Q(customer__phone__contains=query)
            | Q(staff__phone__contains=query)
            | Q(customer__name__icontains=query)
            | Q(staff__display_name__icontains=query)
        )
    return rows


def notification_for_log(*, actor: StaffMember, pk: int) -> Notification | None:
    """One log entry (None for a missing id — the same answer as for one the actor may not see)."""
    if not can_see_log(actor):
        return None
    return notification_log(actor=actor).filter(pk=pk).first()
