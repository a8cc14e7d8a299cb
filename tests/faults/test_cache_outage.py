"""Issue 11, point 1: with the cache (Redis) down, tenant pages still answer 200 — host routing falls
back to the database with a short in-process cache, the outage is logged once per process, not per
request — and SMS sends fail closed with a clear message."""

from __future__ import annotations

import pytest

from tests.faults.conftest import Stack

# The stack is restored from this session's migrated test database: ask pytest-django to set it up.
pytestmark = pytest.mark.django_db

PAGES = ("/", "/api/v1/portal/orders/", "/healthz")


def _statuses(stack: Stack, rounds: int) -> list[int]:
    return [stack.request("GET", path).status for _ in range(rounds) for path in PAGES]


def test_tenant_pages_answer_200_while_the_cache_is_down_and_sms_sends_fail_closed(up: Stack) -> None:
    assert set(_statuses(up, 1)) == {200}
    logged_before = up.log.read_text(errors="replace").count("shared cache unreachable")

    up.cache.stop()
    down = _statuses(up, 15)
    assert down.count(200) == len(down), down

    code = up.request(
        "POST",
        "/sms/send-code/",
        host="baoxiu.test",
        form={"phone": "13912340001", "purpose": "signup"},
        headers={"Accept-Language": "en"},
        signed_in=False,
    )
    assert code.status == 503
    assert code.json()["error"] == "Text messages cannot be sent right now. Try again in a few minutes."
    chinese = up.request(
        "POST",
        "/sms/send-code/",
        host="baoxiu.test",
        form={"phone": "13912340001", "purpose": "signup"},
        signed_in=False,
    )
    assert chinese.status == 503 and chinese.json()["reason"] == "sms_unavailable"
    assert "短信" in chinese.json()["error"]

    # Logged once per web process (gunicorn runs two), not once per request.
    logged = up.log.read_text(errors="replace").count("shared cache unreachable") - logged_before
    assert 1 <= logged <= 2, logged

    up.cache.start()
    assert set(_statuses(up, 2)) == {200}
