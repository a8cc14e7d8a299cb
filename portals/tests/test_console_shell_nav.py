"""The console shell: a role-aware menu that skips screens whose route does not exist, and a
workbench with cards for the signed-in role."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import StaffRole
from accounts.services import staff_create
from portals.console.nav import CONSOLE_NAV, NavItem, nav_for
from portals.tests.helpers import in_schema, text_of
from tests.actors import PASSWORD, client_for


def test_admins_see_every_screen_and_engineers_only_their_own(actors: Any) -> None:
    admin = text_of(client_for(actors.tenant_a, actors.owner_a).get("/console/"))
    for label in ["工作台", "员工", "客户公司", "我的信息", "设置", "嵌入窗口登录"]:
        assert f">{label}</a>" in admin
    engineer = text_of(client_for(actors.tenant_a, actors.engineer_a).get("/console/"))
    assert ">工作台</a>" in engineer
    for label in ["员工", "客户公司", "我的信息", "设置", "嵌入窗口登录"]:
        assert f">{label}</a>" not in engineer


def test_dispatchers_see_customer_companies_but_not_staff_or_settings(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        dispatcher = staff_create(phone="13700005555", password=PASSWORD, role=StaffRole.DISPATCHER)
    page = text_of(client_for(actors.tenant_a, dispatcher).get("/console/", HTTP_ACCEPT_LANGUAGE="en"))
    assert ">Customer companies</a>" in page
    assert ">Staff</a>" not in page and ">Settings</a>" not in page


def test_a_menu_entry_whose_route_does_not_exist_is_simply_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "portals.console.nav.CONSOLE_NAV",
        [*CONSOLE_NAV, NavItem("console:not-built-yet", "X", frozenset({"admin"}))],
    )
    names = [item["url_name"] for item in nav_for("admin")]
    assert "console:not-built-yet" not in names
    assert names[0] == "console:home" and "console:staff" in names


def test_the_current_screen_is_marked_in_the_menu(actors: Any) -> None:
    page = text_of(client_for(actors.tenant_a, actors.owner_a).get("/console/staff/invite/"))
    assert 'href="/console/staff/" class="current" aria-current="page"' in page


def test_the_workbench_shows_the_trial_days_left_to_admins(actors: Any) -> None:
    admin = text_of(client_for(actors.tenant_a, actors.owner_a).get("/console/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Trial" in admin and "days left" in admin
    engineer = text_of(
        client_for(actors.tenant_a, actors.engineer_a).get("/console/", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "days left" not in engineer


def test_a_portal_customer_on_the_console_is_sent_to_the_staff_login(actors: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.services import customer_get_or_create
    from tests.actors import host_of

    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    with in_schema(actors.tenant_a):
        customer = customer_get_or_create(phone="13544446666")
        client.force_login(get_user_model().objects.get(pk=customer.user_id))
    response = client.get("/console/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
    assert client.get("/console/login/").status_code == 200  # the form, not a redirect loop
