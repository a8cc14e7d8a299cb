"""Two tenants asked, concurrently from many threads, for "their" machine with the same serial number:
each tenant's schema holds one asset with serial SN-STACK-SHARED but its own machine number
(NO-A / NO-B). An answer is wrong when it is not the asking tenant's machine; it is a leak when it
is the other tenant's."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tests.stack.client import Browser

SERIAL = "SN-STACK-SHARED"


@dataclass
class Tally:
    requests: int
    wrong: int  # not the asking tenant's machine (an error page, "not found", or a leak)
    leaks: int  # the other tenant's machine
    statuses: Counter[int]


def hammer(
    make_browser: Callable[[str, int], Browser],
    tenants: dict[str, tuple[str, str]],
    *,
    threads_per_tenant: int,
    requests_per_thread: int,
    stop_after_leaks: int = 0,
) -> Tally:
    """``tenants``: host → (own machine number, the other tenant's). ``make_browser(host, i)``.
    ``stop_after_leaks``: stop early once that many leaks were seen (a detector that has fired)."""
    lock = threading.Lock()
    enough = threading.Event()
    tally = Tally(0, 0, 0, Counter())
    errors: list[BaseException] = []

    def work(host: str, own: str, other: str, index: int) -> None:
        browser = make_browser(host, index)
        try:
            for _ in range(requests_per_thread):
                if enough.is_set():
                    return
                response = browser.get(f"/report/?q={SERIAL}")
                text = response.text
                with lock:
                    tally.requests += 1
                    tally.statuses[response.status] += 1
                    if response.status != 200 or own not in text:
                        tally.wrong += 1
                    if other in text:
                        tally.leaks += 1
                        if stop_after_leaks and tally.leaks >= stop_after_leaks:
                            enough.set()
        except BaseException as exc:  # reported below; a dead thread must not pass silently
            errors.append(exc)
        finally:
            browser.close()

    workers = [
        threading.Thread(target=work, args=(host, own, other, index))
        for host, (own, other) in tenants.items()
        for index in range(threads_per_tenant)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=600)
    assert not errors, errors[:3]
    assert enough.is_set() or tally.requests == len(workers) * requests_per_thread, tally
    return tally
