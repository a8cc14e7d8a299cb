"""``manage.py beat_alive --max-age 180``: exit 0 when beat's heartbeat is younger than the limit,
1 otherwise — a liveness probe for the beat container (and a quick check for an operator)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saas_platform.health import beat_heartbeat_age, beat_max_age


class Command(BaseCommand):
    help = "Exit 0 when celery beat's heartbeat is fresh, 1 when it is stale or missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-age", type=float, default=None, help="seconds (default HEALTH_BEAT_MAX_AGE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["max_age"] if options["max_age"] is not None else beat_max_age()
        try:
            age = beat_heartbeat_age()
        except Exception as exc:  # the cache itself is down: beat cannot be shown alive
            self.stderr.write(f"beat: cannot read the heartbeat ({type(exc).__name__}: {exc})")
            raise SystemExit(1) from exc
        if age is None:
            self.stderr.write("beat: no heartbeat recorded")
            raise SystemExit(1)
        if age > limit:
            self.stderr.write(f"beat: last heartbeat {age:.0f} s ago, limit {limit:.0f} s")
            raise SystemExit(1)
        self.stdout.write(f"beat: alive, last heartbeat {age:.0f} s ago")
