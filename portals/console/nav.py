"""The console's navigation, in one list. Add a screen with one line; the menu shows an entry only
when its URL name exists (so a screen still being built never breaks the menu) and only to the
roles listed. Order here is the order on screen.

The sidebar groups entries by ``area`` (``NAV_AREAS``: 订单 / 设备与表单 / 客户与人员 / 微信与消息 /
账户与设置). A new area is one more ``NavArea`` line; an entry names its area by key. Entries
without an area (the workbench) sit above the groups.

Roles: admins see everything; dispatchers and supervisors the operations screens; engineers their
own jobs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import StaffRole

ALL = frozenset(StaffRole.values)
ADMIN = frozenset({StaffRole.ADMIN})
OPERATIONS = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR})
BACK_OFFICE = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER})
# 预约访客 (portals/visitors): the entry stays lit on every visitor screen but the gate.
VISITOR_SCREENS = tuple(
    f"console:visitors-{name}"
    for name in ("application", "invitation", "setup", "unit", "group", "step", "pass")
)


@dataclass(frozen=True)
class NavArea:
    key: str
    label: str | Promise


NAV_AREAS: list[NavArea] = [
    NavArea("orders", pgettext_lazy("nav area", "Orders")),
    NavArea("visitors", pgettext_lazy("nav area", "Visitors")),
    NavArea("machines", pgettext_lazy("nav area", "Machines and forms")),
    NavArea("people", pgettext_lazy("nav area", "Customers and staff")),
    NavArea("wechat", pgettext_lazy("nav area", "WeChat and messages")),
    NavArea("account", pgettext_lazy("nav area", "Account and settings")),
]


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    # Other URL-name prefixes that belong to this entry (it is highlighted on those screens).
    prefixes: tuple[str, ...] = ()
    # A key of NAV_AREAS; "" = above the groups.
    area: str = ""

    def matches(self, view_name: str) -> bool:
        return view_name == self.url_name or any(view_name.startswith(p) for p in self.prefixes)


CONSOLE_NAV: list[NavItem] = [
    NavItem("console:home", _("Workbench"), ALL),
    NavItem("console:visitors", _("Visitors"), ALL - {StaffRole.GUARD}, VISITOR_SCREENS, area="visitors"),
    NavItem(
        "console:visitors-gate", _("Gate"), frozenset({StaffRole.GUARD, StaffRole.ADMIN}), area="visitors"
    ),
    NavItem("console:orders", _("Orders"), OPERATIONS, ("console:order", "console:dashboard"), area="orders"),
    NavItem("console:jobs", _("My jobs"), frozenset({StaffRole.ENGINEER}), ("console:job",), area="orders"),
    NavItem("console:forms", _("Order forms"), ADMIN, ("console:form",), area="machines"),
    NavItem(
        "console:assets", _("Machines"), OPERATIONS, ("console:asset", "console:catalog"), area="machines"
    ),
    NavItem("console:sync", _("Asset system"), BACK_OFFICE, ("console:sync-",), area="machines"),
    NavItem("console:companies", _("Customer companies"), BACK_OFFICE, ("console:company-",), area="people"),
    NavItem("console:staff", _("Staff"), ADMIN, ("console:staff-",), area="people"),
    NavItem("console:messages", _("Messages"), ALL, ("console:message",), area="wechat"),
    NavItem(
        "console:wechat",
        _("WeChat official account"),
        ADMIN,
        ("console:wechat-authorize", "console:wechat-menu"),
        area="wechat",
    ),
    NavItem("console:miniprogram", _("WeChat mini-program"), ADMIN, ("console:miniprogram-",), area="wechat"),
    NavItem("console:profile", _("My info"), ADMIN, area="account"),
    NavItem("console:settings", _("Settings"), ADMIN, area="account"),
    NavItem("console:embed", _("Embedded login"), ADMIN, area="account"),
    NavItem("console:account", _("My account"), ADMIN, ("console:account-",), area="account"),
    NavItem("console:domains", _("Domains"), ADMIN, ("console:domain",), area="account"),
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
            {
                "label": item.label,
                "url": url,
                "url_name": item.url_name,
                "current": item.matches(view_name),
                "area": item.area,
            }
        )
    return items


def nav_groups(role: str, view_name: str = "") -> list[dict[str, object]]:
    """The sidebar: [{key, label, items, current}] in ``NAV_AREAS`` order, empty areas left out;
    entries without an area come first as a group with key "" and no label. ``current`` marks the
    group holding the current screen (it starts open)."""
    items = nav_for(role, view_name)
    groups: list[dict[str, object]] = []
    top = [item for item in items if not item["area"]]
    if top:
        groups.append({"key": "", "label": "", "items": top, "current": any(i["current"] for i in top)})
    for area in NAV_AREAS:
        members = [item for item in items if item["area"] == area.key]
        if members:
            groups.append(
                {
                    "key": area.key,
                    "label": area.label,
                    "items": members,
                    "current": any(i["current"] for i in members),
                }
            )
    return groups


# Extra workbench cards: (template name, roles). A missing template is skipped, so an app can
# register its card here before its template exists. Each template gets the workbench context
# (``provider``, ``staff``, ``request``).
WORKBENCH_CARDS: list[tuple[str, frozenset[str]]] = [
    ("portals/console/domains/_workbench_card.html", ADMIN),
    ("portals/visitors/console/_workbench_card.html", ALL),
]
