"""A broker outage delays notifications but never loses or doubles one.

The Celery app is switched to a real Redis broker on a free port of our own: while nothing listens
there, 50 customers submit orders (every submit succeeds; the enqueue after commit fails and is
logged). Then our own redis-server starts on that port, the sweeper runs and a worker drains the
queue: every expected notice is delivered exactly once, and sweeping again sends nothing."""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import typing
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery import current_app
from django_tenants.utils import schema_context
from kombu import pools

from integrations.models import Channel, Notification, NotificationStatus
from integrations.notifications.tasks import sweep_notifications
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import APPID_A
from repair_forms import services

ORDERS = 50
QUEUE = "baoxiu"

# A real Redis server is part of this test; `make test` installs Debian's redis-server when missing.
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reset_pools(app: Any) -> None:
    """Forget pooled broker connections so the next publish connects to the current broker_url."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker() -> Iterator[dict[str, Any]]:
    """The Celery app publishing to redis://127.0.0.1:<port> — with nothing listening yet."""
    app = typing.cast(Any, current_app)._get_current_object()
    port = _free_port()
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
    _reset_pools(app)
    state: dict[str, Any] = {"app": app, "port": port, "process": None}
    yield state
    app.conf.update(saved)
    _reset_pools(app)
    process = state["process"]
    if process is not None:
        process.terminate()
        process.wait(timeout=10)


def _start_redis(state: dict[str, Any]) -> redis.Redis:
    process = subprocess.Popen(  # noqa: S603 (our own throwaway server on a free loopback port)
        [
            REDIS_SERVER,
            "--port",
            str(state["port"]),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    state["process"] = process
    client = redis.Redis(host="127.0.0.1", port=state["port"], db=0)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    _reset_pools(state["app"])
    return client


def _drain(app: Any, client: redis.Redis) -> Counter[str]:
    """A worker: run every queued task (in the schema it was sent from) until the queue is empty."""
    ran: Counter[str] = Counter()
    while True:
        raw: Any = client.rpop(QUEUE)
        if raw is None:
            return ran
        message = json.loads(raw)
        headers = message["headers"]
        body = json.loads(base64.b64decode(message["body"]))
        args, kwargs = body[0], body[1]
        with schema_context(headers.get("_schema_name") or "public"):
            app.tasks[headers["task"]].apply(args=args, kwargs=kwargs, headers=headers)
        ran[headers["task"]] += 1


def test_orders_submitted_while_the_broker_is_down_are_all_notified_exactly_once_after(
    broker: dict[str, Any],
    wechat_a: Any,
    cast: Any,
    sms_outbox: list[Any],
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    fake = wechat_a.fake
    for person, openid in ((cast.reporter, "o_rep_down"), (cast.manager, "o_mgr_down")):
        person.wechat_openid = openid
        person.save(update_fields=["wechat_openid"])
        fake.followers[APPID_A].add(openid)

    numbers = []
    for _ in range(ORDERS):
        with django_capture_on_commit_callbacks(execute=True):
            order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        numbers.append(order.number)
    assert len(set(numbers)) == ORDERS
    assert not Notification.objects.exists()  # nothing could be enqueued…
    assert "could not enqueue integrations.fan_out_event" in caplog.text  # …and it was logged

    client = _start_redis(broker)  # the broker is back
    sweep_notifications.apply(kwargs={"grace_seconds": 0})  # beat's periodic sweep
    ran = _drain(broker["app"], client)
    assert ran["integrations.deliver_notifications"] >= 1  # delivered by the worker, from the queue

    # Per order: reporter and manager by WeChat, admin and dispatcher by SMS, all four in-app.
    assert Notification.objects.count() == ORDERS * 8
    assert not Notification.objects.exclude(status=NotificationStatus.SENT).exists()
    per_person_and_order = Counter((s.touser, s.data["character_string1"]["value"]) for s in fake.sent)
    assert len(per_person_and_order) == ORDERS * 2
    assert set(per_person_and_order.values()) == {1}
    assert {number for _user, number in per_person_and_order} == set(numbers)
    sms = Counter((m.phone, m.params["number"]) for m in sms_outbox)
    assert len(sms) == ORDERS * 2 and set(sms.values()) == {1}

    # Sweeping again (and again) sends nothing more.
    sweep_notifications.apply(kwargs={"grace_seconds": 0})
    _drain(broker["app"], client)
    assert len(fake.sent) == ORDERS * 2
    assert len(sms_outbox) == ORDERS * 2
    assert Notification.objects.filter(channel=Channel.INAPP).count() == ORDERS * 4
