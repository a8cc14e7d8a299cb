"""Liveness and readiness, answered before tenant routing so they work on any ``Host``.

Kubernetes' kubelet (and Docker's HEALTHCHECK, and a load balancer) call the pod by IP, a host the
tenant middleware does not know, so these answers come from ``HealthMiddleware``, placed first in
``MIDDLEWARE`` (before the HTTPS redirect and the tenant middleware):

* ``GET /healthz`` — liveness: the process answers. No database, no cache; 200 ``{"status": "ok"}``.
* ``GET /readyz`` — readiness: the database answers, the cache (Redis) round-trips a value, the
  default storage writes, reads and deletes a probe object, and, where beat is expected
  (``HEALTH_BEAT_EXPECTED``, on by default with ``REDIS_URL``), beat's heartbeat is younger than
  ``HEALTH_BEAT_MAX_AGE`` seconds. 200 ``{"status": "ok", "checks": {...}}`` or 503 with
  ``"failing": [names]``.
* ``GET /metrics`` — Prometheus exposition (``saas_platform.observability.metrics``), here too so a
  scraper reaches every pod by IP.

Why a small module rather than django-health-check: its checks are served by a URL view, i.e.
after the tenant middleware has already refused the pod-IP host, its storage check cannot follow
our tenant-prefixed storage, it has no notion of a beat heartbeat, and its JSON differs from the
contract the deploy files use. The checks themselves are a few lines each.

Beat heartbeat: beat runs ``saas_platform.beat_heartbeat`` every minute (and records one as it
starts); the worker that runs it writes the UTC epoch seconds under the cache key
``BEAT_HEARTBEAT_KEY`` (``beat:heartbeat``, behind the cache's ``KEY_PREFIX``: in Redis
``baoxiu:1:beat:heartbeat``). A fresh value proves beat, the broker and a worker all run.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse

BEAT_HEARTBEAT_KEY = "beat:heartbeat"
# Long enough to outlive several missed beats, so "stale" (old value) and "never ran" differ.
BEAT_HEARTBEAT_TTL = 24 * 3600
PROBE_PREFIX = "health"


def beat_heartbeat_record(now: float | None = None) -> float:
    """Store beat's heartbeat (UTC epoch seconds); returns the stored value."""
    stamp = time.time() if now is None else now
    cache.set(BEAT_HEARTBEAT_KEY, stamp, BEAT_HEARTBEAT_TTL)
    return stamp


def beat_heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since beat's last heartbeat, ``None`` when none was ever recorded."""
    stamp = cache.get(BEAT_HEARTBEAT_KEY)
    if stamp is None:
        return None
    return max((time.time() if now is None else now) - float(stamp), 0.0)


def beat_expected() -> bool:
    return bool(getattr(settings, "HEALTH_BEAT_EXPECTED", False))


def beat_max_age() -> float:
    return float(getattr(settings, "HEALTH_BEAT_MAX_AGE", 180))


class CheckFailed(Exception):
    """A readiness check's failure, with the reason shown in ``/readyz``."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("SELECT 1 returned something else")


def check_cache() -> None:
    key = f"health:probe:{uuid.uuid4().hex}"
    cache.set(key, "ok", 30)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise CheckFailed("the cache did not return the value just written")


def check_storage() -> None:
    """Write, read back and delete a small object (S3 or the shared media directory)."""
    set_public = getattr(connection, "set_schema_to_public", None)
    if set_public is not None:
        set_public()  # the storage prefixes keys with the active schema: probe under public/
    payload = uuid.uuid4().hex.encode()
    name = default_storage.save(f"{PROBE_PREFIX}/probe-{uuid.uuid4().hex}.txt", ContentFile(payload))
    try:
        with default_storage.open(name, "rb") as handle:
            if handle.read() != payload:
                raise CheckFailed("the storage returned other bytes than written")
    finally:
        default_storage.delete(name)


def check_beat() -> None:
    age = beat_heartbeat_age()
    if age is None:
        raise CheckFailed("no heartbeat from beat yet")
    if age > beat_max_age():
        raise CheckFailed(f"last heartbeat {int(age)} s ago (limit {int(beat_max_age())} s)")


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {
        "database": check_database,
        "cache": check_cache,
        "storage": check_storage,
    }
    if beat_expected():
        checks["beat"] = check_beat
    return checks


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check; returns (all fine, {name: "ok" or the reason it failed})."""
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means "not ready", with its reason
            results[name] = f"{type(exc).__name__}: {exc}"[:300]
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def healthz_response() -> HttpResponse:
    return _no_store(JsonResponse({"status": "ok"}))


def readyz_response() -> HttpResponse:
    ok, checks = readiness()
    body: dict[str, Any] = {"status": "ok" if ok else "fail", "checks": checks}
    if not ok:
        body["failing"] = [name for name, value in checks.items() if value != "ok"]
    return _no_store(JsonResponse(body, status=200 if ok else 503))


class HealthMiddleware:
    """Answers ``/healthz``, ``/readyz`` and ``/metrics`` on any host, before anything else runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if request.method in {"GET", "HEAD"}:
            if path == "/healthz":
                return healthz_response()
            if path == "/readyz":
                return readyz_response()
            if path == "/metrics":
                from saas_platform.observability.metrics import metrics_response

                return metrics_response(request)
        return self.get_response(request)
