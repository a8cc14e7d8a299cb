"""A customer on a phone-sized Chromium (Debian's, driven by Playwright) reports a fault by serial
number on a provider's portal — lookup, the prefilled form with their name and two photos, sign-in by
text code in the middle (what they typed and the photos survive it), sending — and finds the order
under "my orders". On the way, the 390 px header is checked: nothing in it overlaps, spills out or is
cut off.

Same real server and throwaway database as the signup test (its ``site`` fixture, reused here).
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.browser.test_signup_in_a_browser import CHROMIUM, CHROMIUM_ARGS, ROOT, Site, _tail, site

__all__ = ["site"]  # the fixture: one server for this module

PHONE = "13766668888"
SETUP = """
from django_tenants.utils import schema_context
from tenants.models import Domain
schema = Domain.objects.get(domain="acme.localhost").tenant.schema_name
with schema_context(schema):
    from accounts.models import StaffMember
    from repair_forms.asset_services import AssetData, asset_create, catalog_path_get_or_create
    from repair_forms.lifecycle import Actor
    brand, category, model = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
    owner = Actor.for_staff(StaffMember.objects.get(is_owner=True))
    asset_create(actor=owner, data=AssetData(
        machine_no="NO-PHONE-1", serials=["SN-PHONE-0001"], brand=brand, category=category, model=model,
        location_building="A栋", location_room="301"))
"""


# Every piece of the portal's header at the top of the page: the bar (brand, who is signed in, sign
# out, language) and the provider's head (name, phone, tabs). Returns what is wrong, in words.
HEADER_PROBLEMS = """() => {
  const pick = (sel) => Array.from(document.querySelectorAll(sel));
  const items = [
    ...pick('.topbar .brand'), ...pick('.topbar .topnav > *'), ...pick('.topbar .langswitch button'),
    ...pick('.provider-head .provider-name'), ...pick('.provider-head .call'), ...pick('.portal-tabs a'),
  ];
  const width = document.documentElement.clientWidth;
  const name = (el) => (el.textContent || '').trim().slice(0, 24);
  const problems = [];
  const boxes = items.map((el) => [el, el.getBoundingClientRect()]);
  for (const [el, r] of boxes) {
    if (r.width < 1 || r.height < 1) problems.push('not shown: ' + name(el));
    if (r.left < -0.5 || r.right > width + 0.5) problems.push('outside the screen: ' + name(el));
    if (el.scrollWidth > el.clientWidth + 1) problems.push('cut off: ' + name(el));
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX === 'visible') continue;
      const box = up.getBoundingClientRect();
      const out = r.left < box.left - 0.5 || r.right > box.right + 0.5;
      if (out) problems.push('scrolled out of view: ' + name(el));
    }
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i];
      const [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const across = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const down = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (across > 0.5 && down > 0.5) problems.push('overlap: ' + name(a) + ' / ' + name(b));
    }
  }
  return problems;
}"""


def _jpeg(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, "JPEG", quality=85)
    return out.getvalue()


def _header_is_whole(page: Any) -> None:
    assert page.evaluate(HEADER_PROBLEMS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling


def _manage(site: Site, *args: str) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="saas_platform.settings.base",
        DATABASE_URL=site.conninfo,
        BASE_DOMAIN="localhost",
        PORTAL_SCHEME="http",
        PORTAL_PORT=str(site.port),
        SMS_BACKEND="dev",
        TENANT_SPARE_POOL_SIZE="0",
    )
    subprocess.run(  # noqa: S603
        [sys.executable, str(Path(ROOT) / "manage.py"), *args], cwd=ROOT, env=env, check=True, timeout=300
    )


def test_a_customer_reports_by_serial_on_a_phone_and_sees_the_order(site: Site) -> None:
    from playwright.sync_api import FilePayload, sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium (make test does: apt-get install -y chromium)"
    _manage(
        site,
        "create_provider",
        "--name",
        "手机报修测试服务中心",
        "--subdomain",
        "acme",
        "--phone",
        "13700009999",
        "--password",
        "secret-123",
    )
    _manage(site, "shell", "-c", SETUP)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=3,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            )
            page = phone.new_page()
            page.goto(site.url("acme.localhost", "/report/"))
            _header_is_whole(page)
            page.fill("#id_q", "sn-phone-0001")
            page.click("text=立即查询")
            page.wait_for_selector("text=已找到设备 NO-PHONE-1")
            assert page.input_value("#id_f_machine__model") != ""  # the cascade came prefilled
            page.fill("#id_reporter_name", "手机客户小周")
            page.fill("#id_f_fault_description", "打印机卡纸，无法打印")
            page.select_option("#id_f_service_type", "repair")
            page.set_input_files(
                "#id_f_photos",
                files=[
                    FilePayload(name="front.jpg", mimeType="image/jpeg", buffer=_jpeg((200, 30, 30))),
                    FilePayload(name="back.jpg", mimeType="image/jpeg", buffer=_jpeg((30, 30, 200))),
                ],
            )
            page.click("text=登录并提交")

            page.wait_for_url(re.compile(r".*/login/\?next=.*"))
            page.fill("#id_phone", PHONE)
            page.click("button.send-code")
            page.wait_for_selector("text=验证码")
            page.fill("#id_code", site.last_code("+86" + PHONE))
            page.click("form button.primary")

            page.wait_for_url(re.compile(r".*/report/\?resume=1"))
            assert page.input_value("#id_f_fault_description") == "打印机卡纸，无法打印"
            assert "重新添加图片" not in page.content()
            kept = page.locator("input[name=f_photos__keep]:checked")
            assert kept.count() == 2, "both photos are still on the form"
            thumbs = page.locator(".thumb img")
            for i in range(2):  # and show as thumbnails
                assert thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
            _header_is_whole(page)
            page.click("text=提交报修")
            page.wait_for_url(re.compile(r".*/orders/\d+/"))
            number = re.search(r"BX-\d{8}-\d{5}", page.content())
            assert number, "the order number is shown after sending"
            shown = page.eval_on_selector_all(
                "img[src*='/photos/']", "imgs => [...new Set(imgs.map(i => i.src))]"
            )
            assert len(shown) == 2, "the order has both photos"
            assert "手机客户小周" in page.content()

            page.goto(site.url("acme.localhost", "/orders/"))
            page.wait_for_selector(f"text={number.group(0)}")
            assert "待接单" in page.content()
            _header_is_whole(page)
            page.click(".langswitch button")  # English words are longer
            page.wait_for_selector("text=Sign out")
            _header_is_whole(page)
        except Exception:
            print(_tail(site.log))
            raise
        finally:
            browser.close()


TIMELINE_PHONE = "13766660002"
INTERNAL_NOTE = "门禁密码 4321，只给工程师"
TIMELINE_SETUP = """
from django_tenants.utils import schema_context
from tenants.models import Domain
schema = Domain.objects.get(domain="timeline.localhost").tenant.schema_name
with schema_context(schema):
    from accounts.models import StaffMember, StaffRole
    from accounts.services import customer_get_or_create, staff_create
    from repair_forms import services
    from repair_forms.asset_services import catalog_path_get_or_create
    from repair_forms.lifecycle import Actor
    brand, category, model = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
    owner = Actor.for_staff(StaffMember.objects.get(is_owner=True))
    engineer = staff_create(phone="13700007777", password="secret-123", role=StaffRole.ENGINEER,
                            display_name="工程师小王")
    customer = customer_get_or_create(phone="13766660002", name="报修人小张")
    data = {"machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
            "machine_no": "", "serial": "", "fault_description": "卡纸", "service_type": "repair",
            "warranty": "out", "notes": ""}
    order = services.order_submit(actor=Actor.for_customer(customer), data=data)
    services.order_accept(actor=owner, order=order, note="门禁密码 4321，只给工程师")
    services.order_dispatch(actor=owner, order=order, engineer=engineer, note="门禁密码 4321，只给工程师")
    # A second order, repaired and confirmed: the customer rates it with the stars.
    done = services.order_submit(actor=Actor.for_customer(customer), data=data)
    services.order_accept(actor=owner, order=done)
    services.order_dispatch(actor=owner, order=done, engineer=engineer)
    services.order_start(actor=Actor.for_staff(engineer), order=done)
    services.order_submit_job_sheet(actor=Actor.for_staff(engineer), order=done, work_done="更换搓纸轮",
                                    result="已修复")
    services.order_confirm_completion(actor=Actor.for_customer(customer), order=done)
"""


def test_on_a_phone_the_customer_timeline_hides_staff_notes_and_tabs_use_the_gzic_words(site: Site) -> None:
    from playwright.sync_api import sync_playwright

    _manage(
        site,
        "create_provider",
        "--name",
        "时间线测试服务中心",
        "--subdomain",
        "timeline",
        "--phone",
        "13700008888",
        "--password",
        "secret-123",
    )
    _manage(site, "shell", "-c", TIMELINE_SETUP)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            phone = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=3,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            )
            page = phone.new_page()
            page.goto(site.url("timeline.localhost", "/login/?next=/orders/"))
            page.fill("#id_phone", TIMELINE_PHONE)
            page.click("button.send-code")
            page.wait_for_selector("text=验证码")
            page.fill("#id_code", site.last_code("+86" + TIMELINE_PHONE))
            page.click("form button.primary")
            page.wait_for_url(re.compile(r".*/orders/.*"))

            page.goto(site.url("timeline.localhost", "/orders/"))
            tabs = page.content()
            for word in ("待接单", "已接单", "已挂起", "已完成", "已取消"):
                assert word in tabs, word
            assert "已停用" not in tabs and "待受理" not in tabs
            assert "已派单" in tabs  # the order's badge, in the 已接单 tab's words
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            page.click("a.row")
            page.wait_for_url(re.compile(r".*/orders/\d+/"))
            detail = page.content()
            assert "BX-" in detail and "工程师小王" in detail
            assert INTERNAL_NOTE not in detail and "门禁密码" not in detail
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

            # Rating: tap the fourth star — four stars light up and its description shows.
            page.goto(site.url("timeline.localhost", "/orders/?tab=completed"))
            page.click("a.row")
            page.wait_for_selector("[data-star-picker]")
            page.tap("label.star[for=id_stars_3]")
            assert page.is_checked("input[name=stars][value='4']")
            lit = page.eval_on_selector_all(
                "label.star", "stars => stars.map(s => getComputedStyle(s).color)"
            )
            assert lit[:4] == [lit[0]] * 4 and lit[4] != lit[0], lit  # stars 1–4 lit, 5 not
            assert page.is_visible("[data-for='4']") and not page.is_visible("[data-for='5']")
            box = page.locator("label.star").first.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44  # big enough for a thumb
            page.click("text=发表评价")
            page.wait_for_selector("text=感谢您的评价")
        except Exception:
            print(_tail(site.log))
            raise
        finally:
            browser.close()
