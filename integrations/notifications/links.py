"""Where a notice links to: the order's page on the provider's host, for the person's side.

The order pages belong to the portal screens, which this app must not import, so the URL is
found by name: the first of the candidate route names that exists (with the order's number or id)
wins; the person's message centre is the fallback, so a link always works.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from tenants.domains import portal_url

CUSTOMER_ROUTES = ("portal:order-detail", "portal:order", "portal:orders")
STAFF_ROUTES = ("console:order-detail", "console:order", "console:orders")
ENGINEER_ROUTES = ("console:job-detail", "console:job", "console:engineer-job", *STAFF_ROUTES)


def _first_path(routes: tuple[str, ...], order: Any, fallback: str) -> str:
    attempts: list[dict[str, Any]] = [{"number": order.number}, {"pk": order.pk}, {"order_id": order.pk}, {}]
    for name in routes:
        for kwargs in attempts:
            try:
                return reverse(name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)
            except NoReverseMatch:
                continue
    try:
        return reverse(fallback, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return "/"


def order_link(*, host: str, audience: str, order: Any) -> str:
    if audience in {"reporter", "company_manager"}:
        path = _first_path(CUSTOMER_ROUTES, order, "portal:messages")
    elif audience == "engineer":
        path = _first_path(ENGINEER_ROUTES, order, "console:messages")
    else:
        path = _first_path(STAFF_ROUTES, order, "console:messages")
    return portal_url(host, path) if host else path
