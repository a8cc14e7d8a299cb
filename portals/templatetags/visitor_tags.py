"""The visitor module's workbench card data (``{% visitor_dashboard as vd %}``): empty when the plan
lacks the feature or the viewer is not staff."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import StaffMember, StaffRole
from portals.visitor_pages.access import visitors_enabled
from visitors.selectors import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def visitor_dashboard(context: Any) -> dict[str, Any] | None:
    request = context.get("request")
    staff = context.get("staff") or getattr(request, "staff", None)
    if request is None or not isinstance(staff, StaffMember) or not visitors_enabled(request):
        return None
    data = dashboard(actor=staff)
    data["gate"] = staff.role in (StaffRole.ADMIN, StaffRole.GUARD)
    return data
