"""The console's navigation, in one list. Add a screen with one line; the menu shows an entry only
when its URL name exists (so a screen still being built never breaks the menu) and only to the
roles listed. Order here is the order on screen.

Roles: admins see everything; dispatchers and supervisors the operations screens; engineers their
own jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffRole

ALL = frozenset(StaffRole.values)
ADMIN = frozenset({StaffRole.ADMIN})
OPERATIONS = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR})
BACK_OFFICE = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER})
# 预约访客 (portals/visitors): the entry stays lit on every visitor screen but the gate.
VISITOR_SCREENS = tuple(
    f"console:visitors-{name}" for name in ("application", "invitation", "setup", "unit", "group", "step", "pass")
)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    # Other URL-name prefixes that belong to this entry (it is highlighted on those screens).
    prefixes: tuple[str, ...] = ()

    def matches(self, view_name: str) -> bool:
        return view_name == self.url_name or any(view_name.startswith(p) for p in self.prefixes)


CONSOLE_NAV: list[NavItem] = [
    NavItem("console:home", _("Workbench"), ALL),
    NavItem("console:visitors", _("Visitors"), ALL - {StaffRole.GUARD}, VISITOR_SCREENS),
    NavItem("console:visitors-gate", _("Gate"), frozenset({StaffRole.GUARD, StaffRole.ADMIN})),
    NavItem("console:orders", _("Orders"), OPERATIONS, ("console:order", "console:dashboard")),
    NavItem("console:jobs", _("My jobs"), frozenset({StaffRole.ENGINEER}), ("console:job",)),
    NavItem("console:forms", _("Order forms"), ADMIN, ("console:form",)),
    NavItem("console:assets", _("Machines"), OPERATIONS, ("console:asset", "console:catalog")),
    NavItem("console:staff", _("Staff"), ADMIN, ("console:staff-",)),
    NavItem("console:companies", _("Customer companies"), BACK_OFFICE, ("console:company-",)),
    NavItem("console:messages", _("Messages"), ALL, ("console:message",)),
    NavItem(
        "console:wechat",
        _("WeChat official account"),
        ADMIN,
        ("console:wechat-authorize", "console:wechat-menu"),
    ),
    NavItem("console:sync", _("Asset system"), BACK_OFFICE, ("console:sync-",)),
    NavItem("console:profile", _("My info"), ADMIN),
    NavItem("console:settings", _("Settings"), ADMIN),
    NavItem("console:embed", _("Embedded login"), ADMIN),
    NavItem("console:account", _("My account"), ADMIN, ("console:account-",)),
    NavItem("console:domains", _("Domains"), ADMIN, ("console:domain",)),
]


def nav_for(role: str, view_name: str = "") -> list[dict[str, object]]:
    """The entries ``role`` may see whose route exists: [{label, url, url_name, current}]."""
    items: list[dict[str, object]] = []
    for item in CONSOLE_NAV:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"label": item.label, "url": url, "url_name": item.url_name, "current": item.matches(view_name)}
        )
    return items


# Extra workbench cards: (template name, roles). A missing template is skipped, so an app can
# register its card here before its template exists. Each template gets the workbench context
# (``provider``, ``staff``, ``request``).
WORKBENCH_CARDS: list[tuple[str, frozenset[str]]] = [
    ("portals/console/domains/_workbench_card.html", ADMIN),
    ("portals/visitors/console/_workbench_card.html", ALL),
]
