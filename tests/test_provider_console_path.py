"""The tenant side of provider onboarding, walked end to end with the Django test client in both
languages: settings → staff invitation → set password → sign in → engineer self-registration →
approval → company QR registration → customer signed in on the portal."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Customer, CustomerCompany, ProviderSettings, StaffMember, StaffStatus
from integrations.sms.gateway import DevBackend
from tests.actors import client_for, host_of

WORDS = {
    "zh-hans": {
        "saved": "设置已保存",
        "invited": "邀请短信已发送",
        "pending": "注册已提交",
        "company": "欢迎",
    },
    "en": {
        "saved": "Settings saved.",
        "invited": "The invitation was sent",
        "pending": "Registration received",
        "company": "Welcome",
    },
}


def _code(phone: str) -> str:
    return [m for m in DevBackend.outbox if m.phone == phone and m.template.name == "verify_code"][-1].params[
        "code"
    ]


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_whole_console_path_from_settings_to_a_signed_in_company_customer(
    actors: Any, language: str
) -> None:
    DevBackend.outbox.clear()
    words = WORDS[language]
    lang: dict[str, Any] = {"HTTP_ACCEPT_LANGUAGE": language}
    host = host_of(actors.tenant_a)
    owner = client_for(actors.tenant_a, actors.owner_a)

    # 设置
    settings_form = {
        "ratings_enabled": "on",
        "star_1": "1",
        "star_2": "2",
        "star_3": "3",
        "star_4": "4",
        "star_5": "5",
        "rating_tags": "好",
        "waiting_sla_hours": "2",
        "repair_sla_hours": "48",
        "urge_after_hours": "2",
        "auto_confirm_days": "7",
        "embed_allowed_origins": "https://www.example.com",
    }
    saved = owner.post("/console/settings/", settings_form, follow=True, **lang)
    assert words["saved"] in _text(saved)

    # Staff invitation → set password → sign in
    invited = owner.post(
        "/console/staff/invite/",
        {"display_name": "小李", "phone": "13700001111", "role": "dispatcher"},
        follow=True,
        **lang,
    )
    assert words["invited"] in _text(invited)
    link = [m for m in DevBackend.outbox if m.template.name == "staff_invite"][-1].params["link"]
    newcomer = Client(HTTP_HOST=host)
    assert (
        newcomer.post(
            urlsplit(link).path, {"password1": "pass-1234", "password2": "pass-1234"}, **lang
        ).status_code
        == 302
    )
    fresh = Client(HTTP_HOST=host)
    assert (
        fresh.post(
            "/console/login/", {"username": "13700001111", "password": "pass-1234"}, **lang
        ).status_code
        == 302
    )
    assert fresh.get("/console/companies/", **lang).status_code == 200  # a dispatcher's screen

    # Engineer self-registration → approval → sign in
    owner.post("/console/staff/join-link/", {"action": "renew"})
    with schema_context(actors.tenant_a.schema_name):
        token = ProviderSettings.objects.get(pk=1).engineer_join_token
    engineer = Client(HTTP_HOST=host)
    form = {
        "display_name": "王师傅",
        "phone": "13600001111",
        "password1": "fix-1234",
        "password2": "fix-1234",
    }
    engineer.post(f"/console/join/{token}/", {**form, "action": "send"}, **lang)
    pending = engineer.post(f"/console/join/{token}/", {**form, "code": _code("+8613600001111")}, **lang)
    assert words["pending"] in _text(pending)
    with schema_context(actors.tenant_a.schema_name):
        staff = StaffMember.objects.get(phone="+8613600001111")
    owner.post(f"/console/staff/{staff.pk}/", {"action": "approve"}, **lang)
    assert (
        engineer.post("/console/login/", {"username": "13600001111", "password": "fix-1234"}).status_code
        == 302
    )

    # Customer company → its QR registration → customer signed in on the portal
    owner.post("/console/companies/new/", {"name": "笛升科技"}, **lang)
    with schema_context(actors.tenant_a.schema_name):
        company = CustomerCompany.objects.get(name="笛升科技")
    customer = Client(HTTP_HOST=host)
    url = f"/company/{company.registration_token}/"
    customer.post(url, {"name": "张三", "phone": "13511110000", "action": "send"}, **lang)
    done = customer.post(
        url, {"name": "张三", "phone": "13511110000", "code": _code("+8613511110000")}, follow=True, **lang
    )
    assert words["company"] in _text(done) and "笛升科技" in _text(done)
    with schema_context(actors.tenant_a.schema_name):
        member = Customer.objects.get(phone="+8613511110000")
        assert member.company_id == company.pk
        assert StaffMember.objects.get(phone="+8613700001111").status == StaffStatus.ACTIVE
