"""Issue 11, point 4: PostgreSQL restarted under load. Customers keep submitting; each retries a
failed submit with the same ``Idempotency-Key``. No order that committed was answered with a 5xx (a
5xx followed by a replayed 201 would be one), every retried submit filed exactly one order, and the
order notices sent around the restart reached the SMS provider once each."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest

from tests.faults.conftest import Stack

# The stack is restored from this session's migrated test database: ask pytest-django to set it up.
pytestmark = pytest.mark.django_db

CUSTOMERS = 3
ORDERS_EACH = 4

SWEEP = """
from django_tenants.utils import schema_context
from integrations.notifications.tasks import sweep_tenant
with schema_context({schema!r}):
    print(json.dumps(sweep_tenant(grace_seconds=0, deliver_inline=True)))
"""


def _submit_until_answered(stack: Stack, text: str) -> list[tuple[int, bool]]:
    """(status, replayed) of every attempt, retrying with the same key until a 2xx or 4xx."""
    key = str(uuid.uuid4())
    attempts: list[tuple[int, bool]] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            answer = stack.submit(text=text, headers={"Idempotency-Key": key})
        except OSError:  # the connection dropped: as good as a 5xx to the customer
            attempts.append((599, False))
        else:
            replayed = answer.headers.get("Idempotent-Replayed") == "true"
            attempts.append((answer.status, replayed))
            if answer.status < 500:
                return attempts
        time.sleep(0.3)
    return attempts


def test_a_database_restart_under_load_never_answers_a_committed_order_with_a_5xx(up: Stack) -> None:
    run = uuid.uuid4().hex[:6]
    results: dict[str, list[tuple[int, bool]]] = {}
    done = Counter[str]()

    def customer(n: int) -> None:
        for i in range(ORDERS_EACH):
            text = f"重启{run}-{n}-{i}"
            results[text] = _submit_until_answered(up, text)
            done["orders"] += 1

    up.start_worker()
    threads = [threading.Thread(target=customer, args=(n,)) for n in range(CUSTOMERS)]
    for thread in threads:
        thread.start()
    up.wait(lambda: done["orders"] >= CUSTOMERS, timeout=120, what="load before the restart")
    up.pg.stop("fast")  # in-flight transactions are cut; new connections are refused meanwhile
    time.sleep(3)
    up.pg.start()
    for thread in threads:
        thread.join(timeout=180)

    failed_then_committed = [t for t, a in results.items() if any(s >= 500 for s, _ in a) and a[-1][1]]
    assert not failed_then_committed, {t: results[t] for t in failed_then_committed}
    assert all(a[-1][0] == 201 for a in results.values()), results
    assert any(s >= 500 for a in results.values() for s, _ in a), "the restart hit no request"
    filed: dict[str, int] = dict(
        up.query(
            f"SELECT fault_description, count(*) FROM {up.seed['schema']}.repair_forms_repairorder "
            "WHERE fault_description LIKE %s GROUP BY fault_description",
            (f"重启{run}-%",),
        )
    )
    assert filed == dict.fromkeys(results, 1)

    # The notices of these orders, sent around the restart: each reached the provider once.
    numbers = {
        row[0]
        for row in up.query(
            f"SELECT number FROM {up.seed['schema']}.repair_forms_repairorder "
            "WHERE fault_description LIKE %s",
            (f"重启{run}-%",),
        )
    }
    up.run(SWEEP.format(schema=up.seed["schema"]))
    sms_rows = (
        f"SELECT count(*) FROM {up.seed['schema']}.integrations_notification n "
        f"JOIN {up.seed['schema']}.repair_forms_orderevent e ON e.id = n.event_id "
        f"JOIN {up.seed['schema']}.repair_forms_repairorder o ON o.id = e.order_id "
        "WHERE n.channel = 'sms' AND o.fault_description LIKE %s AND n.status <> 'sent'"
    )
    up.wait(lambda: up.query(sms_rows, (f"重启{run}-%",))[0][0] == 0, timeout=60, what="notices sent")
    up.stop_worker()
    per_notice = Counter(
        (d["phone"], tuple(d["params"])) for d in up.sms.delivered if set(d["params"]) & numbers
    )
    assert per_notice and set(per_notice.values()) == {1}, per_notice
