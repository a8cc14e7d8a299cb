"""Template helpers of the console shell: the role-aware menu (sidebar groups), links to routes that
may not exist yet, optional workbench cards, and the read-only guard that disables every form while
billing keeps the console read-only."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.selectors import staff_for_user
from billing.entitlements import account_state, reporting_open
from portals.console.nav import WORKBENCH_CARDS, nav_for, nav_groups

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


@register.simple_tag(takes_context=True)
def console_nav_groups(context: Any) -> list[dict[str, Any]]:
    """The sidebar's groups (``nav.nav_groups``) for the signed-in staff member; [] when nobody is."""
    staff = _staff(context)
    if staff is None:
        return []
    match = getattr(context.get("request"), "resolver_match", None)
    return nav_groups(staff.role, match.view_name if match else "")


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


# --- Read-only console ----------------------------------------------------------------------------

_FORM = re.compile(r"(<form\b[^>]*>)(.*?)(</form>)", re.IGNORECASE | re.DOTALL)
_POST = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
_ACTION = re.compile(r"""\baction\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_HTMX_WRITE = re.compile(r"\bhx-(post|put|patch|delete)\s*=", re.IGNORECASE)


def read_only_reason(request: Any) -> str:
    """Why the console is read-only for this request ("" when it is not): the billing account has
    expired or been suspended (``billing.middleware`` refuses the writes themselves)."""
    provider = getattr(request, "tenant", None)
    if provider is None or getattr(provider, "schema_name", "public") == "public":
        return ""
    if reporting_open(provider):
        return ""
    if account_state(provider) == "suspended":
        return _("Read-only: this account has been suspended by the platform operator.")
    return _("Read-only: your service has expired. Renew in My account to make changes again.")


def _writable_prefixes() -> tuple[str, ...]:
    prefixes = []
    for name in ("console:account", "console:logout", "console:login"):
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


def lock_forms(html: str, reason: str, current_path: str = "") -> str:
    """Every POST form in ``html`` wrapped in a disabled fieldset headed by ``reason``, except the
    billing pages' own forms and sign-in/out (the middleware lets those through too); htmx write
    attributes are neutralised. Server-side, so the rule covers every console screen, present and
    future, without each template remembering it."""
    allowed = _writable_prefixes()
    note = format_html('<p class="read-only-reason" role="note">{}</p>', reason)

    def lock(match: re.Match[str]) -> str:
        opening, body, closing = match.groups()
        if not _POST.search(opening):
            return match.group(0)
        action = _ACTION.search(opening)
        # A form without an action posts to the page it is on.
        target = action.group(1) if action and action.group(1) else current_path
        if target.startswith(allowed):
            return match.group(0)
        return f'{opening}<fieldset class="read-only-lock" disabled>{note}{body}</fieldset>{closing}'

    html = _FORM.sub(lock, html)
    return _HTMX_WRITE.sub(lambda m: f"data-read-only-hx-{m.group(1)}=", html)


class ReadOnlyGuardNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        html = self.nodelist.render(context)
        request = context.get("request")
        if request is None or _staff(context) is None:
            return html
        reason = read_only_reason(request)
        if not reason:
            return html
        return mark_safe(lock_forms(html, reason, getattr(request, "path", "")))  # noqa: S308 (rendered, autoescaped template output)


@register.tag("read_only_guard")
def read_only_guard(parser: template.base.Parser, token: template.base.Token) -> ReadOnlyGuardNode:
    """``{% read_only_guard %}…{% end_read_only_guard %}``: see ``lock_forms``."""
    nodelist = parser.parse(("end_read_only_guard",))
    parser.delete_first_token()
    return ReadOnlyGuardNode(nodelist)


@register.simple_tag(takes_context=True)
def console_read_only(context: Any) -> str:
    """The read-only reason for templates that hide their own actions ("" when writable)."""
    request = context.get("request")
    return read_only_reason(request) if request is not None else ""
