"""Celery tasks of the asset-system sync. Thin: the work is in ``services``. Each is safe to run
twice (a pushed link is left alone; status changes are idempotent).

- ``asset_systems.push_order``: send one order (enqueued after the order's transaction commits);
- ``asset_systems.push_due`` (beat, every minute): send every pending push whose retry time has
  come, in every tenant — this is the backoff schedule and the safety net for lost enqueues;
- ``asset_systems.pull_all`` (beat): fetch status changes from every enabled binding.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task

from integrations.asset_systems import services
from tenants.services import for_each_tenant

logger = logging.getLogger(__name__)


def _total(results: dict[str, Any]) -> int:
    return sum(value for value in results.values() if isinstance(value, int))


@shared_task(name="asset_systems.push_order", ignore_result=True, acks_late=True)
def push_order(link_id: int) -> str:
    link = services.order_push(link_id=link_id)
    return link.push_status if link is not None else "missing"


def enqueue_push(link_ids: Iterable[int], *, schema_name: str) -> None:
    """Send pushes to the broker, to run in ``schema_name`` (captured when the order was saved, so
    an ``on_commit`` callback that runs after the request switched schemas still goes to the
    right tenant). Never raises: the sweeper sends what did not get through."""
    for link_id in link_ids:
        try:
            push_order.apply_async(args=(link_id,), headers={"_schema_name": schema_name}, retry=False)
        except Exception:
            logger.warning(
                "could not enqueue asset-system push %s; the sweeper will send it", link_id, exc_info=True
            )


def _push_due_here() -> int:
    sent = 0
    for link_id in services.due_push_ids():
        link = services.order_push(link_id=link_id)
        if link is not None and link.push_status == "pushed":
            sent += 1
    return sent


@shared_task(name="asset_systems.push_due", ignore_result=True)
def push_due() -> int:
    return _total(for_each_tenant(lambda provider: _push_due_here()))


@shared_task(name="asset_systems.pull_all", ignore_result=True)
def pull_all() -> int:
    return _total(for_each_tenant(lambda provider: services.pull_current_tenant()))
