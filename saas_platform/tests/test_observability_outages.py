"""Readiness follows Redis (a redis-server we start and stop), and Sentry — tried against a loopback
endpoint the SDK really posts to — gets the tenant tag and never a phone number."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django_structlog.middlewares import RequestMiddleware
from django_tenants.utils import schema_context

from saas_platform import health
from saas_platform.observability.middleware import RequestIdMiddleware, TenantLogContextMiddleware
from saas_platform.observability.sentry import init_sentry
from tests.actors import host_of
from tests.servers import RedisServer


@pytest.fixture
def redis_cache() -> Iterator[RedisServer]:
    server = RedisServer().start()
    caches = {
        "default": {
            "BACKEND": "tenants.cache_backend.FailSoftRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    with override_settings(CACHES=caches, HEALTH_BEAT_EXPECTED=True):
        yield server
    server.stop()
    from tenants.cache_backend import _Outage

    _Outage.reset()  # the outage we caused (and the writes it dropped) is over for the next test


def test_readiness_fails_when_redis_stops_while_liveness_stays_up(db: Any, redis_cache: RedisServer) -> None:
    probe = Client(HTTP_HOST="10.244.3.4")
    health.beat_heartbeat_record()
    assert probe.get("/readyz").status_code == 200

    redis_cache.stop()
    ready = probe.get("/readyz")
    assert ready.status_code == 503
    assert {"cache", "beat"} <= set(ready.json()["failing"])
    assert ready.json()["checks"]["database"] == "ok"
    assert probe.get("/healthz").status_code == 200


class _Envelopes(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        type(self).received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def sentry_endpoint() -> Iterator[list[bytes]]:
    _Envelopes.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Envelopes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    assert init_sentry(f"http://publickey@127.0.0.1:{server.server_address[1]}/42", environment="test")
    yield _Envelopes.received
    sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init()  # no DSN: the SDK is off again for the other tests
    server.shutdown()


def _events(envelopes: list[bytes]) -> list[dict[str, Any]]:
    events = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                events.append(json.loads(payload))
    return events


def test_an_error_reaches_sentry_with_the_tenant_and_request_id_and_no_phone_number(
    actors: Any, sentry_endpoint: list[bytes]
) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        try:
            raise RuntimeError("SMS to 13812345678 refused by the gateway")
        except RuntimeError:
            sentry_sdk.capture_exception()
        return HttpResponse("handled")

    stack = RequestIdMiddleware(RequestMiddleware(TenantLogContextMiddleware(view)))  # type: ignore[arg-type]
    request = RequestFactory().post("/sms/", {"phone": "13812345678"}, HTTP_HOST=host_of(actors.tenant_a))
    request.tenant = actors.tenant_a  # type: ignore[attr-defined]
    with schema_context(actors.tenant_a.schema_name):
        response = stack(request)
    sentry_sdk.flush(timeout=5)

    events = _events(sentry_endpoint)
    assert len(events) == 1
    event = events[0]
    assert event["tags"]["tenant"] == actors.tenant_a.schema_name
    assert event["tags"]["request_id"] == response["X-Request-ID"]
    raw = b"".join(sentry_endpoint).decode()
    assert "13812345678" not in raw
    assert "RuntimeError" in raw
