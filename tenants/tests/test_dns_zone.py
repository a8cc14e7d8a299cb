"""Host records relative to the zone, as Aliyun DNS and DNSPod ask for them."""

from __future__ import annotations

import pytest

from tenants.dns_zone import host_record, zone_of


@pytest.mark.parametrize(
    ("hostname", "zone", "cname", "txt"),
    [
        ("repair.example.com", "example.com", "repair", "_baoxiu-verify.repair"),
        ("repair.example.com.cn", "example.com.cn", "repair", "_baoxiu-verify.repair"),
        ("a.b.example.co.uk", "example.co.uk", "a.b", "_baoxiu-verify.a.b"),
        ("example.com", "example.com", "@", "_baoxiu-verify"),
    ],
)
def test_the_host_record_is_the_name_inside_the_registrable_zone(
    hostname: str, zone: str, cname: str, txt: str
) -> None:
    assert zone_of(hostname) == zone
    assert host_record(hostname, zone) == cname
    assert host_record(f"_baoxiu-verify.{hostname}", zone) == txt
