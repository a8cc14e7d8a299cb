"""``serve``: what ``make run`` starts. The web server, plus background work:

- ``REDIS_URL`` set: a Celery worker and beat as child processes (stopped with the server);
- unset: tasks already run in-process (eager) and a thread drives the periodic schedule.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from saas_platform.scheduler import InProcessScheduler


def serve_port(addrport: str) -> str:
    """The port of a runserver address: ``8123``, ``0.0.0.0:8123``, ``[::1]:8123`` → ``8123``."""
    tail = addrport.rsplit(":", 1)[-1] if ":" in addrport else addrport
    return tail if tail.isdigit() else ""


class Command(BaseCommand):
    help = "Serve Baoxiu for development with its background work."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: Any, **options: Any) -> None:
        children: list[subprocess.Popen[bytes]] = []
        if settings.REDIS_URL:
            celery = [sys.executable, "-m", "celery", "-A", "saas_platform"]
            children.append(subprocess.Popen([*celery, "worker", "--loglevel=INFO", "--concurrency=2"]))  # noqa: S603
            children.append(subprocess.Popen([*celery, "beat", "--loglevel=INFO"]))  # noqa: S603
            self.stdout.write("background work: Celery worker + beat on Redis")
        else:
            InProcessScheduler().start()
            self.stdout.write("background work: in-process (no REDIS_URL)")
        port = serve_port(options["addrport"])
        if "PORTAL_PORT" not in os.environ and port:
            # Links in texts and QR codes (made outside a request) point at the port we serve on.
            settings.PORTAL_PORT = port
        try:
            call_command("runserver", options["addrport"], use_reloader=False)
        finally:
            for child in children:
                child.terminate()
