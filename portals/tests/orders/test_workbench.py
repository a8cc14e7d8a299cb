"""The console as a work queue: the workbench by role (counts linking to their lists, refreshed by
htmx within a fixed query budget), the suspension approval queue decided in place, the order list's
queue filter and search box, the grouped sidebar, and the read-only console with no live action."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from portals.console.nav import CONSOLE_NAV, NAV_AREAS
from portals.tests.orders.helpers import expire_billing, signed_in, text_of
from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder, SuspensionDecision, SuspensionRequest
from repair_forms.tests.helpers import Cast, drive, jpeg

S = OrderStatus


def _drive(actors: Any, cast: Cast, state: str, **kwargs: Any) -> RepairOrder:
    # A request leaves the connection on the public schema; orders are made in tenant A's.
    with schema_context(actors.tenant_a.schema_name):
        return drive(cast, state, **kwargs)


def _queries(client: Any, path: str) -> list[str]:
    """The queries of a warm request (the first one also reads caches and the session)."""
    client.get(path)
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path")]


def test_a_dispatcher_opens_on_counts_that_link_to_the_filtered_list(actors: Any, cast: Cast) -> None:
    _drive(actors, cast, S.SUBMITTED)
    _drive(actors, cast, S.SUBMITTED)
    _drive(actors, cast, S.ACCEPTED)
    client = signed_in(actors.tenant_a, cast.dispatcher)
    page = text_of(client.get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    pending = re.search(
        r'href="/console/orders/\?queue=pending" data-queue="pending"><span class="big">(\d+)', page
    )
    unassigned = re.search(
        r'href="/console/orders/\?queue=unassigned" data-queue="unassigned"><span class="big">(\d+)', page
    )
    assert pending and pending.group(1) == "2"
    assert unassigned and unassigned.group(1) == "1"
    listed = text_of(client.get("/console/orders/?queue=pending"))
    assert listed.count('class="order-row"') == 2
    assert 'hx-get="/console/workbench/counts/"' in page and "htmx-2.0.11.min.js" in page


def test_the_live_counts_cost_the_same_queries_however_many_orders_wait(actors: Any, cast: Cast) -> None:
    client = signed_in(actors.tenant_a, cast.admin)
    _drive(actors, cast, S.SUBMITTED)
    few = _queries(client, "/console/workbench/counts/")
    for state in (S.SUBMITTED, S.ACCEPTED, S.AWAITING_CONFIRMATION):
        _drive(actors, cast, state)
    _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    many = _queries(client, "/console/workbench/counts/")
    assert len(many) == len(few) <= 8, "\n".join(many)
    body = text_of(client.get("/console/workbench/counts/"))
    assert 'data-queue="suspension_pending"><span class="big">1' in body


def test_the_workbench_page_has_a_fixed_query_budget(actors: Any, cast: Cast) -> None:
    client = signed_in(actors.tenant_a, cast.supervisor)
    _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    few = _queries(client, "/console/")
    _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    _drive(actors, cast, S.DISPATCHED)
    many = _queries(client, "/console/")
    assert len(many) == len(few), "\n".join(many)


def test_a_supervisor_approves_and_rejects_suspensions_in_place(actors: Any, cast: Cast) -> None:
    first = _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    second = _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    client = signed_in(actors.tenant_a, cast.supervisor)
    page = text_of(client.get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "挂起待审批" in page and "缺少配件" in page and first.number in page
    approved = client.post(f"/console/orders/{first.pk}/approve-suspension/", {"next": "/console/"})
    assert approved.status_code == 302 and approved["Location"] == "/console/"
    rejected = client.post(
        f"/console/orders/{second.pk}/reject-suspension/", {"next": "/console/", "reason": "先用备件"}
    )
    assert rejected.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        first.refresh_from_db()
        decision = SuspensionRequest.objects.get(order=second).decision
    assert first.status == S.SUSPENDED
    assert decision == SuspensionDecision.REJECTED
    assert "缺少配件" not in text_of(client.get("/console/"))


def test_a_step_never_sends_you_to_another_site(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    client = signed_in(actors.tenant_a, cast.supervisor)
    response = client.post(
        f"/console/orders/{order.pk}/approve-suspension/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/console/orders/{order.pk}/"


def test_the_approval_queue_shows_the_engineers_reason_and_photos(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.IN_PROGRESS)
    with schema_context(actors.tenant_a.schema_name):
        services.order_request_suspension(
            actor=cast.actor("engineer"), order=order, reason="等待厂家寄配件", photos=[jpeg()]
        )
    client = signed_in(actors.tenant_a, cast.supervisor)
    page = text_of(client.get("/console/orders/approvals/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "等待厂家寄配件" in page and order.number in page
    photo = re.search(r'<img src="(/console/photos/\d+/)"', page)
    assert photo and client.get(photo.group(1)).status_code == 200
    assert f'action="/console/orders/{order.pk}/approve-suspension/"' in page
    assert signed_in(actors.tenant_a, cast.engineer).get("/console/orders/approvals/").status_code == 403
    listed = text_of(client.get("/console/orders/?queue=suspension_pending"))
    assert order.number in listed and listed.count('class="order-row"') == 1


def test_an_engineer_sees_todays_jobs_and_the_route_to_the_next(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.DISPATCHED)
    with schema_context(actors.tenant_a.schema_name):
        RepairOrder.objects.filter(pk=order.pk).update(
            location_address="天河路 385 号", extra={"location_coordinates": "23.13,113.32"}
        )
    page = text_of(signed_in(actors.tenant_a, cast.engineer).get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "今天的工作" in page and order.number in page
    assert "天河路 385 号" in page
    assert "apis.map.qq.com/uri/v1/routeplan" in page and "tocoord=23.13%2C113.32" in page


def test_the_search_box_finds_a_reporter_by_name(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.SUBMITTED)
    _drive(actors, cast, S.SUBMITTED, reporter=cast.loner)
    page = text_of(signed_in(actors.tenant_a, cast.admin).get("/console/orders/", {"q": "小张"}))
    assert order.number in page and page.count('class="order-row"') == 1


def test_the_sidebar_groups_every_entry_by_area(actors: Any, cast: Cast) -> None:
    page = text_of(signed_in(actors.tenant_a, cast.admin).get("/console/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    for area in ("订单", "设备与表单", "客户与人员", "微信与消息", "账户与设置"):
        assert f"<summary>{area}</summary>" in page
    assert 'class="console-sidebar"' in page and "data-sidebar-toggle" in page
    assert {item.area for item in CONSOLE_NAV} <= {"", *(area.key for area in NAV_AREAS)}


def _live_forms(html: str) -> list[str]:
    """POST forms of a page that would still submit (not inside the read-only lock), leaving out
    sign-out, the language switch and the billing pages, which stay writable on purpose."""
    live = []
    for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", html, re.S | re.I):
        opening = match.group(0)[: match.group(0).index(">") + 1]
        if not re.search(r'method="post"', opening, re.I):
            continue
        if re.search(r'action="/(console/logout|console/account|i18n)', opening):
            continue
        if '<fieldset class="read-only-lock" disabled>' not in match.group(1)[:120]:
            live.append(opening)
    return live


def test_a_read_only_console_shows_no_live_action_and_says_why(actors: Any, cast: Cast) -> None:
    order = _drive(actors, cast, S.SUBMITTED)
    _drive(actors, cast, S.IN_PROGRESS, pending_suspension=True)
    client = signed_in(actors.tenant_a, cast.admin)
    writable = text_of(client.get(f"/console/orders/{order.pk}/"))
    assert _live_forms(writable)  # the accept/dispatch steps are live while the account is usable
    with schema_context("public"):
        expire_billing(actors.tenant_a)
    for path in (
        "/console/",
        f"/console/orders/{order.pk}/",
        "/console/orders/approvals/",
        "/console/staff/invite/",
    ):
        page = text_of(client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert _live_forms(page) == [], path
        assert "只读" in page, path
    renew = text_of(client.get(reverse("console:account-renew")))
    assert "<form" in renew and 'class="read-only-lock"' not in renew  # paying stays possible
