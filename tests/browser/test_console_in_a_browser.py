"""The provider console in Debian's chromium at a desktop (1366×900) and a phone (390×844): the
workbench's queue counts, the sidebar grouped by area (beside the page on a desktop and folded
away with the menu button; a drawer on the phone), and the order list — every column with its
详情 button on screen on the desktop, one card per order on the phone, no sideways scrolling.

Same real server and throwaway database as the signup test (its ``site`` fixture, reused here).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.test_report_in_a_browser import _manage
from tests.browser.test_signup_in_a_browser import CHROMIUM, CHROMIUM_ARGS, Site, _tail, site

__all__ = ["site"]  # the fixture: one server for this module

HOST = "gongzuotai.localhost"
OWNER_PHONE = "13700006666"
PASSWORD = "secret-123"
SETUP = """
from datetime import timedelta
from django.utils import timezone
from django_tenants.utils import schema_context
from tenants.models import Domain
schema = Domain.objects.get(domain="gongzuotai.localhost").tenant.schema_name
with schema_context(schema):
    from accounts.services import customer_get_or_create
    from repair_forms import services
    from repair_forms.asset_services import catalog_path_get_or_create
    from repair_forms.lifecycle import Actor
    from accounts.models import StaffMember
    brand, category, model = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
    owner = Actor.for_staff(StaffMember.objects.get(is_owner=True))
    for n in range(6):
        who = Actor.for_customer(customer_get_or_create(phone=f"1370000{n:04d}", name=f"客户{n}"))
        order = services.order_submit(actor=who, now=timezone.now() - timedelta(hours=n), data={
            "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
            "machine_no": f"NO-{n:05d}", "serial": f"SN-BROWSER-{n:04d}",
            "fault_description": "打印机卡纸，无法打印，指示灯一直闪烁", "service_type": "repair",
            "warranty": "out", "notes": "请上午来"})
        if n % 2:
            services.order_accept(actor=owner, order=order)
"""


def _sign_in(page: Any, site: Site) -> None:
    page.goto(site.url(HOST, "/console/login/"))
    page.fill("#id_username", OWNER_PHONE)
    page.fill("#id_password", PASSWORD)
    page.click("form button.primary")
    page.wait_for_selector("#queue-counts")


def _in_view(page: Any, selector: str, width: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_console_fits_a_desktop_and_a_phone(site: Site) -> None:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does: apt-get install -y chromium)"
    _manage(site, "create_provider", "--name", "工作台浏览器测试", "--subdomain", "gongzuotai",
            "--phone", OWNER_PHONE, "--password", PASSWORD)  # fmt: skip
    _manage(site, "shell", "-c", SETUP)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
            _sign_in(desktop, site)
            counts = desktop.locator("#queue-counts .stat")
            assert counts.count() == 7
            assert desktop.locator('[data-queue="pending"] .big').inner_text() == "3"
            assert desktop.locator('[data-queue="unassigned"] .big').inner_text() == "3"
            sidebar = desktop.locator("#console-sidebar")
            assert sidebar.is_visible() and _in_view(desktop, "#console-sidebar", 1366)
            for area in ("订单", "设备与表单", "客户与人员", "微信与消息", "账户与设置"):
                assert sidebar.locator("summary", has_text=area).count() == 1
            desktop.click("[data-sidebar-toggle]")
            assert not sidebar.is_visible()
            desktop.click("[data-sidebar-toggle]")
            assert sidebar.is_visible()

            desktop.click('[data-queue="pending"]')
            desktop.wait_for_url("**/console/orders/?queue=pending")
            assert desktop.locator("tr.order-row").count() == 3
            desktop.goto(site.url(HOST, "/console/orders/"))
            assert desktop.locator("tr.order-row").count() == 6
            assert _in_view(desktop, "tr.order-row td.cell-actions .button", 1366), "详情 is on screen"
            assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366
            desktop.fill("#id_q", "客户3")
            desktop.click(".search-bar button")
            desktop.wait_for_url("**q=**")
            assert desktop.locator("tr.order-row").count() == 1

            phone = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=3,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            ).new_page()
            _sign_in(phone, site)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            assert not _in_view(phone, "#console-sidebar", 390), "the drawer starts closed"
            phone.click("[data-sidebar-toggle]")
            phone.wait_for_timeout(300)
            assert _in_view(phone, "#console-sidebar", 390)
            phone.click("#console-sidebar a:has-text('报修单')")
            phone.wait_for_url("**/console/orders/")
            rows = phone.locator("tr.order-row")
            assert rows.count() == 6
            assert rows.first.evaluate("row => getComputedStyle(row).display") == "block"  # a card
            assert phone.locator("table.orders-table thead").is_hidden()
            assert _in_view(phone, "tr.order-row td.cell-actions .button", 390)
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        except Exception:
            print(_tail(site.log))
            raise
        finally:
            browser.close()
