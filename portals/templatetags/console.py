"""Template helpers of the console shell: the role-aware menu, links to routes that may not exist
yet, and optional workbench cards."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from accounts.selectors import staff_for_user
from portals.console.nav import WORKBENCH_CARDS, nav_for

register = template.Library()


def _staff(context: Any) -> Any:
    request = context.get("request")
    if request is None:
        return None
    staff = getattr(request, "staff", None)
    if staff is None:
        staff = staff_for_user(user=request.user)
        request.staff = staff
    return staff


@register.simple_tag(takes_context=True)
def console_nav(context: Any) -> list[dict[str, Any]]:
    """[{label, url, current}] for the signed-in staff member's role; [] when nobody is."""
    staff = _staff(context)
    if staff is None:
        return []
    match = getattr(context.get("request"), "resolver_match", None)
    return nav_for(staff.role, match.view_name if match else "")


@register.simple_tag
def url_if_exists(name: str, *args: Any) -> str:
    """The URL of ``name``, or "" when no such route exists (yet)."""
    try:
        return reverse(name, args=args or None)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def workbench_cards(context: Any) -> SafeString:
    staff = _staff(context)
    if staff is None:
        return mark_safe("")  # noqa: S308
    parts = []
    for name, roles in WORKBENCH_CARDS:
        if staff.role not in roles:
            continue
        try:
            card = get_template(name)
        except TemplateDoesNotExist:
            continue
        parts.append(card.render(context.flatten(), context.get("request")))
    return mark_safe("".join(parts))  # noqa: S308 (rendered templates, autoescaped)
