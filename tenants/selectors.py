"""Reads on the public schema: who a phone number belongs to, whether a subdomain is free."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from tenants.domains import subdomain_host
from tenants.models import (
    Domain,
    DomainRequest,
    DomainRequestStatus,
    Provider,
    validate_subdomain,
)
from tenants.services import schema_name_for


@dataclass(frozen=True)
class SubdomainAvailability:
    subdomain: str
    available: bool
    reason: str  # "", "invalid", "reserved" or "taken"
    message: str


def subdomain_availability(subdomain: str) -> SubdomainAvailability:
    """Whether ``subdomain`` may be taken now, and if not why (shown live on the signup form)."""
    subdomain = (subdomain or "").strip().lower()
    try:
        validate_subdomain(subdomain)
    except ValidationError as exc:
        reason = exc.error_list[0].code or "invalid"
        return SubdomainAvailability(subdomain, False, str(reason), exc.messages[0])
    host = subdomain_host(subdomain)
    taken = (
        Domain.objects.filter(domain=host).exists()
        or DomainRequest.objects.filter(
            hostname=host, status__in=[DomainRequestStatus.PENDING, DomainRequestStatus.VERIFYING]
        ).exists()
        or schema_exists(schema_name_for(subdomain))
    )
    if taken:
        return SubdomainAvailability(subdomain, False, "taken", _("This subdomain is already taken."))
    return SubdomainAvailability(subdomain, True, "", _("%(host)s is available.") % {"host": host})


def providers_for_phone(*, phone: str) -> list[Provider]:
    """The providers ``phone`` (E.164) was made staff of, by name. One indexed query."""
    return list(
        Provider.objects.filter(staff_directory__phone=phone).order_by("name").prefetch_related("domains")
    )


def phone_owns_a_provider(*, phone: str) -> bool:
    """``phone`` in E.164. Providers made before owner phones were stored in E.164 kept the
    national number, so that spelling is checked too."""
    spellings = {phone}
    if phone.startswith("+86"):
        spellings.add(phone[3:])
    return Provider.objects.filter(owner_phone__in=spellings).exists()
