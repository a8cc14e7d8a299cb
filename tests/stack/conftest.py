"""One production topology for the whole stack suite (it takes about a minute to start): started
once, torn down at the end even when a test or the start itself fails; a failed test prints the
logs of every process that has died and the tail of the others."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tests.stack.topology import Stack, stack_up

_current: list[Stack] = []


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with ExitStack() as exits:
        started = stack_up(exits)
        _current.append(started)
        try:
            yield started
        finally:
            _current.remove(started)
            print(f"\nstack start timings (s): {started.timings}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    outcome: Any = yield
    report = outcome.get_result()
    if report.failed and _current:
        report.sections.append(("stack processes", _current[0].all_logs()))
