"""gunicorn settings for production: ``gunicorn -c python:saas_platform.gunicorn_conf
saas_platform.wsgi``. Every value can be overridden by the environment (``GUNICORN_*``).

Logs: gunicorn's error and access lines go through the same structured logging as Django
(``saas_platform.observability.logging``: JSON, UTC timestamps, secrets masked). The access line is
off by default because django-structlog's ``request_finished`` line already carries method, path,
status, duration, route, tenant and request id; ``GUNICORN_ACCESS_LOG=1`` turns it on.

Metrics: with several workers, prometheus-client's multiprocess mode needs a directory shared by
the workers (``PROMETHEUS_MULTIPROC_DIR``, emptied at start here) so ``/metrics`` adds them up.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

from saas_platform.observability.logging import logging_config

time.tzset()  # TZ from the environment (UTC in the image); log timestamps are UTC regardless

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Worker heartbeat files in memory (a slow disk must not make the arbiter kill healthy workers).
_shm = "/dev/shm"  # noqa: S108 (gunicorn's documented choice, not a temporary file of ours)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", _shm if Path(_shm).is_dir() else None)
# The proxy in front terminates TLS and is the only peer allowed to say so (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get(
    "GUNICORN_FORWARDED_ALLOW_IPS", os.environ.get("TRUSTED_PROXIES", "127.0.0.1")
)

errorlog = "-"
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "") in {"1", "true", "yes"} else None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
logconfig_dict = logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO"))

_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: Any) -> None:
    if _multiproc_dir:
        shutil.rmtree(_multiproc_dir, ignore_errors=True)
        Path(_multiproc_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    if _multiproc_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
