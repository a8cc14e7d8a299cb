"""Every password form stops guessing: per account (scoped to its provider) and per client address,
with a lockout message in words and an audit row per failure; new passwords follow the policy."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from accounts.models import StaffRole
from accounts.services import staff_create
from tests.actors import PASSWORD, host_of, public_host

LIMIT = 10


def console_client(provider: Any, address: str = "203.0.113.5") -> Client:
    return Client(HTTP_HOST=host_of(provider), REMOTE_ADDR=address)


def console_login(client: Client, phone: str, password: str, **extra: Any) -> Any:
    return client.post("/console/login/", {"username": phone, "password": password}, **extra)


def test_the_console_login_locks_an_account_after_ten_wrong_passwords(actors: Any) -> None:
    client = console_client(actors.tenant_a)
    for _ in range(LIMIT - 1):
        assert console_login(client, "13800000001", "wrong-password").status_code == 200
    assert console_login(client, "13800000001", "wrong-password").status_code == 429
    locked = console_login(client, "13800000001", PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    zh = console_login(client, "13800000001", PASSWORD)
    assert "登录失败次数过多" in zh.content.decode()


def test_each_failed_console_sign_in_leaves_an_audit_row_naming_the_provider(actors: Any) -> None:
    console_login(console_client(actors.tenant_a), "13800000001", "wrong-password")
    row = AccessFailureLog.objects.get()
    assert row.username == f"{actors.tenant_a.schema_name}:+8613800000001"
    assert row.ip_address == "203.0.113.5"
    assert "wrong-password" not in AccessAttempt.objects.get().post_data


def test_a_lockout_at_one_provider_does_not_lock_the_same_phone_at_another(actors: Any) -> None:
    shared = "13600003333"
    for provider in (actors.tenant_a, actors.tenant_b):
        with schema_context(provider.schema_name):
            staff_create(phone=shared, password=PASSWORD, role=StaffRole.DISPATCHER)
    for n in range(LIMIT):
        console_login(console_client(actors.tenant_a, f"198.51.100.{n}"), shared, "wrong-password")
    assert console_login(console_client(actors.tenant_a, "192.0.2.1"), shared, PASSWORD).status_code == 429
    other = console_login(console_client(actors.tenant_b, "192.0.2.1"), shared, PASSWORD)
    assert other.status_code == 302


def test_one_address_guessing_many_accounts_is_locked_out(actors: Any) -> None:
    client = console_client(actors.tenant_a, "203.0.113.77")
    for n in range(LIMIT):
        console_login(client, f"1370000{n:04d}", "wrong-password")
    assert console_login(client, "13800000001", PASSWORD).status_code == 429
    elsewhere = console_client(actors.tenant_a, "203.0.113.78")
    assert console_login(elsewhere, "13800000001", PASSWORD).status_code == 302


def test_the_operator_login_locks_out_platform_superusers(actors: Any) -> None:
    get_user_model().objects.create_superuser("ops", password="ops-password-1")
    client = Client(HTTP_HOST=public_host(), REMOTE_ADDR="203.0.113.9")
    for _ in range(LIMIT):
        client.post("/operator/login/", {"username": "ops", "password": "nope", "next": "/operator/"})
    locked = client.post("/operator/login/", {"username": "ops", "password": "ops-password-1"})
    assert locked.status_code == 429
    assert client.get("/operator/").status_code == 302  # still signed out


def test_the_public_login_locks_an_account_after_ten_wrong_passwords(actors: Any) -> None:
    client = Client(HTTP_HOST=public_host(), REMOTE_ADDR="203.0.113.10")
    for n in range(LIMIT):
        Client(HTTP_HOST=public_host(), REMOTE_ADDR=f"198.51.100.{n}").post(
            "/login/", {"phone": "13800000001", "password": "wrong-password"}
        )
    locked = client.post("/login/", {"phone": "13800000001", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_the_trusted_proxy_the_forwarded_client_address_is_counted(actors: Any) -> None:
    proxy = console_client(actors.tenant_a, "10.0.0.2")
    for _ in range(LIMIT):
        console_login(proxy, "13700001111", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.50")
    same = console_login(proxy, "13800000001", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert same.status_code == 429
    other = console_login(proxy, "13800000001", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.50"}


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("abc1234", "too short"),
        ("password123", "too common"),
        ("13800000099x", "too similar"),
    ],
)
def test_new_staff_passwords_follow_the_policy(actors: Any, password: str, words: str) -> None:
    from django.utils import translation

    with (
        schema_context(actors.tenant_a.schema_name),
        translation.override("en"),
        pytest.raises(ValidationError) as refused,
    ):
        staff_create(phone="13800000099", password=password, role=StaffRole.ENGINEER)
    assert words in " ".join(refused.value.messages)


def test_signup_refuses_a_six_character_password(public_client: Client, actors: Any) -> None:
    page = public_client.post(
        "/signup/",
        {"phone": "13511110000", "password": "abc123", "password_confirm": "abc123"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "use at least 8 characters" in page
