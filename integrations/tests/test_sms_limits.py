"""SMS code limits are scoped so that a stranger cannot lock someone's phone out everywhere, and code
requests do not tell who has an account."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from integrations.sms import codes
from integrations.sms.codes import CodeRefused, code_send, code_usage
from integrations.sms.gateway import DevBackend
from tests.actors import public_host

PHONE = "13812345678"
E164 = "+8613812345678"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    DevBackend.outbox.clear()


def send(scope: str, ip: str = "10.0.0.1", phone: str = PHONE) -> None:
    codes.cache.delete(codes._key("cooldown", scope, codes.normalize_phone(phone)))  # a minute passed
    code_send(phone=phone, purpose="login", scope=scope, ip=ip)


def refusal(scope: str, **kwargs: Any) -> str:
    with pytest.raises(CodeRefused) as info:
        send(scope, **kwargs)
    return info.value.reason


def test_eleven_requests_on_one_portal_do_not_lock_the_phone_out_of_other_providers(db: Any) -> None:
    for n in range(10):
        send("t_tenant_a", ip=f"10.0.1.{n}")
    assert refusal("t_tenant_a", ip="10.0.1.99") == "daily_limit_phone"
    send("t_tenant_b", ip="10.0.2.1")
    send("public", ip="10.0.2.2")
    assert [m.scope for m in DevBackend.outbox][-2:] == ["t_tenant_b", "public"]


def test_the_resend_cooldown_is_per_provider(db: Any) -> None:
    code_send(phone=PHONE, purpose="login", scope="t_tenant_a", ip="10.0.0.1")
    with pytest.raises(CodeRefused):
        code_send(phone=PHONE, purpose="login", scope="t_tenant_a", ip="10.0.0.1")
    code_send(phone=PHONE, purpose="login", scope="t_tenant_b", ip="10.0.0.1")


@override_settings(SMS_DAILY_LIMIT_PER_PHONE_PLATFORM=4)
def test_a_phone_has_a_platform_wide_daily_cap_across_providers(db: Any) -> None:
    for n, scope in enumerate(["t_a", "t_b", "t_c", "t_d"]):
        send(scope, ip=f"10.0.3.{n}")
    assert refusal("t_e", ip="10.0.3.9") == "daily_limit_phone"


@override_settings(SMS_DAILY_LIMIT_PER_SCOPE=3)
def test_one_provider_cannot_spend_more_than_its_daily_budget(db: Any) -> None:
    for n in range(3):
        send("t_tenant_a", ip=f"10.0.4.{n}", phone=f"1381234000{n}")
    assert refusal("t_tenant_a", ip="10.0.4.9", phone="13812340009") == "daily_limit_scope"
    send("t_tenant_b", ip="10.0.4.9", phone="13812340009")


@override_settings(SMS_DAILY_LIMIT_PER_PHONE=10)
def test_usage_reports_how_close_the_next_send_is_to_a_cap(db: Any) -> None:
    assert code_usage(phone=PHONE, scope="t_tenant_a", ip="10.0.5.1") == 0.0
    for n in range(8):
        send("t_tenant_a", ip=f"10.0.5.{n}")
    assert code_usage(phone=PHONE, scope="t_tenant_a", ip="10.0.5.99") == pytest.approx(0.8)
    assert code_usage(phone=PHONE, scope="t_tenant_b", ip="10.0.5.99") < 0.5


def test_a_signup_code_request_for_an_owner_answers_like_any_other_and_texts_nobody(actors: Any) -> None:
    client = Client(HTTP_HOST=public_host(), HTTP_ACCEPT_LANGUAGE="en")
    owner = client.post("/sms/send-code/", {"purpose": "signup", "phone": "13800000001"})
    stranger = client.post("/sms/send-code/", {"purpose": "signup", "phone": "13511119999"})
    assert owner.status_code == stranger.status_code == 200
    assert owner.json() == stranger.json()
    assert [m.phone for m in DevBackend.outbox] == ["+8613511119999"]


def test_a_reset_code_request_answers_the_same_for_staff_and_strangers(actors: Any) -> None:
    client = Client(HTTP_HOST=public_host(), HTTP_ACCEPT_LANGUAGE="en")
    staff = client.post("/sms/send-code/", {"purpose": "reset", "phone": "13800000011"})
    stranger = client.post("/sms/send-code/", {"purpose": "reset", "phone": "13511118888"})
    assert staff.status_code == stranger.status_code == 200
    assert staff.json() == stranger.json()
    assert [m.phone for m in DevBackend.outbox] == ["+8613800000011"]
