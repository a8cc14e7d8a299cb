"""Memory per process, at rest and while a large photo is uploaded — the figures deploy/k8s's
requests and limits are sized from (bench/README.md "Memory per process").

    .venv/bin/python -m tests.stack.measure_memory

Starts the stack topology (tests/stack/topology.py), then samples the resident set size (VmRSS) of
every gunicorn worker and Celery process every 20 ms from /proc: at rest after warm-up, and while a
customer sends an order with a 40-megapixel JPEG (made with Pillow) through one replica and the
worker delivers its notifications.
"""

from __future__ import annotations

import io
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from PIL import Image

from tests.stack.test_production_stack import customer_signs_in, replica, submit_order
from tests.stack.topology import BASE_DOMAIN, stack_up

MEGAPIXELS = 40


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def large_jpeg() -> bytes:
    width, height = 7744, 5164  # 40 MP, a full-frame camera's photo
    # Smooth enough to stay under the app's 10 MB upload limit (about 4.5 MB), still 40 MP to decode.
    image = Image.effect_noise((width // 16, height // 16), 48).convert("RGB").resize((width, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class Sampler:
    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, pids in self.pids.items():
                self.peak[name] = max(self.peak[name], max(rss_mib(pid) for pid in pids))
            time.sleep(0.02)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    photo = large_jpeg()
    with ExitStack() as exits:
        stack = stack_up(exits)
        host = f"stackb.{BASE_DOMAIN}"
        customer = replica(stack, "r1", host)
        customer_signs_in(stack, customer, "13755556666")
        for _ in range(20):  # warm both gunicorn workers: templates, translations, connections
            customer.get("/report/?q=SN-STACK-SHARED")
        time.sleep(3)
        pids = {
            "gunicorn worker": children(stack.procs["r1"].pid),
            "celery worker (pool process)": children(stack.procs["worker"].pid),
            "celery worker (main)": [stack.procs["worker"].pid],
            "beat": [stack.procs["beat"].pid],
        }
        rest = {name: max(rss_mib(pid) for pid in group) for name, group in pids.items()}
        with Sampler(pids) as sampler:
            started = time.monotonic()
            submit_order(customer, fault="40 MP photo", photo=photo)
            upload_seconds = time.monotonic() - started
            time.sleep(10)  # the worker delivers the order's notifications
        print(
            f"photo: {len(photo) / 1e6:.1f} MB JPEG, {MEGAPIXELS} MP; upload + submit {upload_seconds:.1f} s"
        )
        for name in pids:
            print(f"{name}: at rest {rest[name]:.0f} MiB, peak during upload {sampler.peak[name]:.0f} MiB")


if __name__ == "__main__":
    main()
