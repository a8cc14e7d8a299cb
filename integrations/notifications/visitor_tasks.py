"""Celery entry points for visitor events (the order events' are in ``tasks``): fan one visit event
out after it commits, and the sweeper's share (events never fanned out). Delivery itself is the
order outbox's (``tasks.deliver_notifications``). Safe to run twice; never raises into a request."""

from __future__ import annotations

from celery import shared_task

from integrations.notifications import tasks, visitor_events


def enqueue_visit_fan_out(event_id: int, *, schema: str | None = None) -> bool:
    return tasks._send(fan_out_visit_event, event_id, schema=schema)


@shared_task(name="integrations.fan_out_visit_event", ignore_result=True, acks_late=True)
def fan_out_visit_event(event_id: int) -> int:
    pending = visitor_events.visit_notifications_fan_out(event_id=event_id)
    if pending and not tasks.enqueue_deliveries(pending):
        tasks._deliver_inline(pending)
    return len(pending)


def sweep_visit_events(*, grace_seconds: int = 60, deliver_inline: bool = False) -> int:
    """Fan out the visit events a lost enqueue left behind (called by the tenant sweep)."""
    fanned = 0
    for event_id in visitor_events.visit_events_not_fanned_out(grace_seconds=grace_seconds):
        pending = visitor_events.visit_notifications_fan_out(event_id=event_id)
        if pending and (deliver_inline or not tasks.enqueue_deliveries(pending)):
            tasks._deliver_inline(pending)
        fanned += 1
    return fanned
