"""Issue 11, point 2: the request path never waits on the broker. With the broker down (the cache
up), a submit takes at most twice its normal time — the outbox rows are committed and the sweeper
relays them later — and every submit is answered 201."""

from __future__ import annotations

import statistics

import pytest

from tests.faults.conftest import Stack

# The stack is restored from this session's migrated test database: ask pytest-django to set it up.
pytestmark = pytest.mark.django_db

SUBMITS = 5


def _median_submit_seconds(stack: Stack) -> float:
    answers = [stack.submit() for _ in range(SUBMITS)]
    assert [a.status for a in answers] == [201] * SUBMITS, answers[0].body[:500]
    return statistics.median(a.seconds for a in answers)


def test_a_submit_while_the_broker_is_down_takes_at_most_twice_the_normal_time(up: Stack) -> None:
    _median_submit_seconds(up)  # warm both gunicorn workers
    normal = _median_submit_seconds(up)
    before = up.query(f"SELECT count(*) FROM {up.seed['schema']}.repair_forms_repairorder")[0][0]

    up.broker.stop()
    down = _median_submit_seconds(up)
    down_again = _median_submit_seconds(up)
    up.broker.start()

    assert max(down, down_again) <= 2 * normal, (normal, down, down_again)
    after = up.query(f"SELECT count(*) FROM {up.seed['schema']}.repair_forms_repairorder")[0][0]
    assert after - before == 2 * SUBMITS  # every order the customer was told about exists
