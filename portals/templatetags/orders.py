"""Template helpers of the order screens: the provider header on portal pages."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.selectors import customer_for_user, provider_profile_cached
from accounts.validators import tel_href
from repair_forms import builtin_templates
from repair_forms import status_words as words

register = template.Library()


@register.inclusion_tag("portals/customer/_provider_header.html", takes_context=True)
def provider_header(context: Any) -> dict[str, Any]:
    """Who the provider is and how to call them, plus the portal's own menu."""
    request = context.get("request")
    profile = provider_profile_cached()
    customer = context.get("customer")
    if customer is None and request is not None:
        customer = getattr(request, "customer", None) or customer_for_user(user=request.user)
    return {
        "provider": getattr(request, "tenant", None),
        "profile": profile,
        "tel": tel_href(profile.contact_phone),
        "customer": customer,
    }


@register.filter
def status_word(status: str, audience: str = "staff") -> str:
    """An order status in the one vocabulary (``repair_forms.status_words``):
    ``{{ order.status|status_word:"customer" }}`` on the portal, staff words elsewhere."""
    return words.status_word(str(status), for_customer=audience == "customer")


@register.filter
def form_name(template: Any) -> str:
    """A form template's name: built-ins in the page's language, a provider's own as typed."""
    return builtin_templates.form_name(template)


@register.filter
def form_description(template: Any) -> str:
    return builtin_templates.form_description(template)
