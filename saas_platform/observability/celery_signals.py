"""Celery tasks in the logs and metrics.

django-structlog carries the enqueuing request's context (``request_id``, ``user_id``, ``tenant``,
…) in the task headers (``__django_structlog__``) and binds it in the worker; here the worker also
binds the task's tenant (tenant-schemas-celery's ``_schema_name`` header) and records
``baoxiu_celery_task_duration_seconds{task,outcome}``, ``baoxiu_celery_task_failures_total{task}``
and ``baoxiu_celery_task_retries_total{task}``. Task names are a fixed set: bounded labels.

A worker has no web server: with ``CELERY_METRICS_PORT`` set, each worker process serves its own
``/metrics`` on that port (prometheus-client's ``start_http_server``) on worker start.
"""

from __future__ import annotations

import os
import time
from typing import Any

import structlog
from celery.signals import task_failure, task_postrun, task_prerun, task_retry, worker_ready
from django.db import connection
from django.dispatch import receiver
from django_structlog.celery import signals as structlog_celery

from saas_platform.observability.metrics import TASK_FAILURES, TASK_RETRIES, TASK_SECONDS

_STARTED = "_baoxiu_started_at"


def task_tenant(task: Any) -> str:
    request = getattr(task, "request", None)
    schema = getattr(request, "_schema_name", None) or (getattr(request, "headers", None) or {}).get(
        "_schema_name"
    )
    return str(schema or getattr(connection, "schema_name", "public"))


@receiver(structlog_celery.bind_extra_task_metadata)
def _bind_task_tenant(sender: Any, task: Any, logger: Any, **kwargs: Any) -> None:
    structlog.contextvars.bind_contextvars(tenant=task_tenant(task), task=task.name)


@task_prerun.connect
def _task_started(task: Any = None, **kwargs: Any) -> None:
    if task is not None:
        setattr(task.request, _STARTED, time.perf_counter())


@task_postrun.connect
def _task_finished(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    if task is None:
        return
    started = getattr(task.request, _STARTED, None)
    if started is not None:
        TASK_SECONDS.labels(task.name, str(state or "UNKNOWN").lower()).observe(time.perf_counter() - started)


@task_failure.connect
def _task_failed(sender: Any = None, **kwargs: Any) -> None:
    TASK_FAILURES.labels(getattr(sender, "name", "unknown")).inc()


@task_retry.connect
def _task_retried(sender: Any = None, **kwargs: Any) -> None:
    TASK_RETRIES.labels(getattr(sender, "name", "unknown")).inc()


@worker_ready.connect
def _serve_worker_metrics(**kwargs: Any) -> None:
    port = os.environ.get("CELERY_METRICS_PORT")
    if port:
        from prometheus_client import start_http_server

        start_http_server(int(port), addr=os.environ.get("CELERY_METRICS_ADDR", "0.0.0.0"))  # noqa: S104
