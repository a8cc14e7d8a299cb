"""快捷报修 lookup as a customer sees it, on the portal and in the API.

Any self-registered customer can type numbers into the lookup box, so what must stay true:

- only an exact machine number or serial matches (``repair_forms.selectors.asset_lookup`` compares
  whole normalized keys, never prefixes or patterns);
- lookups are counted per customer and per client address (``ASSET_LOOKUP_LIMITS``: requests per
  window in seconds), so guessing label numbers is slow;
- the answer confirms the machine (number, serial, brand/category/model) and carries neither the
  QR label's token (a capability to file against the machine) nor the site's location, unless the
  customer belongs to the machine's company;
- an order filed after a lookup is attached to the customer's own company only
  (``repair_forms.services.order_submit``).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.models import Customer
from portals.web import client_ip, current_schema
from repair_forms.models import Asset
from repair_forms.selectors import asset_form_values

DEFAULT_LIMITS: dict[str, tuple[int, int]] = {
    "customer": (30, 3600),  # lookups per customer per hour
    "address": (60, 3600),  # lookups per client address per hour (all customers behind it)
}


def _limits() -> dict[str, tuple[int, int]]:
    return {**DEFAULT_LIMITS, **getattr(settings, "ASSET_LOOKUP_LIMITS", {})}


def _over(kind: str, who: str) -> bool:
    allowed, window = _limits()[kind]
    key = f"asset-lookup:{current_schema()}:{kind}:{who}:{int(time.time() // window)}"
    cache.add(key, 0, window + 5)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 5)
        count = 1
    return count > allowed


def lookup_allowed(request: HttpRequest, *, customer: Customer | None) -> bool:
    """Count one lookup for this customer (when signed in) and this address; False over a limit."""
    over_customer = customer is not None and _over("customer", str(customer.pk))
    over_address = _over("address", client_ip(request) or "unknown")
    return not (over_customer or over_address)


def belongs_to_company(asset: Asset, customer: Customer | None) -> bool:
    return bool(customer is not None and asset.company_id and customer.company_id == asset.company_id)


def lookup_values(asset: Asset, *, customer: Customer | None) -> dict[str, Any]:
    """The form values a lookup prefills: without the site's location for strangers."""
    values = asset_form_values(asset)
    if not belongs_to_company(asset, customer):
        values.pop("location", None)
    return values
