"""Customer sign-in on the portal (phone + SMS code), sign-out, and the embeddable login window."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from accounts.models import Customer, StaffMember
from accounts.selectors import customer_for_user
from accounts.services import customer_get_or_create
from portals.tests.helpers import anonymous, in_schema, last_code, send_then_submit, text_of, texts_to
from tests.actors import PASSWORD, client_for, host_of

PHONE = "13544445555"
E164 = "+8613544445555"


def test_a_customer_signs_in_with_a_text_code_and_lands_on_next(actors: Any) -> None:
    client = anonymous(actors.tenant_a)
    page = client.get("/login/?next=/some/where/")
    assert page.status_code == 200
    response = send_then_submit(client, "/login/", {"phone": PHONE, "next": "/some/where/"})
    assert response.status_code == 302 and response["Location"] == "/some/where/"
    with in_schema(actors.tenant_a):
        customer = Customer.objects.get(phone=E164)
        assert customer_for_user(user=customer.user) == customer
    assert PHONE[-4:] in text_of(client.get("/"))
    # Signed in already: the login page moves on.
    assert client.get("/login/")["Location"] == "/"


def test_next_never_leaves_the_providers_host(actors: Any) -> None:
    response = send_then_submit(
        anonymous(actors.tenant_a), "/login/", {"phone": PHONE, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_sign_out_ends_the_customer_session(actors: Any) -> None:
    client = anonymous(actors.tenant_a)
    send_then_submit(client, "/login/", {"phone": PHONE})
    assert client.get("/logout/").status_code == 405
    out = client.post("/logout/")
    assert out.status_code == 302 and out["Location"] == "/"
    assert client.get("/login/").status_code == 200  # the form again: nobody is signed in


def test_wrong_expired_and_missing_codes_are_refused_in_both_languages(actors: Any) -> None:
    client = anonymous(actors.tenant_a)
    never_sent = client.post(
        "/login/", {"phone": PHONE, "code": "123456", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "expired or was never sent" in text_of(never_sent)
    client.post("/login/", {"phone": PHONE, "action": "send"})
    wrong = client.post("/login/", {"phone": PHONE, "code": "000000", "action": "submit"})
    assert "验证码" in text_of(wrong)
    too_soon = client.post("/login/", {"phone": PHONE, "action": "send"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Wait" in text_of(too_soon)
    bad_phone = client.post("/login/", {"phone": "12", "action": "send"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter a valid phone number." in text_of(bad_phone)
    with in_schema(actors.tenant_a):
        assert not Customer.objects.filter(phone=E164).exists()
    assert client.get("/console/").status_code == 302


def test_a_code_for_tenant_a_does_not_sign_in_on_tenant_b(actors: Any) -> None:
    a = anonymous(actors.tenant_a)
    a.post("/login/", {"phone": PHONE, "action": "send"})
    code = last_code(PHONE)
    b = anonymous(actors.tenant_b)
    response = b.post("/login/", {"phone": PHONE, "code": code, "action": "submit"})
    assert response.status_code == 200
    with in_schema(actors.tenant_b):
        assert not Customer.objects.filter(phone=E164).exists()


def test_a_staff_members_phone_signing_in_as_a_customer_never_opens_the_console(actors: Any) -> None:
    client = anonymous(actors.tenant_a)
    response = send_then_submit(client, "/login/", {"phone": "13800000001"})  # the owner's phone
    assert response.status_code == 302
    assert client.get("/console/").status_code == 302  # to the staff login
    with in_schema(actors.tenant_a):
        customer = Customer.objects.get(phone="+8613800000001")
        owner = StaffMember.objects.get(pk=actors.owner_a.pk)
        assert customer.user_id != owner.user_id
    # And the same browser can still sign in as staff with the password.
    login = client.post("/console/login/", {"username": "13800000001", "password": PASSWORD})
    assert login.status_code == 302 and client.get("/console/").status_code == 200


def test_the_portal_home_shows_the_provider_info_with_tap_to_call(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    saved = owner.post(
        "/console/profile/",
        {
            "contact_person": "陈先生",
            "contact_phone": "400-857-1100",
            "address": "杭州市西湖区",
            "about": "<b>专业维修</b>\n二十年",
        },
    )
    assert saved.status_code == 302
    home = anonymous(actors.tenant_a).get("/")
    body = text_of(home)
    assert actors.tenant_a.name in body
    assert 'href="tel:4008571100"' in body and "400-857-1100" in body
    assert "陈先生" in body and "杭州市西湖区" in body
    assert "&lt;b&gt;专业维修&lt;/b&gt;" in body and "<b>专业维修</b>" not in body


# --- The embeddable login window -------------------------------------------------------------------


def enter_link(body: str) -> str:
    match = re.search(r'href="([^"]*/embed/enter/[^"]*)"', body)
    assert match, "no link to the portal"
    return html.unescape(match.group(1))


def set_origins(actors: Any, origins: str) -> None:
    from portals.tests.test_console_settings import settings_data

    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.post("/console/settings/", settings_data(embed_allowed_origins=origins)).status_code == 302


def test_the_embed_window_may_be_framed_only_by_the_listed_origins(actors: Any) -> None:
    set_origins(actors, "https://www.example.com\nhttps://shop.example.cn:8443")
    response = anonymous(actors.tenant_a).get("/embed/login/")
    assert response.status_code == 200
    assert (
        "frame-ancestors 'self' https://www.example.com https://shop.example.cn:8443"
        in (response["Content-Security-Policy"])
    )
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    # Every other page still refuses to be framed.
    assert anonymous(actors.tenant_a).get("/login/")["X-Frame-Options"] == "DENY"
    assert anonymous(actors.tenant_a).get("/")["X-Frame-Options"] == "DENY"


def test_without_listed_origins_only_the_providers_own_pages_may_frame_it(actors: Any) -> None:
    response = anonymous(actors.tenant_a).get("/embed/login/")
    assert "frame-ancestors 'self';" in response["Content-Security-Policy"] + ";"


def test_embed_login_signs_the_customer_in_on_the_top_window(actors: Any) -> None:
    frame = Client(HTTP_HOST=host_of(actors.tenant_a), enforce_csrf_checks=True)  # no CSRF cookie in a frame
    frame.post("/embed/login/", {"phone": PHONE, "action": "send"})
    done = frame.post("/embed/login/", {"phone": PHONE, "code": last_code(PHONE), "action": "submit"})
    assert done.status_code == 200 and "frame-ancestors" in done["Content-Security-Policy"]
    body = done.content.decode()
    assert 'target="_top"' in body
    enter = enter_link(body)
    assert urlsplit(enter).path == "/embed/enter/"
    # The frame itself is not signed in; the top window is, by following the ticket.
    assert "sessionid" not in frame.cookies or not frame.cookies["sessionid"].value
    top = anonymous(actors.tenant_a)
    landed = top.get(enter)
    assert landed.status_code == 302 and landed["Location"] == "/"
    assert PHONE[-4:] in text_of(top.get("/"))
    # A ticket works once.
    again = anonymous(actors.tenant_a).get(enter)
    assert again.status_code == 302 and again["Location"] == "/login/"


def test_embed_tickets_are_bound_to_their_provider_and_refuse_forgeries(actors: Any) -> None:
    frame = anonymous(actors.tenant_a)
    frame.post("/embed/login/", {"phone": PHONE, "action": "send"})
    done = frame.post("/embed/login/", {"phone": PHONE, "code": last_code(PHONE), "action": "submit"})
    enter = enter_link(done.content.decode())
    on_b = anonymous(actors.tenant_b)
    assert on_b.get(enter)["Location"] == "/login/"
    assert anonymous(actors.tenant_a).get("/embed/enter/?ticket=forged")["Location"] == "/login/"


def test_embed_login_refuses_a_wrong_code_inside_the_frame(actors: Any) -> None:
    frame = anonymous(actors.tenant_a)
    frame.post("/embed/login/", {"phone": PHONE, "action": "send"})
    wrong = frame.post(
        "/embed/login/", {"phone": PHONE, "code": "000000", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert wrong.status_code == 200 and "The code is wrong." in text_of(wrong)
    assert "frame-ancestors" in wrong["Content-Security-Policy"]
    assert len(texts_to(PHONE, "verify_code")) == 1


def test_the_console_embed_page_previews_the_window_and_gives_the_snippet(actors: Any) -> None:
    set_origins(actors, "https://www.example.com")
    owner = client_for(actors.tenant_a, actors.owner_a)
    page = owner.get("/console/embed/?width=500&height=600")
    body = text_of(page)
    assert (
        '<iframe class="preview-frame" data-embed-preview src="/embed/login/" width="500" height="600"'
        in body
    )
    assert '&lt;iframe src="http://tenant-a.baoxiu.test:8000/embed/login/" width="500" height="600"' in body
    assert "https://www.example.com" in body
    bad = owner.get("/console/embed/?width=10&height=600", HTTP_ACCEPT_LANGUAGE="en")
    assert "greater than or equal to 240" in text_of(bad)


def test_existing_customers_keep_their_company_when_they_sign_in(actors: Any) -> None:
    from accounts.models import CustomerCompany

    with in_schema(actors.tenant_a):
        company = CustomerCompany.objects.create(name="老客户公司", registration_token="t-old")
        customer_get_or_create(phone=PHONE, name="老王", company=company)
    send_then_submit(anonymous(actors.tenant_a), "/login/", {"phone": PHONE})
    with in_schema(actors.tenant_a):
        assert Customer.objects.get(phone=E164).company_id == company.pk
