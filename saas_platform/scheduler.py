"""Periodic jobs without Redis: the same ``CELERY_BEAT_SCHEDULE`` that celery beat reads, driven by
a daemon thread of the web process (``manage.py serve`` starts it when ``REDIS_URL`` is unset).

Each entry runs once at start and then every ``schedule`` interval, in-process via ``apply()``; a
failing job is logged and retried at its next interval, never killing the loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def _interval_seconds(schedule: Any) -> float:
    """Seconds until the next run: timedeltas and numbers are intervals; celery ``schedule`` and
    ``crontab`` objects say themselves how long remains from now."""
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    if isinstance(schedule, int | float):
        return float(schedule)
    remaining = schedule.remaining_estimate(timezone.now())
    return max(float(remaining.total_seconds()), 1.0)


class InProcessScheduler:
    def __init__(
        self, schedule: dict[str, dict[str, Any]] | None = None, clock: Callable[[], float] = time.monotonic
    ):
        chosen = schedule if schedule is not None else settings.CELERY_BEAT_SCHEDULE
        self.schedule: dict[str, dict[str, Any]] = dict(chosen)
        self.clock = clock
        self.next_run: dict[str, float] = dict.fromkeys(self.schedule, 0.0)
        self._stop = threading.Event()
        current_app.loader.import_default_modules()  # registers every app's tasks (autodiscovery)

    def run_pending(self) -> list[str]:
        """Run every entry that is due now; returns the names that ran."""
        now = self.clock()
        ran = []
        for name, entry in self.schedule.items():
            if now < self.next_run[name]:
                continue
            self.next_run[name] = now + _interval_seconds(entry["schedule"])
            task = current_app.tasks[entry["task"]]
            try:
                close_old_connections()
                task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {})).get(propagate=True)
            except Exception:
                logger.exception("periodic job %s failed; it runs again at its next interval", name)
            finally:
                close_old_connections()
            ran.append(name)
        return ran

    def loop(self, tick: float = 5.0) -> None:
        while not self._stop.is_set():
            self.run_pending()
            self._stop.wait(tick)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.loop, name="baoxiu-periodic", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
