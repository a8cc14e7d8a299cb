"""The client address behind trusted proxies only: a forged X-Forwarded-For changes nothing."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory, override_settings

from tenants.client_ip import client_ip
from tenants.ratelimit import rate_limited

rf = RequestFactory()


def _request(peer: str, forwarded: str | None = None) -> Any:
    request = rf.get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_trusted_proxies_the_peer_is_the_client_and_the_header_is_ignored() -> None:
    with override_settings(TRUSTED_PROXIES=[]):
        assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_forwarded_client_is_used() -> None:
    assert client_ip(_request("10.1.2.3", "203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_client_cannot_spoof_its_address_through_a_trusted_proxy() -> None:
    # The client sent "X-Forwarded-For: 1.1.1.1"; the proxy appended the address it really saw.
    assert client_ip(_request("10.1.2.3", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_an_untrusted_peer_sending_the_header_is_taken_at_its_own_address() -> None:
    assert client_ip(_request("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8", "192.168.0.0/16"])
def test_every_trusted_hop_is_skipped_from_the_right() -> None:
    assert client_ip(_request("10.1.2.3", "1.1.1.1, 203.0.113.9, 192.168.4.4")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_garbage_header_from_the_proxy_falls_back_to_the_peer() -> None:
    assert client_ip(_request("10.1.2.3", "not-an-address")) == "10.1.2.3"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"], PUBLIC_RATE_LIMITS={"login": (2, 600)})
def test_rate_limits_count_per_real_client_behind_the_proxy(db: Any) -> None:
    first = [rate_limited(_request("10.0.0.5", "203.0.113.1"), "login") for _ in range(3)]
    assert first == [False, False, True]
    # Another customer behind the same proxy still gets in.
    assert rate_limited(_request("10.0.0.5", "203.0.113.2"), "login") is False


@override_settings(TRUSTED_PROXIES=[], PUBLIC_RATE_LIMITS={"login": (2, 600)})
def test_a_spoofed_header_does_not_reset_the_limit_from_an_untrusted_peer(db: Any) -> None:
    results = [rate_limited(_request("198.51.100.7", f"203.0.113.{n}"), "login") for n in range(3)]
    assert results == [False, False, True]
