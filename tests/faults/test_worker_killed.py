"""Issue 11, point 3: a Celery worker SIGKILLed in the middle of a delivery batch re-sends nothing.
Each message's outcome is written before the next send, so after the lease runs out and the sweeper
retries, the loopback SMS provider has received every order notice exactly once (counted at the
fake, not in our log)."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.faults.conftest import Stack

# The stack is restored from this session's migrated test database: ask pytest-django to set it up.
pytestmark = pytest.mark.django_db

ORDERS = 6
KILL_AT = 4  # the SMS request held (and never delivered) when the worker dies

SMS_ROWS = (
    "SELECT status, count(*) FROM {schema}.integrations_notification WHERE channel = 'sms' GROUP BY status"
)
SWEEP = """
from django_tenants.utils import schema_context
from integrations.notifications.tasks import sweep_tenant
with schema_context({schema!r}):
    print(json.dumps(sweep_tenant(grace_seconds=0, deliver_inline=True)))
"""
# The relay, by hand: fan the orders' events out and queue every due notice as one batch.
QUEUE_ONE_BATCH = """
from django_tenants.utils import schema_context
from integrations.notifications import services
from integrations.notifications.tasks import enqueue_deliveries
with schema_context({schema!r}):
    for event_id in services.events_not_fanned_out(grace_seconds=0):
        services.notifications_fan_out(event_id=event_id)
    due = services.notifications_due(grace_seconds=0)
    print(json.dumps({{"queued": enqueue_deliveries(due), "due": len(due)}}))
"""


def _sms_rows(stack: Stack) -> dict[str, int]:
    return dict(stack.query(SMS_ROWS.format(schema=stack.seed["schema"])))


def test_a_worker_killed_mid_batch_leaves_no_duplicate_sms_at_the_provider(up: Stack) -> None:
    up.stop_worker()
    before_rows = sum(_sms_rows(up).values())
    up.broker.stop()  # the submits' own enqueues fail: the outbox rows wait for the relay
    numbers = []
    for _ in range(ORDERS):
        answer = up.submit(text="工作进程被杀")
        assert answer.status == 201
        numbers.append(answer.json()["number"])
    up.broker.start()
    queued = up.run(QUEUE_ONE_BATCH.format(schema=up.seed["schema"]))
    assert queued["queued"] and queued["due"] >= ORDERS

    start = len(up.sms.delivered)
    up.sms.held.clear()
    up.sms.release.clear()
    up.sms.gate_at = up.sms.arrived + KILL_AT
    up.start_worker()  # drains the queued fan-outs: each event's notices, one batch per event
    assert up.sms.held.wait(timeout=90), (
        "the worker never reached the provider:\n" + up.log.read_text()[-3000:]
    )
    up.kill_worker()
    up.sms.gate_at = 0
    up.sms.release.set()
    delivered_before_kill = len(up.sms.delivered) - start
    assert delivered_before_kill >= KILL_AT - 1

    time.sleep(3.5)  # NOTIFY_LEASE_SECONDS=3 in the stack: the killed worker's claims expire
    up.start_worker()
    up.run(SWEEP.format(schema=up.seed["schema"]))  # beat's sweep: fans out and re-sends what is due

    def all_sent() -> bool:
        rows = _sms_rows(up)
        return sum(rows.values()) > before_rows and set(rows) <= {"sent"}

    up.wait(all_sent, timeout=60, what="every SMS notice sent")
    up.stop_worker()

    sms_notices = sum(_sms_rows(up).values()) - before_rows
    ours = [d for d in up.sms.delivered[start:] if d["template"] != "1110"]
    per_message = Counter((d["phone"], tuple(d["params"])) for d in ours)
    assert {number for _phone, params in per_message for number in params if number in numbers} == set(
        numbers
    )
    assert len(ours) == sms_notices, (len(ours), sms_notices)
    assert set(per_message.values()) == {1}, [m for m, n in per_message.items() if n > 1]
