"""Does a custom domain point at us? Asked of DNS with dnspython, through a resolver configured in
settings (``DNS_RESOLVER_*``) so tests can use a loopback fake.

A hostname is verified when both hold:
- ``_baoxiu-verify.<host>`` has a TXT record whose text is exactly the request's token value
  (proves the provider controls the zone);
- ``<host>`` is a CNAME to the provider's ``<sub>.BASE_DOMAIN`` — or, for a zone apex that cannot
  carry a CNAME, its A records are all among the target's A records (traffic reaches us).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext as _


@dataclass
class DnsCheckResult:
    txt_ok: bool = False
    target_ok: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.txt_ok and self.target_ok


def resolver() -> dns.resolver.Resolver:
    nameservers = list(getattr(settings, "DNS_RESOLVER_NAMESERVERS", []) or [])
    res = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        res.nameservers = nameservers
    res.port = int(getattr(settings, "DNS_RESOLVER_PORT", 53))
    res.lifetime = float(getattr(settings, "DNS_RESOLVER_TIMEOUT", 5))
    res.timeout = res.lifetime
    res.cache = None
    return res


def _texts(res: dns.resolver.Resolver, name: str) -> list[str]:
    answer = res.resolve(name, "TXT", raise_on_no_answer=False)
    if answer.rrset is None:
        return []
    return [b"".join(rdata.strings).decode("utf-8", "replace") for rdata in answer]


def _cname(res: dns.resolver.Resolver, name: str) -> str:
    answer = res.resolve(name, "CNAME", raise_on_no_answer=False)
    if answer.rrset is None:
        return ""
    return str(answer[0].target).rstrip(".").lower()


def _addresses(res: dns.resolver.Resolver, name: str) -> set[str]:
    try:
        answer = res.resolve(name, "A", raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return set()
    return {rdata.to_text() for rdata in answer} if answer.rrset is not None else set()


def custom_domain_check(*, hostname: str, txt_name: str, txt_value: str, target: str) -> DnsCheckResult:
    """Look ``hostname`` up; never raises for DNS trouble (it becomes a problem message)."""
    result = DnsCheckResult()
    res = resolver()
    try:
        try:
            texts = _texts(res, txt_name)
        except dns.resolver.NXDOMAIN:
            texts = []
        if txt_value in texts:
            result.txt_ok = True
        elif texts:
            result.problems.append(
                _("The TXT record %(name)s has a different value. Set it to %(value)s.")
                % {"name": txt_name, "value": txt_value}
            )
        else:
            result.problems.append(_("No TXT record %(name)s was found yet.") % {"name": txt_name})

        try:
            cname = _cname(res, hostname)
        except dns.resolver.NXDOMAIN:
            result.problems.append(_("%(host)s does not exist in DNS yet.") % {"host": hostname})
            return result
        if cname == target:
            result.target_ok = True
        elif cname:
            result.problems.append(
                _("%(host)s is a CNAME to %(found)s, not to %(target)s.")
                % {"host": hostname, "found": cname, "target": target}
            )
        else:
            ours = _addresses(res, target)
            theirs = _addresses(res, hostname)
            if ours and theirs and theirs <= ours:
                result.target_ok = True
            else:
                result.problems.append(
                    _("%(host)s does not point to %(target)s. Add a CNAME record.")
                    % {"host": hostname, "target": target}
                )
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration):
        result.problems.append(_("DNS could not be reached. Try again in a minute."))
    return result
