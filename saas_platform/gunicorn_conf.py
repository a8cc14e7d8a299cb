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
# The app is loaded and warmed up once in the arbiter (saas_platform.warm_up), so every worker, the
# replacement of a recycled one included, answers its first request as fast as its hundredth. Code
# changes need a new arbiter (a new container / pod), never a HUP. GUNICORN_PRELOAD=0 loads the app
# in each worker instead (each warms itself up before it accepts a request).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") not in {"0", "false", "no"}
# Worker heartbeat files in memory (a slow disk must not make the arbiter kill healthy workers).
_shm = "/dev/shm"  # noqa: S108 (gunicorn's documented choice, not a temporary file of ours)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR", _shm if Path(_shm).is_dir() else None)
# gunicorn's own trust list (forwarded_allow_ips) only decides wsgi.url_scheme from X-Forwarded-Proto;
# it never changes REMOTE_ADDR. The client address comes from TRUSTED_PROXIES (CIDRs, read by
# tenants.client_ip) and the scheme from SECURE_PROXY_SSL_HEADER (production settings), both in
# Django. gunicorn 23 takes single addresses only: deriving this from TRUSTED_PROXIES made a CIDR
# such as 10.0.0.0/8 stop gunicorn at start. So it trusts no peer by default (wsgi.url_scheme is what
# gunicorn serves, plain HTTP); GUNICORN_FORWARDED_ALLOW_IPS (addresses) overrides.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "")

errorlog = "-"
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "") in {"1", "true", "yes"} else None
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
logconfig_dict = logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "INFO"))

_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: Any) -> None:
    if _multiproc_dir:
        shutil.rmtree(_multiproc_dir, ignore_errors=True)
        Path(_multiproc_dir).mkdir(parents=True, exist_ok=True)


def _warm_up(log: Any) -> None:
    from saas_platform.warm_up import warm_up

    timings = warm_up()
    log.info(
        "warm-up: %s",
        ", ".join(
            f"{step} {value:.0f}" if step == "template_count" else f"{step} {value:.2f} s"
            for step, value in timings.items()
        ),
    )


def when_ready(server: Any) -> None:
    if preload_app:  # the app was loaded in the arbiter: warm it before the first fork
        _warm_up(server.log)


def post_worker_init(worker: Any) -> None:
    if not preload_app:  # each worker loaded the app itself: warm it before it accepts a request
        _warm_up(worker.log)


def child_exit(server: Any, worker: Any) -> None:
    if _multiproc_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
