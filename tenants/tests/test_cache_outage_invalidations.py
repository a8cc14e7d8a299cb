"""Invalidations made while Redis cannot be reached are not lost (``tenants.cache_backend``).

The outage here keeps Redis's data — the app reaches our redis-server through a loopback TCP relay
that the test cuts and mends, as a network partition would — so whatever the cache held before
the outage is still there when it answers again. A host route
dropped during the outage must not come back with it: the fail-soft backend remembers the delete
and sends it as soon as Redis answers, so every process (here: a plain Redis client, standing in
for another web process) stops seeing the old route.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.test import override_settings

from tenants import cache_backend
from tenants.domains import cache_key, tenant_for_host
from tenants.models import Domain
from tests.actors import host_of
from tests.servers import RedisServer, wait_for


class Partition:
    """A loopback TCP relay to ``port``; ``cut()`` drops every connection and refuses new ones
    (reset at once), ``mend()`` lets them through again. Redis itself keeps running, data and all."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.open: list[socket.socket] = []
        self.is_cut = False
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            if self.is_cut:
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                client.close()
                continue
            server = socket.create_connection(("127.0.0.1", self.upstream))
            with self.lock:
                self.open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_cut = True
        with self.lock:
            sockets, self.open = self.open, []
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def mend(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture
def partition(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Partition, redis.Redis]]:
    """The cache behind a partition we control, and a client of the same Redis on the far side."""
    server = RedisServer().start()
    relay = Partition(server.port)
    caches = {
        "default": {
            "BACKEND": "tenants.cache_backend.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{relay.port}/0",
            "KEY_PREFIX": "invalidations",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    monkeypatch.setattr(cache_backend, "RETRY_SECONDS", 0.3)
    monkeypatch.setattr(cache_backend, "REPLAY_POLL_SECONDS", 0.1)
    cache_backend._Outage.reset()
    try:
        with override_settings(CACHES=caches):
            yield relay, redis.Redis(host="127.0.0.1", port=server.port)
    finally:
        relay.close()
        server.stop()
        cache_backend._Outage.reset()


def _route_in_redis(client: redis.Redis, hostname: str) -> bool:
    return bool(client.exists(cache.make_key(cache_key(hostname))))


def test_a_host_renamed_while_redis_is_unreachable_stops_routing_once_it_answers(
    actors: Any, partition: tuple[Partition, redis.Redis]
) -> None:
    relay, other_process = partition
    old_host = host_of(actors.tenant_a)
    assert tenant_for_host(old_host).pk == actors.tenant_a.pk  # type: ignore[union-attr]
    assert _route_in_redis(other_process, old_host)

    relay.cut()
    domain = Domain.objects.get(domain=old_host)
    domain.domain = "renamed-during-outage.baoxiu.test"
    domain.save()  # the signal's delete of the old route cannot reach Redis
    assert cache_backend.shared_cache_down()
    relay.mend()

    # Without this process asking the cache anything, the old route leaves Redis for everyone.
    wait_for(lambda: not _route_in_redis(other_process, old_host), timeout=10, what="the old route deleted")
    assert tenant_for_host(old_host) is None
    assert tenant_for_host("renamed-during-outage.baoxiu.test").pk == actors.tenant_a.pk  # type: ignore[union-attr]


def test_a_value_overwritten_while_redis_is_unreachable_is_not_read_back_stale(
    db: Any, partition: tuple[Partition, redis.Redis]
) -> None:
    relay, _other_process = partition
    cache.set("default-form-version", 1)
    relay.cut()
    cache.set("default-form-version", 2)  # dropped: the old value stays in Redis
    cache.delete("staff-role:7")
    relay.mend()
    time.sleep(0.4)  # past RETRY_SECONDS: the next call tries Redis again

    # The first call after the outage sends the remembered deletes before it reads.
    assert cache.get("default-form-version") is None
    assert not cache_backend.shared_cache_down()
    cache.set("default-form-version", 2)
    assert cache.get("default-form-version") == 2
