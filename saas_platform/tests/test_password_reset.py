"""Password reset by SMS code: phone → code → (provider) → new password → signed in there."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings
from django_tenants.utils import schema_context

from accounts.models import StaffRole
from accounts.services import staff_create
from integrations.sms.gateway import DevBackend
from saas_platform.tests.helpers import follow_handoff, last_code, send_code
from tenants.services import staff_password_check
from tests.actors import PASSWORD, host_of

OWNER = "+8613800000001"


def verify(client: Client, phone: str, code: str, **extra: Any) -> Any:
    return client.post("/password-reset/", {"phone": phone, "code": code}, **extra)


def new_password(
    client: Client, provider: Any, password: str, confirm: str | None = None, **extra: Any
) -> Any:
    data = {"provider": provider.pk, "password": password, "password_confirm": confirm or password}
    return client.post("/password-reset/new/", data, **extra)


def test_the_owner_resets_the_password_and_is_signed_in(public_client: Client, actors: Any) -> None:
    assert send_code(public_client, "13800000001", purpose="reset").json()["ok"]
    response = verify(public_client, "13800000001", last_code(OWNER))
    assert response["Location"] == "/password-reset/new/"
    page = public_client.get("/password-reset/new/").content.decode()
    assert actors.tenant_a.name in page
    done = new_password(public_client, actors.tenant_a, "brand-new-1")
    assert done["Location"].startswith(f"http://{host_of(actors.tenant_a)}")
    browser, _ = follow_handoff(done)
    assert browser.get("/console/").status_code == 200
    assert staff_password_check(provider=actors.tenant_a, phone=OWNER, password="brand-new-1")
    assert not staff_password_check(provider=actors.tenant_a, phone=OWNER, password=PASSWORD)


def test_an_unknown_phone_gets_the_same_answer_but_no_sms(public_client: Client, actors: Any) -> None:
    DevBackend.outbox.clear()
    answer = send_code(public_client, "13511110000", purpose="reset").json()
    assert answer["ok"]
    assert "验证码已发送" in answer["message"]
    assert DevBackend.outbox == []


def test_a_wrong_code_is_refused(public_client: Client, actors: Any) -> None:
    send_code(public_client, "13800000001", purpose="reset")
    code = last_code(OWNER)
    wrong = "000000" if code != "000000" else "111111"
    response = verify(public_client, "13800000001", wrong, HTTP_ACCEPT_LANGUAGE="en")
    assert "The code is wrong. 4 tries left." in response.content.decode()
    assert public_client.get("/password-reset/new/")["Location"] == "/password-reset/"


def test_a_signup_code_does_not_reset_a_password(public_client: Client, actors: Any) -> None:
    from integrations.sms.codes import code_send

    code_send(phone=OWNER, purpose="signup", scope="public", ip=None)
    response = verify(public_client, "13800000001", last_code(OWNER))
    assert "验证码已过期或尚未发送" in response.content.decode()


def test_a_short_or_mismatched_new_password_is_refused(public_client: Client, actors: Any) -> None:
    send_code(public_client, "13800000001", purpose="reset")
    verify(public_client, "13800000001", last_code(OWNER))
    short = new_password(public_client, actors.tenant_a, "abc")
    assert "密码太短" in short.content.decode()
    mismatch = new_password(
        public_client, actors.tenant_a, "Lighthouse-47", "Lighthouse-48", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The two passwords do not match." in mismatch.content.decode()
    assert staff_password_check(provider=actors.tenant_a, phone=OWNER, password=PASSWORD)


def test_a_phone_at_two_providers_chooses_which_password_to_reset(public_client: Client, actors: Any) -> None:
    phone = "+8613600003333"
    for provider in (actors.tenant_a, actors.tenant_b):
        with schema_context(provider.schema_name):
            staff_create(phone=phone, password="old-pass", role=StaffRole.ENGINEER)
    send_code(public_client, phone, purpose="reset")
    verify(public_client, phone, last_code(phone))
    page = public_client.get("/password-reset/new/").content.decode()
    assert "您的手机号属于多个服务商" in page
    done = new_password(public_client, actors.tenant_b, "new-at-b")
    assert done["Location"].startswith(f"http://{host_of(actors.tenant_b)}")
    assert staff_password_check(provider=actors.tenant_b, phone=phone, password="new-at-b")
    assert staff_password_check(provider=actors.tenant_a, phone=phone, password="old-pass")


def test_the_new_password_page_needs_a_checked_code(public_client: Client, actors: Any) -> None:
    response = public_client.get("/password-reset/new/")
    assert response["Location"] == "/password-reset/"


def test_a_provider_outside_the_phones_list_cannot_be_chosen(public_client: Client, actors: Any) -> None:
    send_code(public_client, "13800000001", purpose="reset")
    verify(public_client, "13800000001", last_code(OWNER))
    response = new_password(public_client, actors.tenant_b, "hijack-1")
    assert response.status_code == 200
    assert not staff_password_check(provider=actors.tenant_b, phone=OWNER, password="hijack-1")


@override_settings(PUBLIC_RATE_LIMITS={"reset": (2, 600)})
def test_code_checks_are_rate_limited_per_ip(public_client: Client, actors: Any) -> None:
    for _ in range(2):
        verify(public_client, "13800000001", "123456")
    assert verify(public_client, "13800000001", "123456").status_code == 429
