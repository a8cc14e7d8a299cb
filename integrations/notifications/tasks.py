"""Celery entry points of the outbox. Thin: the work is in ``services``.

- ``fan_out_event(event_id)``: after an event commits (``signals``);
- ``deliver_notification(notification_id)``: one send; on a retryable failure Celery retries it
  with the backoff the service computed (never in eager mode, where the sweeper retries instead);
- ``sweep_notifications()``: periodic (``CELERY_BEAT_SCHEDULE``), every tenant: fans out events
  that never were and re-sends notifications that are due or stuck.

``enqueue_*`` never raise: with the broker unreachable they log and leave the work to the sweeper.
Tasks run in the schema they were sent from (tenant-schemas-celery) and are safe to run twice.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.exceptions import Retry

from integrations.notifications import services
from integrations.wechat.accounts import current_schema
from tenants.models import Provider
from tenants.services import for_each_tenant

logger = logging.getLogger(__name__)


def _send(task: Any, *args: Any, schema: str | None = None) -> bool:
    """Publish ``task(*args)`` to run in ``schema`` (default: the active one), never raising."""
    headers = {"_schema_name": schema or current_schema()}
    try:
        task.apply_async(args=args, retry=False, headers=headers)
    except Exception:  # noqa: BLE001 (broker down: the sweeper will pick it up)
        logger.warning("could not enqueue %s%r; the sweeper will pick it up", task.name, args, exc_info=True)
        return False
    return True


def enqueue_fan_out(event_id: int, *, schema: str | None = None) -> bool:
    return _send(fan_out_event, event_id, schema=schema)


def enqueue_delivery(notification_id: int, *, schema: str | None = None) -> bool:
    return _send(deliver_notification, notification_id, schema=schema)


@shared_task(name="integrations.fan_out_event", ignore_result=True, acks_late=True)
def fan_out_event(event_id: int) -> int:
    pending = services.notifications_fan_out(event_id=event_id)
    for notification_id in pending:
        enqueue_delivery(notification_id)
    return len(pending)


@shared_task(
    bind=True, name="integrations.deliver_notification", ignore_result=True, acks_late=True, max_retries=None
)
def deliver_notification(self: Any, notification_id: int) -> str:
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


def sweep_tenant(*, grace_seconds: int = 60, deliver_inline: bool = False) -> dict[str, int]:
    """One tenant's sweep (inside its schema). Delivers inline when asked or when enqueueing fails."""
    fanned = 0
    for event_id in services.events_not_fanned_out(grace_seconds=grace_seconds):
        for notification_id in services.notifications_fan_out(event_id=event_id):
            if deliver_inline or not enqueue_delivery(notification_id):
                _deliver_inline(notification_id)
        fanned += 1
    due = services.notifications_due(grace_seconds=grace_seconds)
    for notification_id in due:
        if deliver_inline or not enqueue_delivery(notification_id):
            _deliver_inline(notification_id)
    return {"events": fanned, "notifications": len(due)}


def _deliver_inline(notification_id: int) -> None:
    outcome = services.notification_deliver(notification_id=notification_id)
    for follow_up in outcome.follow_up:
        services.notification_deliver(notification_id=follow_up)


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
