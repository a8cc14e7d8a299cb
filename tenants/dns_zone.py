"""A hostname's DNS zone and its host records relative to that zone.

Aliyun DNS and DNSPod ask for the 主机记录 (host record) inside the zone the customer bought:
for ``repair.example.com`` in ``example.com`` that is ``repair``, and the verification TXT record
is ``_baoxiu-verify.repair``. Typing the full name there creates ``repair.example.com.example.com``.
The zone is the registrable domain by the Public Suffix List (``example.com.cn`` for
``repair.example.com.cn``), bundled with ``publicsuffixlist`` so nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

from publicsuffixlist import PublicSuffixList


@lru_cache(maxsize=1)
def _list() -> PublicSuffixList:
    return PublicSuffixList()


def zone_of(hostname: str) -> str:
    """The registrable domain of ``hostname`` (the zone at the DNS provider)."""
    host = hostname.strip().rstrip(".").lower()
    return str(_list().privatesuffix(host) or host)


def host_record(name: str, zone: str) -> str:
    """``name`` relative to ``zone``; ``@`` for the zone's apex."""
    name = name.strip().rstrip(".").lower()
    if name == zone:
        return "@"
    suffix = "." + zone
    return name[: -len(suffix)] if name.endswith(suffix) else name
