"""The guard's gate page: a short code or a scanned QR payload in, the answer in words out, the
on-site list below; only guards and administrators."""

from __future__ import annotations

from django.urls import reverse

from portals.tests.orders.helpers import text_of
from portals.tests.visitors.conftest import signed_in
from visitors.passes import pass_qr_payload
from visitors.tests.helpers import School


def test_the_guard_checks_a_visitor_in_and_out_and_sees_who_is_on_site(school: School, actors):
    visit_pass = school.approve_all(school.submit()).visit_pass
    guard = signed_in(actors.tenant_a, school.guard, HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("console:visitors-gate")
    page = text_of(guard.post(url, {"code": pass_qr_payload(visit_pass), "direction": "entry"}))
    assert (
        'data-gate-result="allowed"' in page and "Entry recorded." in page and visit_pass.short_code in page
    )
    page = text_of(guard.post(url, {"code": visit_pass.short_code, "direction": "entry"}))
    assert 'data-gate-result="refused"' in page and "already inside" in page
    page = text_of(guard.post(url, {"code": visit_pass.short_code, "direction": "exit"}))
    assert "Exit recorded." in page and "Nobody is on site." in page


def test_the_gate_page_speaks_chinese_too(school: School, actors):
    guard = signed_in(actors.tenant_a, school.guard, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = text_of(guard.post(reverse("console:visitors-gate"), {"code": "NOPE2345", "direction": "entry"}))
    assert "这不是有效的访客码。" in page


def test_only_guards_and_administrators_open_the_gate_page(school: School, actors):
    assert signed_in(actors.tenant_a, school.host).get(reverse("console:visitors-gate")).status_code == 403
    assert signed_in(actors.tenant_a, school.admin).get(reverse("console:visitors-gate")).status_code == 200
