"""服务商入驻: phone + SMS code + name + subdomain + password, then signed in on the new host."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context, schema_exists

from accounts.models import StaffMember
from integrations.sms.gateway import DevBackend
from saas_platform.tests.helpers import follow_handoff, last_code, send_code
from tenants.models import Domain, Provider, StaffDirectory
from tests.actors import host_of

PHONE = "13700001111"
E164 = "+8613700001111"
EXPLODING = ["accounts.seed.create_owner", "tenants.tests.helpers.explode"]


@pytest.fixture(autouse=True)
def _clean_outbox() -> None:
    DevBackend.outbox.clear()


def signup_data(**overrides: Any) -> dict[str, str]:
    data = {
        "phone": PHONE,
        "code": "",
        "name": "杭州笛升售后服务中心",
        "subdomain": "disheng",
        "password": "secret-123",
        "password_confirm": "secret-123",
    }
    data.update(overrides)
    return data


def sign_up(client: Client, **overrides: Any) -> Any:
    send_code(client, overrides.get("phone", PHONE))
    data = signup_data(**overrides)
    if not data["code"]:
        data["code"] = last_code(E164 if data["phone"] == PHONE else data["phone"])
    return client.post("/signup/", data)


def nothing_made(subdomain: str = "disheng", name: str = "杭州笛升售后服务中心") -> bool:
    return (
        not Provider.objects.filter(name=name).exists()
        and not Domain.objects.filter(domain__startswith=f"{subdomain}.").exists()
        and not schema_exists(f"t_{subdomain}")
        and not StaffDirectory.objects.filter(phone=E164).exists()
    )


def test_the_signup_form_says_the_name_cannot_change(public_client: Client, actors: Any) -> None:
    page = public_client.get("/signup/").content.decode()
    assert "注册后将不能修改" in page
    assert "csrfmiddlewaretoken" in page
    english = public_client.get("/signup/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cannot be changed after signup." in english


def test_signup_lands_the_owner_signed_in_on_the_new_console(public_client: Client, actors: Any) -> None:
    response = sign_up(public_client)
    assert response["Location"].startswith("http://disheng.baoxiu.test")
    browser, landed = follow_handoff(response)
    assert landed.status_code == 302
    assert landed["Location"] == "/console/"
    console = browser.get("/console/")
    assert console.status_code == 200
    assert "杭州笛升售后服务中心" in console.content.decode()

    provider = Provider.objects.get(name="杭州笛升售后服务中心")
    assert provider.owner_phone == E164
    assert provider.primary_host == "disheng.baoxiu.test"
    assert StaffDirectory.objects.filter(phone=E164, provider=provider).exists()
    with schema_context(provider.schema_name):
        owner = StaffMember.objects.get(phone=E164)
        assert owner.is_owner


def test_signup_works_in_english_too(public_client: Client, actors: Any) -> None:
    send_code(public_client, PHONE)
    data = signup_data(code=last_code(E164), name="Disheng Service", subdomain="disheng-en")
    response = public_client.post("/signup/", data, HTTP_ACCEPT_LANGUAGE="en")
    browser, landed = follow_handoff(response)
    assert browser.get("/console/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200


def test_the_handoff_link_works_only_once(public_client: Client, actors: Any) -> None:
    response = sign_up(public_client)
    follow_handoff(response)
    _browser, again = follow_handoff(response)
    assert again.status_code == 302
    assert again["Location"].startswith("/console/login/")


def form_errors(response: Any) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "zh", "en"),
    [
        ({"phone": "12345"}, "请输入有效的手机号码", "Enter a valid mobile phone number."),
        (
            {"password": "abc", "password_confirm": "abc"},
            "密码太短：至少需要 8 个字符",
            "The password is too short",
        ),
        ({"password_confirm": "secret2"}, "两次输入的密码不一致", "The two passwords do not match."),
        ({"subdomain": "admin"}, "该二级域名为系统保留", "This subdomain is reserved."),
        ({"subdomain": "a_b"}, "二级域名为 3–30 位", "A subdomain is 3–30 lowercase letters"),
        ({"subdomain": "tenant-a"}, "该二级域名已被占用", "This subdomain is already taken."),
        (
            {"name": "甲维修服务中心 Tenant A"},
            "该服务商名称已被使用",
            "A provider with this name already exists.",
        ),
        ({"code": "12ab"}, "验证码为 6 位数字", "The verification code is 6 digits."),
    ],
)
def test_bad_signup_input_is_refused_in_both_languages(
    public_client: Client, actors: Any, overrides: dict[str, str], zh: str, en: str
) -> None:
    send_code(public_client, overrides.get("phone", PHONE))
    base = signup_data(**{"code": "000000", **overrides})
    response = public_client.post("/signup/", base)
    assert response.status_code == 200
    assert zh in form_errors(response)
    english = public_client.post("/signup/", base, HTTP_ACCEPT_LANGUAGE="en")
    assert en in form_errors(english)
    assert nothing_made()


def test_a_bad_field_does_not_burn_the_code(public_client: Client, actors: Any) -> None:
    send_code(public_client, PHONE)
    code = last_code(E164)
    public_client.post("/signup/", signup_data(code=code, subdomain="admin"))
    response = public_client.post("/signup/", signup_data(code=code))
    assert response.status_code == 302


def test_a_phone_that_already_owns_a_provider_is_refused(public_client: Client, actors: Any) -> None:
    owner_phone = actors.tenant_a.owner_phone
    response = send_code(public_client, owner_phone)
    assert response.status_code == 200  # the code request does not reveal the owner (and texts nobody)
    assert not [m for m in DevBackend.outbox if m.phone == owner_phone]
    data = signup_data(phone=owner_phone, code="123456")
    page = public_client.post("/signup/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This phone number already owns a provider." in page
    assert nothing_made()


def test_a_wrong_code_is_refused_and_nothing_is_made(public_client: Client, actors: Any) -> None:
    send_code(public_client, PHONE)
    code = last_code(E164)
    wrong = "000000" if code != "000000" else "111111"
    response = public_client.post("/signup/", signup_data(code=wrong))
    assert "验证码错误，还可尝试 4 次" in response.content.decode()
    assert nothing_made()


def test_an_expired_code_is_refused(public_client: Client, actors: Any, monkeypatch: Any) -> None:
    from integrations.sms import codes

    send_code(public_client, PHONE)
    code = last_code(E164)
    later = codes._now() + 301
    monkeypatch.setattr(codes, "_now", lambda: later)
    response = public_client.post("/signup/", signup_data(code=code), HTTP_ACCEPT_LANGUAGE="en")
    assert "The code has expired or was never sent." in response.content.decode()
    assert nothing_made()


def test_a_failed_signup_keeps_the_code_and_a_replay_after_success_is_refused(
    public_client: Client, actors: Any
) -> None:
    send_code(public_client, PHONE)
    code = last_code(E164)
    with override_settings(TENANT_SEEDERS=EXPLODING), pytest.raises(RuntimeError):
        public_client.post("/signup/", signup_data(code=code))
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    assert nothing_made()
    retry = public_client.post("/signup/", signup_data(code=code))  # the code was not spent
    assert retry.status_code == 302
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    replay = public_client.post("/signup/", signup_data(code=code, subdomain="disheng2", name="另一家"))
    assert replay.status_code == 200 and "errorlist" in replay.content.decode()
    assert not Provider.objects.filter(name="另一家").exists()


def test_five_wrong_codes_lock_it(public_client: Client, actors: Any) -> None:
    send_code(public_client, PHONE)
    code = last_code(E164)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        public_client.post("/signup/", signup_data(code=wrong))
    response = public_client.post("/signup/", signup_data(code=code), HTTP_ACCEPT_LANGUAGE="en")
    assert "this code is locked" in response.content.decode()
    assert nothing_made()


def test_a_second_code_within_a_minute_is_refused(public_client: Client, actors: Any) -> None:
    assert send_code(public_client, PHONE).status_code == 200
    again = send_code(public_client, PHONE, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 429
    assert again.json()["reason"] == "too_soon"
    assert "seconds before asking again" in again.json()["error"]


@override_settings(SMS_DAILY_LIMIT_PER_PHONE=2, SMS_CODE_RESEND_SECONDS=1)
def test_the_daily_cap_per_phone_is_enforced(public_client: Client, actors: Any) -> None:
    from django.core.cache import cache

    for _ in range(2):
        assert send_code(public_client, PHONE).status_code == 200
        cache.delete(f"sms-code:cooldown:public:{E164}")  # the minute has passed
    refused = send_code(public_client, PHONE)
    assert refused.json()["reason"] == "daily_limit_phone"
    assert "今天获取验证码的次数已达上限" in refused.json()["error"]


@override_settings(SMS_DAILY_LIMIT_PER_IP=2)
def test_the_daily_cap_per_ip_is_enforced(public_client: Client, actors: Any) -> None:
    assert send_code(public_client, "13700000001").status_code == 200
    assert send_code(public_client, "13700000002").status_code == 200
    refused = send_code(public_client, "13700000003", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.json()["reason"] == "daily_limit_ip"
    other_ip = send_code(public_client, "13700000003", REMOTE_ADDR="10.9.9.9")
    assert other_ip.status_code == 200


def test_a_bad_phone_gets_no_code(public_client: Client, actors: Any) -> None:
    response = send_code(public_client, "123", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["error"] == "Enter a valid mobile phone number."
    assert DevBackend.outbox == []


def test_send_code_without_javascript_keeps_what_was_typed(public_client: Client, actors: Any) -> None:
    data = signup_data(action="send_code", name="无脚本服务商")
    page = public_client.post("/signup/", data).content.decode()
    assert "验证码已通过短信发送" in page
    assert 'value="无脚本服务商"' in page
    assert len(DevBackend.outbox) == 1


@override_settings(PUBLIC_RATE_LIMITS={"signup": (2, 3600)})
def test_signup_attempts_are_rate_limited_per_ip(public_client: Client, actors: Any) -> None:
    for _ in range(2):
        public_client.post("/signup/", signup_data(code="000000"))
    response = public_client.post("/signup/", signup_data(code="000000"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()


def test_signup_needs_the_csrf_token(actors: Any) -> None:
    from tests.actors import public_host

    strict = Client(HTTP_HOST=public_host(), enforce_csrf_checks=True)
    assert strict.post("/signup/", signup_data(code="123456")).status_code == 403
    assert strict.post("/sms/send-code/", {"phone": PHONE, "purpose": "signup"}).status_code == 403


def test_a_failure_while_provisioning_leaves_nothing_behind(public_client: Client, actors: Any) -> None:
    with override_settings(TENANT_SEEDERS=EXPLODING), pytest.raises(RuntimeError):
        sign_up(public_client)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    assert nothing_made()


@pytest.mark.parametrize(
    ("subdomain", "available", "reason"),
    [
        ("fresh-name", True, ""),
        ("admin", False, "reserved"),
        ("tenant-a", False, "taken"),
        ("No_Way", False, "invalid"),
        ("ab", False, "invalid"),
    ],
)
def test_the_live_subdomain_check_gives_a_reason(
    public_client: Client, actors: Any, subdomain: str, available: bool, reason: str
) -> None:
    answer = public_client.get("/signup/subdomain-check/", {"subdomain": subdomain}).json()
    assert answer["available"] is available
    assert answer["reason"] == reason
    assert answer["message"]


@override_settings(PUBLIC_RATE_LIMITS={"subdomain_check": (3, 60)})
def test_the_subdomain_check_is_rate_limited(public_client: Client, actors: Any) -> None:
    for _ in range(3):
        public_client.get("/signup/subdomain-check/", {"subdomain": "abc"})
    assert public_client.get("/signup/subdomain-check/", {"subdomain": "abc"}).status_code == 429


def test_the_new_provider_is_isolated_from_tenant_a(public_client: Client, actors: Any) -> None:
    response = sign_up(public_client)
    browser, _ = follow_handoff(response)
    # The new owner's session means nothing on tenant A's host.
    browser.defaults["HTTP_HOST"] = host_of(actors.tenant_a)
    assert browser.get("/console/").status_code == 302
