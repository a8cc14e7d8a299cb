"""Publishing a task from a request without ever waiting on the broker.

The rows a request commits (order events, notifications, spare-pool state) are the source of
truth; a published task only makes the work start sooner. When the broker cannot be reached,
``publish`` logs, answers False and the periodic relay (beat's sweeper or refill) does the work
later. After one failure it does not try again for ``RETRY_SECONDS``: a broker that times out
instead of refusing would otherwise cost every request a connect timeout. The outage is logged
when it starts and when the broker takes messages again, not per request.

It lives in ``tenants``, the bottom layer, so provisioning and the outbox share it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)

RETRY_SECONDS = 10.0


class _Breaker:
    lock = threading.Lock()
    down_since: float | None = None
    retry_at = 0.0
    skipped = 0


def broker_down() -> bool:
    """Is publishing paused after a recent broker failure?"""
    return _Breaker.down_since is not None and time.monotonic() < _Breaker.retry_at


def publish(
    task: Any,
    *,
    args: tuple[Any, ...] = (),
    headers: dict[str, Any] | None = None,
    probe: bool = False,
    **options: Any,
) -> bool:
    """``task.apply_async(args, headers=…, **options)`` that never raises and never retries.
    False: not published (broker down); the relay will pick the work up from the database.
    ``probe``: try even while publishing is paused — the relay, a periodic job, ends the pause."""
    if not probe and broker_down():
        _Breaker.skipped += 1
        return False
    try:
        task.apply_async(args=args, headers=headers, retry=False, **options)
    except Exception as exc:  # noqa: BLE001 (any broker failure: the relay has the work)
        with _Breaker.lock:
            _Breaker.retry_at = time.monotonic() + RETRY_SECONDS
            if _Breaker.down_since is None:
                _Breaker.down_since = time.monotonic()
                logger.error(
                    "could not enqueue %s%r (%s); the broker looks down, publishing paused for %.0f s "
                    "and left to the periodic relay",
                    getattr(task, "name", task),
                    args,
                    exc,
                    RETRY_SECONDS,
                )
            else:
                logger.warning("could not enqueue %s%r (%s)", getattr(task, "name", task), args, exc)
        return False
    if _Breaker.down_since is not None:
        with _Breaker.lock:
            if _Breaker.down_since is not None:
                logger.warning(
                    "the broker takes messages again after %.1f s (%d publishes left to the relay)",
                    time.monotonic() - _Breaker.down_since,
                    _Breaker.skipped,
                )
                _Breaker.down_since = None
                _Breaker.skipped = 0
    return True


def reset() -> None:
    """Forget a recorded outage (tests that switch brokers)."""
    with _Breaker.lock:
        _Breaker.down_since = None
        _Breaker.retry_at = 0.0
        _Breaker.skipped = 0
