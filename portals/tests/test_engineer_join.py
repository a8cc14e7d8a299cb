"""Engineer self-registration (MangoIT): admin link/QR → registration with phone + SMS code →
pending → approved or rejected (with a text either way) → sign in once approved."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from accounts.models import ProviderSettings, StaffMember, StaffStatus
from portals.tests.helpers import anonymous, in_schema, send_then_submit, text_of, texts_to
from tests.actors import client_for

PHONE = "13600002222"
E164 = "+8613600002222"


def switch_on(actors: Any) -> str:
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.post("/console/staff/join-link/", {"action": "renew"}).status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        return ProviderSettings.objects.get(pk=1).engineer_join_token


def registration(**overrides: str) -> dict[str, str]:
    data = {
        "display_name": "李师傅",
        "phone": PHONE,
        "password1": "fixit-123",
        "password2": "fixit-123",
        "skills": "打印机 空调",
        "region": "西湖区",
    }
    data.update(overrides)
    return data


def register(actors: Any, token: str, **extra: Any) -> Any:
    return send_then_submit(anonymous(actors.tenant_a), f"/console/join/{token}/", registration(), **extra)


def test_an_engineer_registers_is_approved_and_signs_in(actors: Any) -> None:
    token = switch_on(actors)
    owner = client_for(actors.tenant_a, actors.owner_a)
    page = owner.get("/console/staff/join-link/")
    assert f"/console/join/{token}/" in text_of(page)
    qr = owner.get("/console/staff/join-qr.png")
    assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")

    done = register(actors, token)
    assert done.status_code == 200 and "审核" in text_of(done)
    with in_schema(actors.tenant_a):
        staff = StaffMember.objects.get(phone=E164)
        assert (staff.role, staff.status, staff.is_active) == ("engineer", StaffStatus.PENDING, False)
        assert staff.skills == "打印机 空调" and staff.region == "西湖区"

    # Pending: the right password gets "waiting for approval", not access.
    client = anonymous(actors.tenant_a)
    pending = client.post(
        "/console/login/", {"username": PHONE, "password": "fixit-123"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "waiting for an administrator" in text_of(pending)

    listing = owner.get("/console/staff/")
    assert "李师傅" in text_of(listing)
    workbench = owner.get("/console/")
    assert "/console/staff/" in text_of(workbench)
    approve = owner.post(f"/console/staff/{staff.pk}/", {"action": "approve", "next": "/console/staff/"})
    assert approve.status_code == 302 and approve["Location"] == "/console/staff/"
    (notice,) = texts_to(PHONE, "engineer_approved")
    assert notice.params["link"].endswith("/console/login/")

    assert client.post("/console/login/", {"username": PHONE, "password": "fixit-123"}).status_code == 302
    assert client.get("/console/").status_code == 200


def test_a_rejected_engineer_is_told_why_and_cannot_sign_in(actors: Any) -> None:
    token = switch_on(actors)
    register(actors, token)
    owner = client_for(actors.tenant_a, actors.owner_a)
    with in_schema(actors.tenant_a):
        staff = StaffMember.objects.get(phone=E164)
    no_reason = owner.post(
        f"/console/staff/{staff.pk}/", {"action": "reject", "reason": " "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This field is required." in text_of(no_reason)
    owner.post(f"/console/staff/{staff.pk}/", {"action": "reject", "reason": "不在服务区域"})
    (notice,) = texts_to(PHONE, "engineer_rejected")
    assert notice.params["reason"] == "不在服务区域"
    with in_schema(actors.tenant_a):
        staff.refresh_from_db()
        assert staff.status == StaffStatus.REJECTED and staff.rejection_reason == "不在服务区域"
    refused = anonymous(actors.tenant_a).post(
        "/console/login/", {"username": PHONE, "password": "fixit-123"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Your registration was not approved." in text_of(refused)
    # Approving a decided registration is refused.
    again = owner.post(f"/console/staff/{staff.pk}/", {"action": "approve"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Only a registration awaiting approval can be approved." in text_of(again)


def test_a_wrong_code_registers_nobody(actors: Any) -> None:
    token = switch_on(actors)
    client = anonymous(actors.tenant_a)
    url = f"/console/join/{token}/"
    client.post(url, {**registration(), "action": "send"})
    en = client.post(url, {**registration(), "code": "000000", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en")
    zh = client.post(url, {**registration(), "code": "000000", "action": "submit"})
    assert "The code is wrong." in text_of(en)
    assert "验证码" in text_of(zh)
    missing = client.post(url, {**registration(), "code": "", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter the verification code we sent you." in text_of(missing)
    with in_schema(actors.tenant_a):
        assert not StaffMember.objects.filter(phone=E164).exists()


def test_registration_checks_every_field_before_using_the_code(actors: Any) -> None:
    token = switch_on(actors)
    client = anonymous(actors.tenant_a)
    url = f"/console/join/{token}/"
    client.post(url, {**registration(), "action": "send"})
    bad = registration(display_name="", password1="Lighthouse-47", password2="Lighthouse-48")
    response = client.post(url, {**bad, "code": "123456", "action": "submit"}, HTTP_ACCEPT_LANGUAGE="en")
    body = text_of(response)
    assert "This field is required." in body and "The two passwords do not match." in body
    # The code was not used up by the refused attempt.
    from portals.tests.helpers import last_code

    ok = client.post(url, {**registration(), "code": last_code(PHONE), "action": "submit"})
    assert ok.status_code == 200
    with in_schema(actors.tenant_a):
        assert StaffMember.objects.filter(phone=E164, status=StaffStatus.PENDING).exists()


def test_an_existing_staff_phone_cannot_register_again(actors: Any) -> None:
    token = switch_on(actors)
    data = registration(phone="13800000011")  # engineer_a
    response = send_then_submit(
        anonymous(actors.tenant_a), f"/console/join/{token}/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This phone number is already registered with this provider." in text_of(response)


def test_a_renewed_or_disabled_link_stops_working(actors: Any) -> None:
    old = switch_on(actors)
    new = switch_on(actors)
    assert old != new
    client = anonymous(actors.tenant_a)
    assert client.get(f"/console/join/{old}/").status_code == 404
    assert client.get(f"/console/join/{new}/").status_code == 200
    client_for(actors.tenant_a, actors.owner_a).post("/console/staff/join-link/", {"action": "disable"})
    assert client.get(f"/console/join/{new}/").status_code == 404
    assert client_for(actors.tenant_a, actors.owner_a).get("/console/staff/join-qr.png").status_code == 404


def test_tenant_a_registration_link_does_not_work_on_tenant_b(actors: Any) -> None:
    token = switch_on(actors)
    assert anonymous(actors.tenant_b).get(f"/console/join/{token}/").status_code == 404


def test_engineers_cannot_manage_the_registration_link(actors: Any) -> None:
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.post("/console/staff/join-link/", {"action": "renew"}).status_code == 403
    assert engineer.get("/console/staff/join-qr.svg").status_code == 403
