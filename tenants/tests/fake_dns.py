"""A loopback authoritative DNS server for tests, built with dnspython's message module over UDP.

Answers TXT, CNAME and A questions from ``records``; a name with a CNAME answers an A question with
the CNAME and the target's A records (as a recursive resolver would); unknown names get NXDOMAIN,
known names without that type an empty NOERROR answer."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset


class FakeDns:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.port = 0
        self.queries: list[tuple[str, str]] = []

    def add(self, name: str, rdtype: str, *values: str) -> None:
        self.records.setdefault((name.lower().rstrip("."), rdtype.upper()), []).extend(values)

    def clear(self) -> None:
        self.records.clear()

    def _rrset(self, name: str, rdtype: str) -> dns.rrset.RRset | None:
        values = self.records.get((name, rdtype))
        if not values:
            return None
        return dns.rrset.from_text_list(dns.name.from_text(name), 60, dns.rdataclass.IN, rdtype, values)

    def answer(self, wire: bytes) -> bytes:
        query = dns.message.from_wire(wire)
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA | dns.flags.RA
        question = query.question[0]
        name = question.name.to_text().rstrip(".").lower()
        rdtype = dns.rdatatype.to_text(question.rdtype)
        self.queries.append((name, rdtype))
        if not any(key[0] == name for key in self.records):
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response.to_wire()
        direct = self._rrset(name, rdtype)
        if direct is not None:
            response.answer.append(direct)
        elif rdtype == "A" and (cname := self._rrset(name, "CNAME")) is not None:
            response.answer.append(cname)
            target = cname[0].target.to_text().rstrip(".").lower()
            if (addresses := self._rrset(target, "A")) is not None:
                response.answer.append(addresses)
        return response.to_wire()


@contextmanager
def running(fake: FakeDns) -> Iterator[FakeDns]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    fake.port = sock.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                wire, peer = sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            sock.sendto(fake.answer(wire), peer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        stop.set()
        thread.join(timeout=2)
        sock.close()


@contextmanager
def fake_dns_settings() -> Iterator[FakeDns]:
    """A running fake DNS server with the resolver settings pointing at it."""
    from django.test import override_settings

    with (
        running(FakeDns()) as fake,
        override_settings(
            DNS_RESOLVER_NAMESERVERS=["127.0.0.1"], DNS_RESOLVER_PORT=fake.port, DNS_RESOLVER_TIMEOUT=2
        ),
    ):
        yield fake
