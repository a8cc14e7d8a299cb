"""The stack test's detectors catch the failures the issue reported: each misconfiguration is run
for real beside the healthy stack, and the same check that passes there fails here.

* PgBouncer in transaction mode: the tenant hammer sees the other tenant's rows.
* Beat cannot write its schedule: beat exits and ``beat_alive`` says it is dead.
* The proxy's address taken as the client's (no TRUSTED_PROXIES): a customer who never asked for a
  code is refused because another customer behind the same proxy used up "their" daily limit.
"""

from __future__ import annotations

import time

import pytest

from tests.stack.client import Browser
from tests.stack.hammer import hammer
from tests.stack.processes import free_port
from tests.stack.test_production_stack import TENANT_A, TENANT_B, send_code, sms_codes
from tests.stack.topology import BASE_DOMAIN, Stack, caddy_run, celery_start, gunicorn_start, pgbouncer_start


def test_a_transaction_mode_pgbouncer_serves_one_tenant_the_other_tenants_rows(stack: Stack) -> None:
    bouncer, port = pgbouncer_start(stack.work, stack.db, mode="transaction", name="pgbouncer-transaction")
    stack.procs["pgbouncer-transaction"] = bouncer
    try:
        web, web_port = gunicorn_start(stack, "r-transaction", DATABASE_URL=stack.db.url_via(port))
        started = time.monotonic()
        tally = hammer(
            lambda host, i: Browser(host, web_port, extra_headers={"X-Forwarded-Proto": "https"}),
            {TENANT_A: ("NO-A", "NO-B"), TENANT_B: ("NO-B", "NO-A")},
            threads_per_tenant=3,
            requests_per_thread=100,
            stop_after_leaks=10,  # the detector has fired; no need to finish the 600 requests
        )
    finally:
        stack.procs["r-transaction"].stop()
        bouncer.stop()
    print(
        f"transaction mode: {tally.requests} requests, {tally.wrong} wrong, {tally.leaks} showed the "
        f"other tenant's machine, {dict(tally.statuses)}, {time.monotonic() - started:.1f} s"
    )
    assert tally.leaks > 0, tally
    assert tally.wrong >= tally.leaks


def test_beat_that_cannot_write_its_schedule_exits_and_is_reported_dead(stack: Stack) -> None:
    blocker = stack.work / "a-file-not-a-directory"
    blocker.write_text("")  # even root cannot create a file below a regular file
    isolated = {"REDIS_URL": f"redis://127.0.0.1:{stack.redis_port}/1"}  # its own heartbeat key space
    beat = celery_start(
        stack,
        "beat-unwritable",
        "beat",
        CELERY_BEAT_SCHEDULE_FILENAME=str(blocker / "celerybeat-schedule"),
        **isolated,
    )
    assert beat.popen is not None
    assert beat.popen.wait(timeout=120) != 0, beat.describe()
    with pytest.raises(RuntimeError, match="exit 1"):
        stack.manage("beat-alive-unwritable", "beat_alive", "--max-age", "180", env=isolated)


def test_with_no_trusted_proxy_every_customer_behind_the_proxy_shares_one_address(stack: Stack) -> None:
    # A replica that does not trust the proxy's X-Forwarded-For, behind its own Caddy, with its own
    # Redis database (fresh counters). SMS_DAILY_LIMIT_PER_IP is 4.
    _web, web_port = gunicorn_start(
        stack,
        "r-untrusted",
        workers=1,
        TRUSTED_PROXIES="",
        REDIS_URL=f"redis://127.0.0.1:{stack.redis_port}/2",
    )
    https_port = free_port()
    _caddy, ca_file = caddy_run(stack, "caddy-untrusted", [web_port], https_port, free_port())
    try:
        first = Browser(BASE_DOMAIN, https_port, ca_file=ca_file, source="127.0.0.4")
        answers = [send_code(first, f"1370000001{index}") for index in range(4)]
        assert [a["ok"] for a in answers] == [True, True, True, True], answers

        second = Browser(BASE_DOMAIN, https_port, ca_file=ca_file, source="127.0.0.5")
        refused = send_code(second, "13700000020")
    finally:
        stack.procs["caddy-untrusted"].stop()
        stack.procs["r-untrusted"].stop()
    assert refused["ok"] is False and refused["reason"] == "daily_limit_ip", refused
    assert sms_codes(stack, "+8613700000020") == []
