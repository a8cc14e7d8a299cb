"""Fan-out of one event to its recipients and their channels, shared by order events
(``services.notifications_fan_out``) and visitor events (``visitor_events.visit_notifications_fan_out``).

The caller says where the rows come from (``source``: ``{"event": …}`` or ``{"visit_event": …}``),
who hears (``recipients``) and what each one is told in their language (``message``); this module
picks the language, the channels and addresses, writes every row at once with ``ON CONFLICT DO
NOTHING`` (so running it again creates nothing twice: the (event, recipient, channel) constraints)
and marks the event fanned out in the same transaction. In-app rows are sent on creation; the others
wait, pending, for the delivery tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from integrations.models import Channel, Notification, NotificationPreference, NotificationStatus
from integrations.notifications.recipients import Recipient, channels_for, staff_openids

DEFAULT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Message:
    """What one recipient is told, on every channel; ``payload(channel)`` is the channel's extra data."""

    kind: str
    title: str
    body: str
    link: str
    payload: Callable[[str], dict[str, Any]]


def recipient_languages(recipients: list[Recipient]) -> dict[tuple[str, int], str]:
    """Each person's chosen notice language (``NotificationPreference``), by ``Recipient.key``."""
    customer_ids = [r.customer.pk for r in recipients if r.customer is not None]
    staff_ids = [r.staff.pk for r in recipients if r.staff is not None]
    found: dict[tuple[str, int], str] = {}
    for pref in NotificationPreference.objects.filter(
        Q(customer_id__in=customer_ids) | Q(staff_id__in=staff_ids)
    ):
        if pref.customer_id:
            found[("customer", pref.customer_id)] = pref.language
        elif pref.staff_id:
            found[("staff", pref.staff_id)] = pref.language
    return found


def pending_ids(**source_id: int) -> list[int]:
    """The event's notifications still to deliver (``event_id=…`` or ``visit_event_id=…``)."""
    return list(
        Notification.objects.filter(**source_id, status=NotificationStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def store_notifications(
    *,
    source: dict[str, Any],
    recipients: list[Recipient],
    message: Callable[[Recipient, str], Message],
    mark_fanned_out: Callable[[], object],
) -> None:
    """One ``Notification`` per recipient and channel, written with ``mark_fanned_out()`` in one
    transaction; ``message(recipient, language)`` gives each recipient's words."""
    openids = staff_openids([r.staff.pk for r in recipients if r.staff is not None])
    languages = recipient_languages(recipients)
    now = timezone.now()
    rows: list[Notification] = []
    for recipient in recipients:
        language = languages.get(recipient.key, DEFAULT_LANGUAGE)
        said = message(recipient, language)
        for channel, address in channels_for(recipient, staff_openids=openids):
            inapp = channel == Channel.INAPP
            rows.append(
                Notification(
                    **source,
                    customer=recipient.customer,
                    staff=recipient.staff,
                    audience=recipient.audience,
                    channel=channel,
                    kind=said.kind,
                    language=language,
                    address=address[:254],
                    title=said.title,
                    body=said.body,
                    link=said.link[:500],
                    payload=said.payload(channel),
                    status=NotificationStatus.SENT if inapp else NotificationStatus.PENDING,
                    sent_at=now if inapp else None,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        mark_fanned_out()


def not_fanned_out(
    events: models.QuerySet[Any], *, no_one: dict[str, Any], now: datetime, grace_seconds: int, limit: int
) -> list[int]:
    """Events (within the sweep horizon, older than ``grace_seconds``) that notify someone (they do
    not match ``no_one``) but were never fanned out: the sweeper's work."""
    horizon = now - timedelta(hours=int(getattr(settings, "NOTIFY_SWEEP_HORIZON_HOURS", 48)))
    return list(
        events.filter(
            created_at__gte=horizon,
            created_at__lte=now - timedelta(seconds=grace_seconds),
            notification_dispatch__isnull=True,
        )
        .exclude(**no_one)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
