"""Prometheus metrics at ``/metrics`` (prometheus-client).

Request metrics are labelled by route *name* (``resolver_match.view_name``; ``<unmatched>`` for
404s) and status class, never by raw path or tenant, so their cardinality is the number of routes.
Per-tenant numbers are not labels here: the operator health page ranks tenants instead.

Gauges that describe the whole platform (outbox backlog, spare pool, billing states, beat
heartbeat, queue depth) are computed at scrape by ``PlatformCollector`` from a snapshot that beat
collects every minute into the cache (``saas_platform.observability.snapshot``); a scrape never
walks tenant schemas.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` (the gunicorn config does) and each
worker's counters are merged at scrape (prometheus-client's multiprocess mode).

Access: a client inside ``METRICS_ALLOWED_NETWORKS`` or a request with
``Authorization: Bearer <METRICS_TOKEN>``; anything else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from tenants.client_ip import client_ip

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "baoxiu_http_requests_total",
    "HTTP requests by route name, method and status.",
    ["route", "method", "status"],
)
REQUEST_SECONDS = Histogram(
    "baoxiu_http_request_duration_seconds",
    "HTTP request latency by route name.",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASK_SECONDS = Histogram(
    "baoxiu_celery_task_duration_seconds",
    "Celery task runtime by task name and outcome.",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0),
)
TASK_FAILURES = Counter(
    "baoxiu_celery_task_failures_total", "Celery tasks that raised, by task name.", ["task"]
)
TASK_RETRIES = Counter("baoxiu_celery_task_retries_total", "Celery task retries, by task name.", ["task"])


class PlatformCollector(Collector):
    """Platform gauges read at scrape from the snapshot in the cache (cheap: one cache read)."""

    def collect(self) -> Iterator[Metric]:
        from saas_platform.observability.snapshot import snapshot_read

        try:
            snapshot = snapshot_read()
        except Exception:  # database down: the request and task metrics are still worth a scrape
            logger.warning("metrics: the platform snapshot could not be read", exc_info=True)
            return
        yield from snapshot.metrics()


def scrape_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in list(REGISTRY._collector_to_names):
            registry.register(collector)
    registry.register(PlatformCollector())
    return registry


def metrics_allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", None)
    header = str(request.META.get("HTTP_AUTHORIZATION") or "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), str(token)):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", ())
    return any(address in ipaddress.ip_network(item, strict=False) for item in networks)


def metrics_response(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse("metrics: forbidden\n", status=403, content_type="text/plain")
    response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


__all__ = ["GaugeMetricFamily", "metrics_response"]
