"""How long a fresh gunicorn worker takes to answer its first routed request, with the app loaded
and warmed up in the arbiter (``GUNICORN_PRELOAD=1``, the default) and without (``0``, each worker
loads the app and warms itself before it accepts). deploy/README.md "Worker start" has the figures.

    DJANGO_SETTINGS_MODULE=saas_platform.settings.production SECRET_KEY=… BASE_DOMAIN=baoxiu.test \\
    DATABASE_URL=postgres://…/<a migrated database> REDIS_URL=redis://127.0.0.1:6379/14 \\
    SECURE_SSL_REDIRECT=false BAOXIU_VAR_DIR=<collected static> \\
    .venv/bin/python -m tests.stack.measure_first_request tenant-a.baoxiu.test [rounds] [old_conf.py]

For each mode and round: one worker is started; the time until /healthz answers (the arbiter and
worker are up), then the first and second GET of the tenant's portal home. An older config file
(``git show <commit>:saas_platform/gunicorn_conf.py > old_conf.py``) adds a row for it: before the
warm-up, the first request loaded the URL confs and templates.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.stack.client import Browser
from tests.stack.processes import free_port, start
from tests.stack.topology import BIN, ROOT

CONFIG = "python:saas_platform.gunicorn_conf"


def one_round(host: str, preload: str, logs: Path, config: str) -> tuple[float, float, float]:
    port = free_port()
    argv = [str(BIN / "gunicorn"), "-c", config, "saas_platform.wsgi"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", "1"]
    started = time.monotonic()
    proc = start("gunicorn", argv, log_dir=logs, env={**os.environ, "GUNICORN_PRELOAD": preload}, cwd=ROOT)
    try:
        proc.wait_http(port, "/healthz", timeout=180)
        up = time.monotonic() - started
        browser = Browser(host, port, extra_headers={"X-Forwarded-Proto": "https"})
        timings = []
        for _ in range(2):
            begun = time.monotonic()
            answer = browser.get("/")
            timings.append(time.monotonic() - begun)
            assert answer.status == 200, answer.status
        return up, timings[0], timings[1]
    finally:
        proc.stop()


def main() -> None:
    host = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    logs = Path(tempfile.mkdtemp(prefix="baoxiu-first-request-"))  # gunicorn's log, kept for a failure

    modes = [("GUNICORN_PRELOAD=0", "0", CONFIG), ("GUNICORN_PRELOAD=1", "1", CONFIG)]
    if len(sys.argv) > 3:
        modes.insert(0, (sys.argv[3], "0", sys.argv[3]))
    for label, preload, config in modes:
        results = [one_round(host, preload, logs, config) for _ in range(rounds)]
        up, first, second = (statistics.median(column) for column in zip(*results, strict=True))
        print(
            f"{label}: /healthz after {up:.2f} s, first request {first:.3f} s, "
            f"second {second:.3f} s (medians of {rounds}; load {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
