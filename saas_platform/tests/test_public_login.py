"""Public sign-in: phone + password find the provider(s) through the staff directory."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from accounts.models import StaffRole
from accounts.services import staff_create
from saas_platform.tests.helpers import follow_handoff
from tests.actors import PASSWORD, host_of

SHARED_PHONE = "13600002222"


def login(client: Client, phone: str, password: str, **extra: Any) -> Any:
    return client.post("/login/", {"phone": phone, "password": password}, **extra)


def test_the_owner_signs_in_and_lands_on_the_console(public_client: Client, actors: Any) -> None:
    response = login(public_client, "138 0000 0001", PASSWORD)
    assert response["Location"].startswith(f"http://{host_of(actors.tenant_a)}")
    browser, landed = follow_handoff(response)
    assert landed["Location"] == "/console/"
    assert browser.get("/console/").status_code == 200


@pytest.mark.parametrize(("phone", "password"), [("13800000001", "wrong-pass"), ("13511112222", PASSWORD)])
def test_a_wrong_password_or_unknown_phone_gets_the_same_answer(
    public_client: Client, actors: Any, phone: str, password: str
) -> None:
    zh = login(public_client, phone, password)
    assert zh.status_code == 200
    assert "手机号或密码错误" in zh.content.decode()
    en = login(public_client, phone, password, HTTP_ACCEPT_LANGUAGE="en")
    assert "Wrong phone number or password." in en.content.decode()


def test_an_invalid_phone_is_refused(public_client: Client, actors: Any) -> None:
    page = login(public_client, "abc", PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Enter a valid mobile phone number." in page


def _staff_in(provider: Any, phone: str, password: str) -> None:
    with schema_context(provider.schema_name):
        staff_create(phone=phone, password=password, role=StaffRole.DISPATCHER)


def test_a_phone_at_two_providers_chooses_which_console(public_client: Client, actors: Any) -> None:
    _staff_in(actors.tenant_a, SHARED_PHONE, "same-pass")
    _staff_in(actors.tenant_b, SHARED_PHONE, "same-pass")
    response = login(public_client, SHARED_PHONE, "same-pass")
    assert response["Location"] == "/login/choose/"
    page = public_client.get("/login/choose/").content.decode()
    assert actors.tenant_a.name in page and actors.tenant_b.name in page
    chosen = public_client.post("/login/choose/", {"provider": actors.tenant_b.pk})
    assert chosen["Location"].startswith(f"http://{host_of(actors.tenant_b)}")
    browser, _ = follow_handoff(chosen)
    assert browser.get("/console/").status_code == 200


def test_only_the_providers_that_accept_the_password_are_offered(public_client: Client, actors: Any) -> None:
    _staff_in(actors.tenant_a, SHARED_PHONE, "pass-at-a")
    _staff_in(actors.tenant_b, SHARED_PHONE, "pass-at-b")
    response = login(public_client, SHARED_PHONE, "pass-at-b")
    assert response["Location"].startswith(f"http://{host_of(actors.tenant_b)}")


def test_the_choice_cannot_name_another_provider(public_client: Client, actors: Any) -> None:
    _staff_in(actors.tenant_a, SHARED_PHONE, "pass-at-a")
    _staff_in(actors.tenant_b, SHARED_PHONE, "pass-at-a")
    login(public_client, SHARED_PHONE, "pass-at-a")
    with schema_context(actors.tenant_b.schema_name):
        get_user_model().objects.filter(username="+8613600002222").update(password="!")
    # The choice is remembered from the sign-in; a forged id is refused.
    forged = public_client.post("/login/choose/", {"provider": 999999})
    assert forged.status_code == 200
    assert "请从下面选择一个服务商" in forged.content.decode()


def test_the_choice_page_needs_a_recent_sign_in(public_client: Client, actors: Any) -> None:
    response = public_client.get("/login/choose/")
    assert response["Location"] == "/login/"


def test_a_deactivated_user_cannot_sign_in(public_client: Client, actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        get_user_model().objects.filter(username=actors.engineer_a.phone).update(is_active=False)
    response = login(public_client, "13800000011", PASSWORD)
    assert "手机号或密码错误" in response.content.decode()


@override_settings(PUBLIC_RATE_LIMITS={"login": (3, 600)})
def test_sign_in_attempts_are_rate_limited_per_ip(public_client: Client, actors: Any) -> None:
    for _ in range(3):
        login(public_client, "13800000001", "wrong-pass")
    blocked = login(public_client, "13800000001", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    other_ip = login(public_client, "13800000001", PASSWORD, REMOTE_ADDR="10.7.7.7")
    assert other_ip.status_code == 302


def test_sign_in_visits_only_the_phones_providers(
    public_client: Client, actors: Any, django_assert_max_num_queries: Any
) -> None:
    login(public_client, "13800000001", "warm-up")
    with django_assert_max_num_queries(12):
        login(public_client, "13800000001", PASSWORD)


def test_sign_in_needs_the_csrf_token(actors: Any) -> None:
    from tests.actors import public_host

    strict = Client(HTTP_HOST=public_host(), enforce_csrf_checks=True)
    assert login(strict, "13800000001", PASSWORD).status_code == 403
