"""``{% unread_messages %}``: the signed-in person's unread in-app messages (staff or customer)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.selectors import customer_for_user, staff_for_user
from integrations.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_messages(context: Any) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    staff = getattr(request, "staff", None) or staff_for_user(user=user)
    if staff is not None:
        return unread_count(staff=staff)
    customer = customer_for_user(user=user)
    return unread_count(customer=customer) if customer is not None else 0
