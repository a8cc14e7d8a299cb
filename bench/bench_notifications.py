"""Notification delivery: deliveries per second with 2 Celery workers (target >= 300/s), and access
token fetches per account under that load (target <= 1 per 2 hours).

What runs: our own redis-server on a free port (broker + shared cache), the loopback fake WeChat
(integrations/tests/fake_wechat.py) in this process, one provider with its official account
connected to the fake, N pending WeChat template notifications (one per customer), and two real
``celery worker -P solo`` processes. The clock runs from enqueueing the N delivery tasks to the last
row marked sent; every delivery is a claim (row lock), a template send through wechatpy to the
fake, and the result written back — the production path.

Token fetches are counted by the fake. The first fetch happens in the warm-up; the figure reported
is the fetches in the measured window extrapolated to an hour, plus the design bound (one fetch per
token lifetime: 7200 s minus the refresh margin).

    .venv/bin/python bench/bench_notifications.py [--db baoxiu_bench] [--notifications 3000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _django import ROOT, git_rev

APPID = "wx" + "be" * 8
SECRET = "B" * 32
TEMPLATE = "TPL_bench_order_update"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is needed for this benchmark")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    for _ in range(100):
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def _database_url(name: str) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = str(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + str(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def _prepare(count: int, fake: Any) -> tuple[Any, list[int]]:
    """One provider, its account connected to the fake, ``count`` pending WeChat notifications."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from accounts.models import Customer
    from integrations.models import Notification, WeChatAccount, WeChatConnection
    from repair_forms.models import OrderEvent, RepairOrder
    from tenants.models import Provider
    from tenants.services import OwnerSpec, provider_provision

    call_command("migrate_schemas", verbosity=0)
    provider = Provider.objects.filter(name="bench notifications").first() or provider_provision(
        name="bench notifications",
        subdomain="bench-notify",
        owner=OwnerSpec(phone="13800138000", password="bench123"),
    )
    with schema_context(provider.schema_name):
        Notification.objects.all().delete()
        account = WeChatAccount.objects.first() or WeChatAccount.objects.create()
        account.connection = WeChatConnection.MANUAL
        account.appid = APPID
        account.set_secret(SECRET)
        account.set_token("benchtoken")
        account.template_ids = {"order_update": TEMPLATE, "staff_alert": TEMPLATE, "work_order": TEMPLATE}
        account.save()
        existing = Customer.objects.filter(phone__startswith="+86139").count()
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"customer:+86139{n:08d}") for n in range(existing, count)]
        )
        Customer.objects.bulk_create(
            [
                Customer(user=user, phone=user.username.split(":")[1], wechat_openid=f"o_bench_{n}")
                for n, user in zip(range(existing, count), users, strict=True)
            ]
        )
        customers = list(Customer.objects.filter(phone__startswith="+86139").order_by("pk")[:count])
        order = RepairOrder.objects.filter(number="BX-20990101-00001").first() or RepairOrder.objects.create(
            number="BX-20990101-00001", reporter=customers[0]
        )
        event = OrderEvent.objects.create(order=order, transition="accept", actor_kind="system")
        data = {
            "character_string1": {"value": order.number},
            "thing2": {"value": "报修单受理通知"},
            "phrase3": {"value": "已受理"},
            "time4": {"value": "2099年1月1日 08:00"},
            "thing5": {"value": "我们会尽快安排工程师"},
        }
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    event=event,
                    customer=customer,
                    audience="reporter",
                    channel="wechat",
                    kind="accept:reporter",
                    address=customer.wechat_openid or "",
                    title="报修单受理通知",
                    body="bench",
                    payload={"slot": "order_update", "wechat": data},
                )
                for customer in customers
            ]
        )
        for customer in customers:
            fake.followers[APPID].add(customer.wechat_openid)
    return provider, [row.pk for row in rows]


def _worker_log(n: int) -> Any:
    """``BENCH_WORKER_LOG=/tmp/worker`` keeps each worker's log (with BENCH_WORKER_LOG_LEVEL=INFO:
    every task's run time)."""
    path = os.environ.get("BENCH_WORKER_LOG")
    return open(f"{path}{n}", "w") if path else subprocess.DEVNULL  # noqa: SIM115


def _start_workers(env: dict[str, str], count: int, threads: int) -> list[subprocess.Popen[bytes]]:
    celery = str(Path(sys.executable).parent / "celery")
    return [
        subprocess.Popen(
            [
                celery,
                "-A",
                "saas_platform.celery",
                "worker",
                "-P",
                "threads",
                "-c",
                str(threads),
                "-Q",
                "baoxiu",
                "-n",
                f"bench{n}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING"),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=_worker_log(n),
        )
        for n in range(count)
    ]


def _wait_sent(provider: Any, ids: list[int], timeout: float) -> float:
    """When the last of ``ids`` left pending/sending (polled every 50 ms, one cheap query)."""
    from django_tenants.utils import schema_context

    from integrations.models import Notification

    deadline = time.monotonic() + timeout
    low, high = min(ids), max(ids)
    with schema_context(provider.schema_name):
        while time.monotonic() < deadline:
            rows = Notification.objects.filter(pk__gte=low, pk__lte=high, status__in=["pending", "sending"])
            if not rows.exists():
                return time.monotonic()
            time.sleep(0.05)
    raise SystemExit(f"only part of {len(ids)} notifications were delivered within {timeout}s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="baoxiu_bench")
    parser.add_argument("--notifications", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--batch", type=int, default=10, help="notifications per task (an event fans out 2-10)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per worker (sends wait on the network)"
    )
    args = parser.parse_args()

    redis_port = _free_port()
    redis_process = _start_redis(redis_port)
    workers: list[subprocess.Popen[bytes]] = []
    server: Any = None
    try:
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        os.environ["CACHE_KEY_PREFIX"] = "bench"
        from _django import setup

        setup(args.db)
        from django.conf import settings
        from django_tenants.utils import schema_context

        from integrations.models import Notification
        from integrations.notifications.tasks import deliver_notifications
        from integrations.tests.fake_wechat import FakeWeChatServer
        from integrations.wechat import tokens

        server = FakeWeChatServer().start()
        fake = server.fake
        fake.add_app(APPID, SECRET, templates=(TEMPLATE,))
        for name, value in server.settings().items():
            setattr(settings, name, value)
        provider, ids = _prepare(args.notifications + 50, fake)
        warmup, measured = ids[:50], ids[50:]

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saas_platform.settings.base",
            "DATABASE_URL": _database_url(args.db),
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_KEY_PREFIX": "bench",
            "WECHAT_API_BASE_URL": server.base_url,
            "TENANT_SPARE_POOL_SIZE": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        workers = _start_workers(env, args.workers, args.threads)
        headers = {"_schema_name": provider.schema_name}
        with schema_context(provider.schema_name):
            for start in range(0, len(warmup), 10):  # workers start, the first token is fetched
                deliver_notifications.apply_async(args=(warmup[start : start + 10],), headers=headers)
        _wait_sent(provider, warmup, timeout=120)
        fetches_before = fake.token_fetches[APPID]
        started = time.monotonic()
        with schema_context(provider.schema_name):
            for start in range(0, len(measured), args.batch):
                batch = measured[start : start + args.batch]
                deliver_notifications.apply_async(args=(batch,), headers=headers)
        enqueued = time.monotonic()
        finished = _wait_sent(provider, measured, timeout=600)
        elapsed = finished - started
        fetches = fake.token_fetches[APPID] - fetches_before
        with schema_context(provider.schema_name):
            sent = Notification.objects.filter(pk__in=measured, status="sent").count()
        delivered_to_fake = len(fake.sent)
        lifetime = 7200 - tokens.EXPIRY_MARGIN_SECONDS
        print(
            json.dumps(
                {
                    "git": git_rev(),
                    "workers": args.workers,
                    "threads_per_worker": args.threads,
                    "notifications_per_task": args.batch,
                    "notifications": len(measured),
                    "sent": sent,
                    "fake_received_total": delivered_to_fake,
                    "seconds": round(elapsed, 2),
                    "enqueue_seconds": round(enqueued - started, 2),
                    "deliveries_per_second": round(len(measured) / elapsed, 1),
                    "token_fetches_in_window": fetches,
                    "token_fetches_per_hour_measured": round(fetches / elapsed * 3600, 2),
                    "token_fetches_per_hour_by_design": round(3600 / lifetime, 2),
                    "token_fetches_total_incl_warmup": fake.token_fetches[APPID],
                }
            ),
            flush=True,
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        if server is not None:
            server.stop()
        redis_process.terminate()
        redis_process.wait(timeout=10)


if __name__ == "__main__":
    main()
