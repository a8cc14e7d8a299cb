"""Probes answer on any Host (the kubelet calls the pod IP) and readiness names what is broken."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from saas_platform import health


def test_liveness_answers_on_a_pod_ip_host_without_touching_the_database(db: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = Client(HTTP_HOST="10.244.1.17:8000").get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert len(queries) == 0


def test_liveness_answers_on_an_unknown_host(db: Any) -> None:
    assert Client(HTTP_HOST="nobody.example.org").get("/healthz").status_code == 200


def test_readiness_reports_every_check_ok_on_any_host(db: Any) -> None:
    response = Client(HTTP_HOST="10.244.1.17").get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "storage": "ok"}


def test_readiness_leaves_no_probe_file_behind(db: Any, settings: Any) -> None:
    Client(HTTP_HOST="10.0.0.1").get("/readyz")
    leftovers = list((settings.MEDIA_ROOT / "public" / health.PROBE_PREFIX).glob("*"))
    assert leftovers == []


@override_settings(HEALTH_BEAT_EXPECTED=True, HEALTH_BEAT_MAX_AGE=180)
def test_readiness_fails_naming_beat_when_the_heartbeat_is_stale(db: Any) -> None:
    client = Client(HTTP_HOST="10.0.0.1")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]

    health.beat_heartbeat_record(now=time.time() - 600)
    assert client.get("/readyz").json()["failing"] == ["beat"]

    health.beat_heartbeat_record()
    assert client.get("/readyz").status_code == 200


def test_readiness_fails_naming_storage_when_it_cannot_write(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.storage import default_storage

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise OSError("read-only file system")

    monkeypatch.setattr(default_storage, "save", refuse)
    response = Client(HTTP_HOST="10.0.0.1").get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert "read-only" in response.json()["checks"]["storage"]


def test_the_heartbeat_task_feeds_the_beat_liveness_command(db: Any) -> None:
    from saas_platform.tasks import beat_heartbeat

    with pytest.raises(SystemExit) as missing:
        call_command("beat_alive", "--max-age", "180")
    assert missing.value.code == 1

    beat_heartbeat.apply()
    call_command("beat_alive", "--max-age", "180")  # returns normally: exit status 0

    health.beat_heartbeat_record(now=time.time() - 400)
    with pytest.raises(SystemExit) as stale:
        call_command("beat_alive", "--max-age", "180")
    assert stale.value.code == 1


def test_beat_runs_the_heartbeat_every_minute_and_keeps_its_schedule_under_var(settings: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["beat-heartbeat"]
    assert entry["task"] == "saas_platform.beat_heartbeat"
    assert entry["schedule"].total_seconds() == 60
    assert settings.CELERY_BEAT_SCHEDULE_FILENAME.endswith("celerybeat-schedule")
    assert "/var" in settings.CELERY_BEAT_SCHEDULE_FILENAME
