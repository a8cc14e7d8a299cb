"""The outbox: order events → notifications → delivery, and the message centre's writes.

What must stay true:
- ``notifications_fan_out`` may run any number of times for an event: rows are inserted with
  ``ON CONFLICT DO NOTHING`` against the (event, recipient, channel) constraints, so each message
  exists once; the event is then marked fanned out (``EventDispatch``);
- ``notification_deliver`` sends only after claiming the row (pending → sending, under a row lock,
  with a lease); a retry and the sweeper racing for the same row send it once. A sender that dies
  mid-send leaves the row ``sending`` until the lease runs out, then the sweeper retries it;
- retryable failures back off exponentially (``NOTIFY_RETRY_BASE_SECONDS`` · 2^(attempt-1), capped
  by ``NOTIFY_RETRY_MAX_SECONDS``; quota errors wait at least ``NOTIFY_QUOTA_BACKOFF_SECONDS``) and
  give up after ``NOTIFY_MAX_ATTEMPTS``; permanent refusals fail at once.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer, StaffMember, StaffRole
from integrations import maps
from integrations.models import (
    Channel,
    EventDispatch,
    Notification,
    NotificationStatus,
)
from integrations.notifications import channels, content, fan_out, links
from integrations.notifications.recipients import Recipient, recipients_for
from integrations.wechat.accounts import current_provider, current_schema
from repair_forms.models import OrderEvent, RepairOrder

logger = logging.getLogger(__name__)
T = TypeVar("T")
S_PENDING = str(NotificationStatus.PENDING)
S_SENDING = str(NotificationStatus.SENDING)

# WeChat refusals after which a customer is better reached by SMS.
WECHAT_UNREACHABLE = ("43004", "43101", "50005", "40003")


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- Fan-out -------------------------------------------------------------------------------------


def _location(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


def _context(event: OrderEvent, provider_name: str) -> content.Context:
    order = event.order
    payload = dict(event.payload or {})
    engineer = str(payload.get("engineer_name") or "")
    if not engineer and order.engineer is not None:
        engineer = order.engineer.display_name or order.engineer.phone
    work_order = str(payload.get("work_order") or "")
    if not work_order and order.engineer_id:
        latest = order.work_orders.order_by("-dispatched_at", "-id").values_list("number", flat=True).first()
        work_order = latest or ""
    address = str(payload.get("address") or "") or _location(order)
    reporter = order.contact_name or order.reporter.name or order.reporter.phone
    route = ""
    if event.transition == "dispatch":
        route = maps.route_link(address=address, coordinates=maps.order_coordinates(order))
    return content.Context(
        provider=provider_name,
        number=order.number,
        status=order.status if not event.to_status else event.to_status,
        fault=order.fault_description,
        reporter=reporter,
        company=order.company.name if order.company else "",
        contact_phone=order.contact_phone or order.reporter.phone,
        address=address,
        engineer=engineer,
        work_order=work_order,
        note=event.note,
        payload=payload,
        at=event.created_at,
        route_link=route,
        note_visible_to_customer=event.note_visible_to_customer,
    )


def _channel_payload(channel: str, rendered: content.Rendered, ctx: content.Context) -> dict[str, Any]:
    if channel == Channel.WECHAT:
        return {"slot": rendered.slot, "wechat": rendered.wechat_data}
    if channel == Channel.SMS:
        return {
            # slot + data: a mini-program subscribe message may go first (miniprogram.subscribe)
            "slot": rendered.slot,
            "wechat": rendered.wechat_data,
            "sms": {
                "provider": ctx.provider[:20],
                "summary": rendered.sms_summary,
                "number": ctx.number,
                "link": rendered.link,
            },
        }
    return {}


def _message(recipient: Recipient, language: str, *, ctx: content.Context, link: str) -> fan_out.Message:
    rendered = content.render(recipient.kind, ctx, language=language, link=link)
    return fan_out.Message(
        kind=recipient.kind,
        title=rendered.title,
        body=rendered.body,
        link=rendered.link,
        payload=lambda channel: _channel_payload(channel, rendered, ctx),
    )


def notifications_fan_out(*, event_id: int) -> list[int]:
    """Create the event's notifications (idempotent); returns the ids still to deliver."""
    event = (
        OrderEvent.objects.select_related("order__reporter__user", "order__company", "order__engineer")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    if EventDispatch.objects.filter(event_id=event_id).exists():
        return fan_out.pending_ids(event_id=event_id)
    provider = current_provider()
    host = provider.primary_host
    ctx = _context(event, provider.name)
    fan_out.store_notifications(
        source={"event": event},
        recipients=recipients_for(event),
        message=lambda recipient, language: _message(
            recipient,
            language,
            ctx=ctx,
            link=links.order_link(host=host, audience=recipient.audience, order=event.order),
        ),
        mark_fanned_out=lambda: EventDispatch.objects.get_or_create(event=event),
    )
    return fan_out.pending_ids(event_id=event_id)


# --- Delivery ------------------------------------------------------------------------------------


@dataclass
class Outcome:
    notification_id: int = 0
    status: str = ""  # the row's status afterwards ('' = not ours to send)
    retry_in: int | None = None
    follow_up: list[int] = field(default_factory=list)  # more notifications to deliver (SMS fallback)


def backoff_seconds(attempts: int, *, quota: bool = False) -> int:
    base = _setting("NOTIFY_RETRY_BASE_SECONDS", 30)
    delay = min(base * 2 ** max(0, attempts - 1), _setting("NOTIFY_RETRY_MAX_SECONDS", 3600))
    if quota:
        delay = max(delay, _setting("NOTIFY_QUOTA_BACKOFF_SECONDS", 3600))
    return int(delay)


_CLAIM_SQL = (
    "UPDATE {table} SET status = %s, attempts = attempts + 1, lease_until = %s "
    "WHERE id = ANY(%s) AND (status = %s OR (status = %s AND lease_until < %s)) RETURNING *"
)


def _claim_many(notification_ids: list[int], now: datetime) -> list[Notification]:
    """pending (or sending past its lease) → sending, in one statement: of two workers racing for
    a row, PostgreSQL lets exactly one UPDATE match it. Returns the rows this caller now owns."""
    if not notification_ids:
        return []
    lease = now + timedelta(seconds=_setting("NOTIFY_LEASE_SECONDS", 120))
    sql = _CLAIM_SQL.format(table=Notification._meta.db_table)
    params = [S_SENDING, lease, list(notification_ids), S_PENDING, S_SENDING, now]
    claimed = list(Notification.objects.raw(sql, params))  # one statement: atomic by itself
    return sorted(claimed, key=lambda n: n.pk)


def _source_number(notification: Notification) -> str:
    """The order number, or a visitor event's reference (kept in its own SMS payload)."""
    if notification.event is not None:
        return notification.event.order.number
    payload = notification.payload or {}
    return str(
        (payload.get("sms") or {}).get("number") or (payload.get("wechat") or {}).get("character_string1", "")
    )


def _sms_fallback(notification: Notification) -> int | None:
    """A customer WeChat cannot reach (unfollowed, refused) gets the notice by SMS instead."""
    customer = notification.customer
    if customer is None or not customer.phone:
        return None
    sms = Notification(
        event_id=notification.event_id,
        visit_event_id=notification.visit_event_id,
        customer=customer,
        audience=notification.audience,
        channel=Channel.SMS,
        kind=notification.kind,
        language=notification.language,
        address=customer.phone,
        title=notification.title,
        body=notification.body,
        link=notification.link,
        payload={
            "sms": {
                "provider": current_provider().name[:20],
                "summary": notification.title,
                "number": _source_number(notification),
                "link": notification.link,
            }
        },
    )
    Notification.objects.bulk_create([sms], ignore_conflicts=True)
    return (
        Notification.objects.filter(
            event_id=notification.event_id,
            visit_event_id=notification.visit_event_id,
            customer=customer,
            channel=Channel.SMS,
            status=NotificationStatus.PENDING,
        )
        .values_list("pk", flat=True)
        .first()
    )


def _record(notification: Notification, result: channels.Result) -> Outcome:
    """Write what sending ``notification`` gave (only if the row is still ours)."""
    done = timezone.now()
    update: dict[str, Any] = {"lease_until": None, "last_error": result.error[:500]}
    outcome = Outcome(notification_id=notification.pk)
    if result.status == "sent":
        update.update(status=NotificationStatus.SENT, sent_at=done, vendor_id=result.vendor_id, last_error="")
    elif result.status == "logged":
        update.update(status=NotificationStatus.LOGGED)
    elif result.status == "failed" or notification.attempts >= _setting("NOTIFY_MAX_ATTEMPTS", 8):
        update.update(status=NotificationStatus.FAILED)
    else:
        delay = backoff_seconds(notification.attempts, quota=result.quota)
        update.update(status=NotificationStatus.PENDING, next_attempt_at=done + timedelta(seconds=delay))
        outcome.retry_in = delay
    claimed = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.SENDING, attempts=notification.attempts
    ).update(**update)
    outcome.status = str(update["status"]) if claimed else ""
    if (
        claimed
        and update["status"] == NotificationStatus.FAILED
        and notification.channel == Channel.WECHAT
        and result.code in WECHAT_UNREACHABLE
    ):
        fallback = _sms_fallback(notification)
        if fallback:
            outcome.follow_up.append(fallback)
    return outcome


_SENT_SQL = (
    "UPDATE {table} AS n SET status = %s, lease_until = NULL, last_error = '', sent_at = %s, "
    "vendor_id = d.vendor_id FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS vendor_id, "
    "unnest(%s::int[]) AS attempts) AS d WHERE n.id = d.id AND n.status = %s AND n.attempts = d.attempts"
)


def _record_sent(sent: list[tuple[Notification, channels.Result]]) -> list[Outcome]:
    """Mark a batch's successful sends in one statement (still only rows this caller owns)."""
    if not sent:
        return []
    sql = _SENT_SQL.format(table=Notification._meta.db_table)
    params: list[Any] = [
        str(NotificationStatus.SENT),
        timezone.now(),
        [n.pk for n, _r in sent],
        [r.vendor_id for _n, r in sent],
        [n.attempts for n, _r in sent],
        S_SENDING,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return [Outcome(notification_id=n.pk, status=str(NotificationStatus.SENT)) for n, _r in sent]


def notifications_deliver(*, notification_ids: list[int], now: datetime | None = None) -> list[Outcome]:
    """Send the due notifications among ``notification_ids`` that nobody else is sending: one claim
    for all of them, then for each one send and write its outcome before the next send. A worker
    killed mid-batch has therefore re-sendable only the message in flight (and WeChat drops that
    one too, by its ``client_msg_id``); the rest are either marked or were never sent."""
    now = now or timezone.now()
    outcomes: list[Outcome] = []
    for notification in _claim_many(list(notification_ids), now):
        result = channels.send(notification)
        if result.status == "sent":
            outcomes += _durably(functools.partial(_record_sent, [(notification, result)]))
        else:
            outcomes.append(_durably(functools.partial(_record, notification, result)))
    return outcomes


WRITE_RETRY_SECONDS = 30.0


def _durably(write: Callable[[], T]) -> T:
    """Write an outcome, waiting out a database restart (up to ``WRITE_RETRY_SECONDS``): after a
    send, giving up the write means the lease expires and the message goes out again."""
    deadline = time.monotonic() + WRITE_RETRY_SECONDS
    pause = 0.2
    while True:
        try:
            return write()
        except (OperationalError, InterfaceError):
            if time.monotonic() > deadline or connection.in_atomic_block:
                raise
            logger.warning("could not record a delivery outcome; retrying in %.1f s", pause, exc_info=True)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 3.0)


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> Outcome:
    """Send one notification if it is due and nobody else is sending it."""
    outcomes = notifications_deliver(notification_ids=[notification_id], now=now)
    return outcomes[0] if outcomes else Outcome(notification_id=notification_id)


def notifications_due(
    *, now: datetime | None = None, grace_seconds: int = 60, limit: int = 1000
) -> list[int]:
    """Pending notifications overdue by ``grace_seconds`` and ones stuck in ``sending``."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=grace_seconds)
    pending = Notification.objects.filter(status=NotificationStatus.PENDING, next_attempt_at__lte=cutoff)
    stuck = Notification.objects.filter(status=NotificationStatus.SENDING, lease_until__lt=now)
    ids = list(pending.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    ids += list(stuck.order_by("lease_until", "pk").values_list("pk", flat=True)[: max(0, limit - len(ids))])
    return ids


def events_not_fanned_out(
    *, now: datetime | None = None, grace_seconds: int = 60, limit: int = 500
) -> list[int]:
    """Order events (within the sweep horizon) that notify someone but were never fanned out."""
    return fan_out.not_fanned_out(
        OrderEvent.objects.all(),
        no_one={"notify_roles": []},
        now=now or timezone.now(),
        grace_seconds=grace_seconds,
        limit=limit,
    )


# --- Console: resend; message centre: read marks ---------------------------------------------------


def _require_back_office(actor: StaffMember) -> None:
    if not actor.is_active or actor.role not in (StaffRole.ADMIN, StaffRole.DISPATCHER):
        raise PermissionDenied(_("Only administrators and dispatchers may resend messages."))


@transaction.atomic
def notification_resend(*, actor: StaffMember, notification: Notification) -> Notification:
    """Send again (the console's button): back to pending now, with a fresh attempt budget."""
    _require_back_office(actor)
    notification = Notification.objects.select_for_update().get(pk=notification.pk)
    if notification.channel == Channel.INAPP:
        return notification
    if (
        notification.status == NotificationStatus.SENDING
        and notification.lease_until
        and notification.lease_until > timezone.now()
    ):
        return notification
    notification.status = NotificationStatus.PENDING
    notification.attempts = 0
    notification.next_attempt_at = timezone.now()
    notification.lease_until = None
    notification.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until"])
    from integrations.notifications.tasks import enqueue_delivery

    notification_id, schema = notification.pk, current_schema()
    transaction.on_commit(lambda: enqueue_delivery(notification_id, schema=schema), robust=True)
    return notification


def _inbox_filter(*, customer: Customer | None, staff: StaffMember | None) -> Q:
    if customer is not None:
        return Q(customer=customer, channel=Channel.INAPP)
    assert staff is not None
    return Q(staff=staff, channel=Channel.INAPP)


def message_mark_read(
    *, customer: Customer | None = None, staff: StaffMember | None = None, notification_id: int | None = None
) -> int:
    """Mark one of the person's messages (or all of them) read; another person's ids do nothing."""
    rows = Notification.objects.filter(_inbox_filter(customer=customer, staff=staff), read_at__isnull=True)
    if notification_id is not None:
        rows = rows.filter(pk=notification_id)
    return rows.update(read_at=timezone.now())
