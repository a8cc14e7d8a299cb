"""Structured logs: a tenant request and the task it enqueued share one request id and name the
tenant; JSON lines with UTC timestamps; secrets and phone numbers never reach a line."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import time
import typing
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from celery import current_app, shared_task
from celery.contrib.testing.worker import start_worker
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django_structlog.middlewares import RequestMiddleware
from django_tenants.utils import schema_context

from saas_platform.observability.logging import logging_config
from saas_platform.observability.middleware import RequestIdMiddleware, TenantLogContextMiddleware
from saas_platform.observability.redact import SecretMaskingFilter
from tests.actors import client_for, host_of


@shared_task(name="tests.log_probe", ignore_result=True)
def log_probe() -> None:
    structlog.get_logger("tests.probe").info("probe_ran")


class JsonLog:
    """Every log record, rendered by the production formatter (JSON) and masking filter."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.startswith("{")]


@pytest.fixture
def json_log() -> Iterator[JsonLog]:
    log = JsonLog()
    config = logging_config("json")
    configurator = logging.config.DictConfigurator(config)
    formatter = configurator.configure_formatter(config["formatters"]["structured"])
    handler = logging.StreamHandler(log.stream)
    handler.setFormatter(formatter)
    handler.addFilter(SecretMaskingFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield log
    root.removeHandler(handler)
    root.setLevel(previous_level)


@override_settings(TRUSTED_PROXIES=["127.0.0.0/8"])
def test_a_tenant_request_logs_one_json_line_with_its_request_id_tenant_and_route(
    actors: Any, json_log: JsonLog
) -> None:
    client = client_for(actors.tenant_a, actors.owner_a)
    response = client.get("/console/", HTTP_X_REQUEST_ID="edge-4f2a9c")
    assert response["X-Request-ID"] == "edge-4f2a9c"
    finished = [r for r in json_log.lines() if r.get("event") == "request_finished"]
    assert len(finished) == 1
    line = finished[0]
    assert line["request_id"] == "edge-4f2a9c"
    assert line["tenant"] == actors.tenant_a.schema_name
    assert line["host"] == host_of(actors.tenant_a)
    assert line["route"].startswith("console:")
    assert line["code"] == response.status_code
    assert line["user_kind"] == "staff" and line["user_id"]
    assert line["duration_ms"] >= 0
    assert line["timestamp"].endswith("Z")  # UTC, whatever TIME_ZONE is


def test_a_request_id_from_an_untrusted_peer_is_replaced(actors: Any) -> None:
    client = client_for(actors.tenant_a, actors.owner_a)
    response = client.get("/console/", HTTP_X_REQUEST_ID="forged-by-a-client", REMOTE_ADDR="203.0.113.7")
    assert response["X-Request-ID"] != "forged-by-a-client"
    assert len(response["X-Request-ID"]) == 32


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real Celery worker thread on the in-memory broker (tasks leave the request as messages)."""
    from celery.fixups.django import DjangoWorkerFixup  # type: ignore[attr-defined]

    # The worker's Django fixup closes DB connections at start; the test's transaction must live.
    monkeypatch.setattr(DjangoWorkerFixup, "close_database", lambda self, **kwargs: None)
    monkeypatch.setattr(DjangoWorkerFixup, "on_worker_process_init", lambda self, **kwargs: None)
    app = typing.cast(Any, current_app)._get_current_object()
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app
    app.conf.task_always_eager = saved


@override_settings(TRUSTED_PROXIES=["127.0.0.0/8"])
def test_the_task_a_request_enqueues_logs_the_same_request_id_and_tenant(
    actors: Any, worker: Any, json_log: JsonLog
) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        log_probe.apply_async()
        return HttpResponse("queued")

    stack = RequestIdMiddleware(RequestMiddleware(TenantLogContextMiddleware(view)))  # type: ignore[arg-type]
    request = RequestFactory().get("/queue/", HTTP_HOST=host_of(actors.tenant_a), HTTP_X_REQUEST_ID="edge-77")
    request.tenant = actors.tenant_a  # type: ignore[attr-defined]
    with schema_context(actors.tenant_a.schema_name):
        response = stack(request)
    assert response["X-Request-ID"] == "edge-77"

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ran = [r for r in json_log.lines() if r.get("event") == "probe_ran"]
        if ran:
            break
        time.sleep(0.1)
    assert ran, "the worker did not run the task"
    task_line = ran[0]
    assert task_line["request_id"] == "edge-77"
    assert task_line["tenant"] == actors.tenant_a.schema_name
    assert task_line["task"] == "tests.log_probe" and task_line["task_id"]
    enqueued = [r for r in json_log.lines() if r.get("event") == "task_enqueued"]
    assert enqueued and enqueued[0]["request_id"] == "edge-77"


def test_secrets_and_phone_numbers_never_reach_a_json_line(json_log: JsonLog) -> None:
    log = structlog.get_logger("tests.secrets")
    log.info(
        "wechat_call",
        url="https://api.weixin.qq.com/cgi-bin/token?appid=wx1&secret=APPSECRET123456",
        headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"},
        password="hunter2-secret",
        phone="13812345678",
        note="call 13987654321 about it",
    )
    logging.getLogger("tests.plain").warning(
        'token answer {"access_token": "ACCESS-XYZ-987", "expires_in": 7200} AppSecret=abcdEFGH1234'
    )
    text = json.dumps(json_log.lines(), ensure_ascii=False)
    for secret in (
        "APPSECRET123456",
        "eyJhbGciOiJIUzI1NiJ9",
        "hunter2-secret",
        "ACCESS-XYZ-987",
        "abcdEFGH1234",
    ):
        assert secret not in text
    for phone in ("13812345678", "13987654321"):
        assert phone not in text
    line = next(r for r in json_log.lines() if r.get("event") == "wechat_call")
    assert line["phone"] == "***5678"  # enough to tell two people apart
    assert "secret=***" in line["url"]
