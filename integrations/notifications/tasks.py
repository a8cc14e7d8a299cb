"""Celery entry points of the outbox. Thin: the work is in ``services``.

- ``fan_out_event(event_id)``: after an event commits (``signals``);
- ``deliver_notifications(ids)``: an event's notifications (or a sweep's batch), claimed at once;
- ``deliver_notification(notification_id)``: one send (resend, retry); on a retryable failure Celery
  retries it with the backoff the service computed (never in eager mode: the sweeper retries);
- ``sweep_notifications()``: periodic (``CELERY_BEAT_SCHEDULE``), every tenant: fans out events
  that never were and re-sends notifications that are due or stuck.

``enqueue_*`` never raise and never wait: with the broker unreachable they log (once per outage, in
``tenants.broker``) and leave the work to the sweeper, beat's relay of the outbox rows.
Tasks run in the schema they were sent from (tenant-schemas-celery) and are safe to run twice.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import Retry

from integrations.notifications import services
from integrations.wechat.accounts import current_schema
from tenants import broker
from tenants.models import Provider
from tenants.services import for_each_tenant

logger = logging.getLogger(__name__)


def _send(task: Any, *args: Any, schema: str | None = None, probe: bool = False) -> bool:
    """Publish ``task(*args)`` to run in ``schema`` (default: the active one), never raising and never
    waiting on a broker that is down (``tenants.broker``). ``probe``: try even while publishing is
    paused after a failure — the sweeper (a periodic job, not a request) is how the pause ends."""
    headers = {"_schema_name": schema or current_schema()}
    return broker.publish(task, args=args, headers=headers, probe=probe)


BATCH = 100


def enqueue_fan_out(event_id: int, *, schema: str | None = None) -> bool:
    return _send(fan_out_event, event_id, schema=schema)


def enqueue_delivery(notification_id: int, *, schema: str | None = None) -> bool:
    return _send(deliver_notification, notification_id, schema=schema)


def enqueue_deliveries(
    notification_ids: list[int], *, schema: str | None = None, probe: bool = False
) -> bool:
    """One task per batch of up to ``BATCH`` notifications (an event's, or the sweeper's)."""
    ok = True
    for start in range(0, len(notification_ids), BATCH):
        batch = notification_ids[start : start + BATCH]
        ok = _send(deliver_notifications, batch, schema=schema, probe=probe and ok) and ok
    return ok


def _schedule_retry(notification_id: int, countdown: int) -> None:
    try:
        deliver_notification.apply_async(
            args=(notification_id,),
            countdown=countdown,
            retry=False,
            headers={"_schema_name": current_schema()},
        )
    except Exception:  # noqa: BLE001 (broker down: the row is pending with its time, the sweeper retries)
        logger.warning("could not schedule the retry of notification %s", notification_id, exc_info=True)


@shared_task(name="integrations.fan_out_event", ignore_result=True, acks_late=True)
def fan_out_event(event_id: int) -> int:
    pending = services.notifications_fan_out(event_id=event_id)
    if pending and not enqueue_deliveries(pending):
        _deliver_inline(pending)
    return len(pending)


@shared_task(
    bind=True, name="integrations.deliver_notification", ignore_result=True, acks_late=True, max_retries=None
)
def deliver_notification(self: Any, notification_id: int) -> str:
    """One notification (retries and resends); a retryable failure is retried by Celery with the
    backoff the service computed (in eager mode the sweeper retries instead)."""
    outcome = services.notification_deliver(notification_id=notification_id)
    for follow_up in outcome.follow_up:
        enqueue_delivery(follow_up)
    if outcome.retry_in is not None and not self.request.is_eager:
        try:
            self.retry(countdown=outcome.retry_in)
        except Retry:
            raise
        except Exception:  # noqa: BLE001 (broker down: the row is pending, the sweeper retries it)
            logger.warning("could not schedule the retry of notification %s", notification_id, exc_info=True)
    return outcome.status


@shared_task(bind=True, name="integrations.deliver_notifications", ignore_result=True, acks_late=True)
def deliver_notifications(self: Any, notification_ids: list[int]) -> int:
    """A batch (one claim for all); each retryable failure gets its own delayed retry."""
    outcomes = services.notifications_deliver(notification_ids=notification_ids)
    for outcome in outcomes:
        for follow_up in outcome.follow_up:
            enqueue_delivery(follow_up)
        if outcome.retry_in is not None and not self.request.is_eager:
            _schedule_retry(outcome.notification_id, outcome.retry_in)
    return sum(1 for o in outcomes if o.status == "sent")


def sweep_tenant(*, grace_seconds: int = 60, deliver_inline: bool = False) -> dict[str, int]:
    """One tenant's sweep (inside its schema). Delivers inline when asked or when enqueueing fails."""
    fanned = 0
    for event_id in services.events_not_fanned_out(grace_seconds=grace_seconds):
        pending = services.notifications_fan_out(event_id=event_id)
        if deliver_inline or not enqueue_deliveries(pending, probe=True):
            _deliver_inline(pending)
        fanned += 1
    from integrations.notifications.visitor_tasks import sweep_visit_events

    fanned += sweep_visit_events(grace_seconds=grace_seconds, deliver_inline=deliver_inline)
    due = services.notifications_due(grace_seconds=grace_seconds)
    if due and (deliver_inline or not enqueue_deliveries(due, probe=True)):
        _deliver_inline(due)
    return {"events": fanned, "notifications": len(due)}


def _deliver_inline(notification_ids: list[int]) -> None:
    for outcome in services.notifications_deliver(notification_ids=notification_ids):
        if outcome.follow_up:
            services.notifications_deliver(notification_ids=outcome.follow_up)


@shared_task(name="integrations.sweep_notifications", ignore_result=True)
def sweep_notifications(grace_seconds: int = 60, deliver_inline: bool = False) -> dict[str, int]:
    def sweep(provider: Provider) -> dict[str, int]:
        return sweep_tenant(grace_seconds=grace_seconds, deliver_inline=deliver_inline)

    totals = {"events": 0, "notifications": 0}
    for result in for_each_tenant(sweep, only_active=False).values():
        if isinstance(result, dict):
            for key in totals:
                totals[key] += int(result.get(key, 0))
    return totals
