"""Domain requests: another ``<sub>.BASE_DOMAIN`` (approved by an operator) or the provider's own
hostname (live once DNS proves it). Services keyword-only and atomic; reads take the provider.

What must stay true:
- a hostname routes to a provider only through a ``Domain`` row, and such a row is written only by
  ``domain_request_approve`` (subdomains) or ``custom_domain_verify`` after a passing DNS check;
- one open request per hostname across all providers (a partial unique constraint), and one open
  request per provider and kind;
- a new domain becomes the primary one; older domains keep working (printed QR codes stay valid).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.dns_check import DnsCheckResult, custom_domain_check
from tenants.domains import subdomain_host
from tenants.models import Domain, DomainKind, DomainRequest, DomainRequestStatus, Provider
from tenants.selectors import subdomain_availability

OPEN = (DomainRequestStatus.PENDING, DomainRequestStatus.VERIFYING)
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class DomainRequestError(ValidationError):
    pass


# Sent after the commit of an operator's decision on a subdomain request (``request_id``): the
# provider's admins are told by ``integrations.domain_notices`` (a tenant app; tenants cannot
# import it, so it listens).
domain_request_decided = Signal()


def _announce(request: DomainRequest) -> None:
    request_id = request.pk
    transaction.on_commit(lambda: domain_request_decided.send(sender=DomainRequest, request_id=request_id))


def base_subdomain_host(provider: Provider) -> str:
    """The provider's ``<sub>.BASE_DOMAIN`` host a custom domain's CNAME must point at."""
    domain = (
        Domain.objects.filter(tenant=provider, kind=DomainKind.SUBDOMAIN)
        .order_by("-is_primary", "-created_at")
        .values_list("domain", flat=True)
        .first()
    )
    return domain or ""


def domain_requests_for(*, provider: Provider) -> list[DomainRequest]:
    return list(DomainRequest.objects.filter(provider=provider).order_by("-created_at")[:20])


def normalize_custom_hostname(raw: str) -> str:
    host = (raw or "").strip().lower()
    host = re.sub(r"^[a-z]+://", "", host).split("/")[0].split(":")[0].rstrip(".")
    invalid = DomainRequestError(
        {"hostname": [_("Enter a hostname such as repair.example.com.")]}, code="invalid"
    )
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise invalid from None
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not re.match(r"^[a-z][a-z0-9-]*$", labels[-1])
    ):
        raise invalid
    base = str(settings.BASE_DOMAIN)
    if host == base or host.endswith("." + base) or host in settings.PUBLIC_HOSTS:
        raise DomainRequestError(
            {"hostname": [_("Addresses under %(base)s are requested as a subdomain.") % {"base": base}]},
            code="ours",
        )
    return host


def _ensure_no_open(provider: Provider, kind: str) -> None:
    if DomainRequest.objects.filter(provider=provider, kind=kind, status__in=OPEN).exists():
        raise DomainRequestError(
            _("You already have a request waiting. Cancel it first to ask for another."), code="open"
        )


def _create(**fields: Any) -> DomainRequest:
    try:
        with transaction.atomic():
            return DomainRequest.objects.create(**fields)
    except IntegrityError:  # another provider's open request for the same hostname, just now
        raise DomainRequestError({"hostname": [_("This address is already taken.")]}, code="taken") from None


@transaction.atomic
def subdomain_request_create(*, provider: Provider, subdomain: str) -> DomainRequest:
    """Ask for another ``<sub>.BASE_DOMAIN``; it takes effect when an operator approves it."""
    availability = subdomain_availability(subdomain)
    if not availability.available:
        raise DomainRequestError({"subdomain": [availability.message]}, code=availability.reason)
    _ensure_no_open(provider, DomainKind.SUBDOMAIN)
    return _create(
        provider=provider,
        kind=DomainKind.SUBDOMAIN,
        hostname=subdomain_host(availability.subdomain),
        status=DomainRequestStatus.PENDING,
    )


@transaction.atomic
def custom_domain_request_create(*, provider: Provider, hostname: str) -> DomainRequest:
    """Start using the provider's own hostname: it goes live after ``custom_domain_verify``.
    (Whether the provider's plan includes custom domains is the caller's check.)"""
    host = normalize_custom_hostname(hostname)
    if Domain.objects.filter(domain=host).exists():
        raise DomainRequestError({"hostname": [_("This address is already taken.")]}, code="taken")
    _ensure_no_open(provider, DomainKind.CUSTOM)
    return _create(
        provider=provider,
        kind=DomainKind.CUSTOM,
        hostname=host,
        status=DomainRequestStatus.VERIFYING,
        txt_token=secrets.token_urlsafe(24),
    )


def _locked_open(request_id: int, kind: str, status: str, provider: Provider | None = None) -> DomainRequest:
    queryset = DomainRequest.objects.select_for_update().filter(pk=request_id, kind=kind, status=status)
    if provider is not None:
        queryset = queryset.filter(provider=provider)
    found = queryset.first()
    if found is None:
        raise DomainRequestError(_("This request is no longer waiting."), code="not_open")
    return found


def _make_live(request: DomainRequest) -> Domain:
    if Domain.objects.filter(domain=request.hostname).exists():
        raise DomainRequestError(_("This address is already taken."), code="taken")
    return Domain.objects.create(
        domain=request.hostname, tenant=request.provider, is_primary=True, kind=request.kind
    )


@transaction.atomic
def domain_request_approve(*, request_id: int, operator: Any, reason: str = "") -> DomainRequest:
    """Operator approves a subdomain request: it becomes the provider's primary domain."""
    request = _locked_open(request_id, DomainKind.SUBDOMAIN, DomainRequestStatus.PENDING)
    _make_live(request)
    request.status = DomainRequestStatus.APPROVED
    request.reason = (reason or "").strip()[:300]
    request.decided_at = timezone.now()
    request.decided_by = operator
    request.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    _announce(request)
    return request


@transaction.atomic
def domain_request_reject(*, request_id: int, operator: Any, reason: str) -> DomainRequest:
    """Operator refuses a subdomain request; the provider sees the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainRequestError({"reason": [_("Give the provider a reason.")]}, code="no_reason")
    request = _locked_open(request_id, DomainKind.SUBDOMAIN, DomainRequestStatus.PENDING)
    request.status = DomainRequestStatus.REJECTED
    request.reason = reason[:300]
    request.decided_at = timezone.now()
    request.decided_by = operator
    request.save(update_fields=["status", "reason", "decided_at", "decided_by"])
    _announce(request)
    return request


@transaction.atomic
def domain_request_cancel(*, provider: Provider, request_id: int) -> None:
    """The provider withdraws its own waiting request."""
    deleted, _rows = DomainRequest.objects.filter(pk=request_id, provider=provider, status__in=OPEN).delete()
    if not deleted:
        raise DomainRequestError(_("This request is no longer waiting."), code="not_open")


def custom_domain_verify(*, provider: Provider, request_id: int) -> tuple[DomainRequest, DnsCheckResult]:
    """Check the DNS of a waiting custom domain; when it passes, the domain goes live (primary).
    The DNS lookup runs outside any transaction; the result is written under a row lock."""
    request = DomainRequest.objects.filter(
        pk=request_id, provider=provider, kind=DomainKind.CUSTOM, status=DomainRequestStatus.VERIFYING
    ).first()
    if request is None:
        raise DomainRequestError(_("This request is no longer waiting."), code="not_open")
    result = custom_domain_check(
        hostname=request.hostname,
        txt_name=request.txt_name,
        txt_value=request.txt_value,
        target=base_subdomain_host(provider),
    )
    with transaction.atomic():
        request = _locked_open(request.pk, DomainKind.CUSTOM, DomainRequestStatus.VERIFYING, provider)
        request.last_check_at = timezone.now()
        request.last_check_error = " ".join(result.problems)[:300]
        fields = ["last_check_at", "last_check_error"]
        if result.ok:
            _make_live(request)
            request.status = DomainRequestStatus.LIVE
            request.decided_at = request.last_check_at
            fields += ["status", "decided_at"]
        request.save(update_fields=fields)
    return request, result
