"""The seed's visitor flow in Debian's Chromium (Playwright), phone-sized for the visitor and the
guard: the visitor looks up the invitation by phone + SMS code, applies with it, two approvers
approve in their consoles, the visitor opens the pass (QR and short code), the guard checks it in.

Same real server and throwaway database as the signup test (its ``site`` fixture, reused here).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg

from tests.browser.test_report_in_a_browser import _manage
from tests.browser.test_signup_in_a_browser import CHROMIUM, CHROMIUM_ARGS, Site, _tail, site

__all__ = ["site"]  # the fixture: one server for this module

HOST = "school.localhost"
VISITOR_PHONE = "13755550001"
PASSWORD = "secret-123"
APPROVERS = ("13755550101", "13755550102")  # contact person, unit head
GUARD = "13755550105"
SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from django_tenants.utils import schema_context
from tenants.models import Domain
schema = Domain.objects.get(domain="{HOST}").tenant.schema_name
with schema_context(schema):
    from accounts.models import StaffMember
    from accounts.services import staff_create
    from visitors import services
    from visitors.models import ChainStep
    admin = StaffMember.objects.get(is_owner=True)
    def person(phone, role, name):
        return staff_create(phone=phone, password="{PASSWORD}", role=role, display_name=name)
    host = person("{APPROVERS[0]}", "supervisor", "对接人张老师")
    head = person("{APPROVERS[1]}", "supervisor", "院长李老师")
    person("{GUARD}", "guard", "门卫周师傅")
    unit = services.unit_save(actor=admin, name="信息学院", head=head, members=[host])
    services.chain_default_ensure()
    for step in ChainStep.objects.filter(approver_kind="group"):
        services.chain_step_delete(actor=admin, step=step)  # two approvers: contact person, unit head
    now = timezone.now()
    invitation = services.invitation_create(actor=host, data=services.InvitationData(
        name="王访客", phone="{VISITOR_PHONE}", visit_start=now - timedelta(minutes=5),
        visit_end=now + timedelta(hours=6), host=host, unit=unit, visitor_type="temporary"))
    services.invitation_send(actor=host, invitation=invitation)
    print("INVITATION", invitation.code)
"""
ID_NUMBER = "11010519491231002X"


def _sign_in_code(site: Site, phone: str) -> str:
    """The latest sign-in code texted to ``phone`` (the invitation's own SMS may arrive later)."""
    with psycopg.connect(site.conninfo) as conn:
        row = conn.execute(
            "SELECT text FROM saas_platform_smsmessage WHERE phone = %s AND text LIKE %s "
            "ORDER BY id DESC LIMIT 1",
            [phone, "%验证码%"],
        ).fetchone()
    assert row, f"no sign-in code texted to {phone}"
    match = re.search(r"\d{6}", row[0])
    assert match, row[0]
    return match.group(0)


def _console_login(context, site: Site, phone: str):
    page = context.new_page()
    page.goto(site.url(HOST, "/console/login/"))
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    page.click("form button.primary")
    page.wait_for_url(re.compile(r".*/console/(\?.*)?$"))
    return page


def test_a_visitor_applies_two_approvers_approve_and_the_guard_checks_the_pass(site: Site) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does: apt-get install -y chromium)"
    _manage(
        site,
        "create_provider",
        "--name",
        "访客测试学校",
        "--subdomain",
        "school",
        "--phone",
        "13755559999",
        "--password",
        PASSWORD,
    )
    _manage(site, "shell", "-c", SETUP)
    phone_size: dict[str, Any] = {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visitor = browser.new_context(**phone_size).new_page()
            visitor.goto(site.url(HOST, "/visit/codes/"))
            visitor.wait_for_url(re.compile(r".*/login/\?next=.*"))
            visitor.fill("#id_phone", VISITOR_PHONE)
            visitor.click("button.send-code")
            visitor.wait_for_selector("text=验证码")
            visitor.fill("#id_code", _sign_in_code(site, "+86" + VISITOR_PHONE))
            visitor.click("form button.primary")
            visitor.wait_for_url(re.compile(r".*/visit/codes/$"))
            code = visitor.get_attribute("[data-invitation]", "data-invitation")
            assert code and len(code) == 8
            visitor.click("text=用此邀请码申请")
            visitor.wait_for_url(re.compile(r".*/visit/apply/\?code=.*"))
            assert visitor.input_value("#id_invitation_code") == code
            assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
            visitor.fill("#id_name", "王访客")
            visitor.fill("#id_id_number", ID_NUMBER)
            visitor.fill("#id_reason", "参加学术交流")
            visitor.click("text=提交申请")
            visitor.wait_for_url(re.compile(r".*/visit/mine/\d+/$"))
            assert "审批中" in visitor.content()

            desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            for approver in APPROVERS:
                page = _console_login(desktop, site, approver)
                page.goto(site.url(HOST, "/console/visitors/?tab=waiting"))
                page.click("text=详情")
                assert ID_NUMBER in page.content()  # approvers see the full ID number
                page.click("button[value=approve]")
                page.wait_for_selector("text=已通过。")
                page.close()
                desktop.clear_cookies()

            visitor.goto(site.url(HOST, "/visit/mine/?tab=approved"))
            visitor.click("text=查看访客码")
            visitor.wait_for_selector("[data-pass-qr] svg")
            short_code = visitor.inner_text("[data-short-code]")
            assert ID_NUMBER not in visitor.content() and "王**" in visitor.content()

            guard = _console_login(browser.new_context(**phone_size), site, GUARD)
            guard.goto(site.url(HOST, "/console/visitors/gate/"))
            guard.select_option("#id_direction", "entry")
            guard.fill("#id_code", short_code)
            guard.click("form[data-gate-form] button.primary")
            guard.wait_for_selector('[data-gate-result="allowed"]')
            assert "已登记入校" in guard.content() and short_code in guard.content()
            guard.fill("#id_code", short_code)
            guard.click("form[data-gate-form] button.primary")
            guard.wait_for_selector('[data-gate-result="refused"]')
            assert "该访客已在校内" in guard.content()
            assert guard.evaluate("document.documentElement.scrollWidth") <= 390
        except Exception:
            print(_tail(site.log))
            raise
        finally:
            browser.close()
