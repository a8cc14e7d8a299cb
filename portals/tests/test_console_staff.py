"""员工 staff: invite by phone → set password → sign in; roles; deactivation; the owner and the
last admin are protected; only admins manage staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from accounts.models import StaffMember, StaffRole, StaffStatus
from accounts.services import staff_create
from portals.tests.helpers import anonymous, in_schema, link_path, text_of, texts_to
from tests.actors import PASSWORD, client_for

NEW_PHONE = "13700001234"
NEW_E164 = "+8613700001234"


def invite(
    client: Client, phone: str = NEW_PHONE, role: str = "dispatcher", name: str = "调度员小李", **extra: Any
):
    return client.post(
        "/console/staff/invite/", {"display_name": name, "phone": phone, "role": role}, **extra
    )


def test_an_invited_dispatcher_sets_a_password_from_the_text_and_signs_in(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    response = invite(owner, phone="137 0000 1234")
    assert response.status_code == 302
    with in_schema(actors.tenant_a):
        staff = StaffMember.objects.get(phone=NEW_E164)
        assert staff.status == StaffStatus.INVITED and not staff.is_active
        assert not staff.user.is_active and not staff.user.has_usable_password()
    assert response["Location"] == f"/console/staff/{staff.pk}/"
    assert "邀请" in text_of(owner.get(response["Location"]))  # the "sent" notice, in Chinese

    (text,) = texts_to(NEW_PHONE, "staff_invite")
    assert actors.tenant_a.name in text.params["provider"]
    assert text.params["link"].startswith("http://tenant-a.baoxiu.test:8000/console/welcome/")

    # Before accepting, the invited person cannot sign in.
    newcomer = anonymous(actors.tenant_a)
    refused = newcomer.post("/console/login/", {"username": NEW_PHONE, "password": "whatever1"})
    assert refused.status_code == 200

    page = newcomer.get(link_path(text))
    assert page.status_code == 200 and "调度员小李" in text_of(page)
    done = newcomer.post(link_path(text), {"password1": "new-pass-1", "password2": "new-pass-1"})
    assert done.status_code == 302 and done["Location"] == "/console/"
    assert newcomer.get("/console/").status_code == 200

    # The link is single use, and the password works on the login page.
    assert anonymous(actors.tenant_a).get(link_path(text)).status_code == 404
    again = anonymous(actors.tenant_a)
    assert again.post("/console/login/", {"username": NEW_PHONE, "password": "new-pass-1"}).status_code == 302
    with in_schema(actors.tenant_a):
        assert StaffMember.objects.get(phone=NEW_E164).status == StaffStatus.ACTIVE


def test_setting_a_password_refuses_short_and_mismatched_passwords_in_both_languages(actors: Any) -> None:
    invite(client_for(actors.tenant_a, actors.owner_a))
    path = link_path(texts_to(NEW_PHONE, "staff_invite")[-1])
    client = anonymous(actors.tenant_a)
    zh = client.post(path, {"password1": "abc", "password2": "abc"})
    assert zh.status_code == 200 and "8 个字符" in text_of(zh)
    en = client.post(
        path, {"password1": "Lighthouse-47", "password2": "Lighthouse-48"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The two passwords do not match." in text_of(en)
    with in_schema(actors.tenant_a):
        assert StaffMember.objects.get(phone=NEW_E164).status == StaffStatus.INVITED


def test_resending_an_invitation_kills_the_older_link(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    invite(owner)
    first = link_path(texts_to(NEW_PHONE, "staff_invite")[-1])
    with in_schema(actors.tenant_a):
        pk = StaffMember.objects.get(phone=NEW_E164).pk
    assert owner.post(f"/console/staff/{pk}/", {"action": "resend"}).status_code == 302
    second = link_path(texts_to(NEW_PHONE, "staff_invite")[-1])
    assert first != second
    assert anonymous(actors.tenant_a).get(first).status_code == 404
    assert anonymous(actors.tenant_a).get(second).status_code == 200


def test_a_cancelled_invitation_link_stops_working(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    invite(owner)
    path = link_path(texts_to(NEW_PHONE, "staff_invite")[-1])
    with in_schema(actors.tenant_a):
        pk = StaffMember.objects.get(phone=NEW_E164).pk
    owner.post(f"/console/staff/{pk}/", {"action": "deactivate"})
    assert anonymous(actors.tenant_a).get(path).status_code == 404


def test_an_invitation_link_of_tenant_a_is_worthless_on_tenant_b(actors: Any) -> None:
    invite(client_for(actors.tenant_a, actors.owner_a))
    path = link_path(texts_to(NEW_PHONE, "staff_invite")[-1])
    assert anonymous(actors.tenant_b).get(path).status_code == 404


def test_inviting_refuses_bad_input_with_clear_messages(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    bad_phone = invite(owner, phone="12345", HTTP_ACCEPT_LANGUAGE="en")
    assert bad_phone.status_code == 200 and "Enter a valid phone number." in text_of(bad_phone)
    taken = invite(owner, phone="13800000011")  # engineer_a
    assert "该手机号已是员工" in text_of(taken)
    bad_role = invite(owner, role="boss", HTTP_ACCEPT_LANGUAGE="en")
    assert "Select a valid choice" in text_of(bad_role)
    no_name = invite(owner, name="  ", HTTP_ACCEPT_LANGUAGE="en")
    assert "This field is required." in text_of(no_name)
    assert texts_to(NEW_PHONE) == []


def test_an_admin_changes_a_role_and_the_member_gets_the_new_menu(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.get("/console/companies/").status_code == 403
    response = owner.post(f"/console/staff/{actors.engineer_a.pk}/", {"action": "role", "role": "dispatcher"})
    assert response.status_code == 302
    assert engineer.get("/console/companies/").status_code == 200


def test_deactivated_staff_lose_their_session_and_cannot_sign_in_until_reactivated(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.get("/console/").status_code == 200
    owner.post(f"/console/staff/{actors.engineer_a.pk}/", {"action": "deactivate"})
    assert engineer.get("/console/").status_code == 302
    login = anonymous(actors.tenant_a)
    en = login.post(
        "/console/login/", {"username": "13800000011", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Your account has been deactivated." in text_of(en)
    owner.post(f"/console/staff/{actors.engineer_a.pk}/", {"action": "reactivate"})
    assert login.post("/console/login/", {"username": "13800000011", "password": PASSWORD}).status_code == 302


def test_the_owner_cannot_be_demoted_or_deactivated(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        second_admin = staff_create(phone="13700009999", password=PASSWORD, role=StaffRole.ADMIN)
    other_admin = client_for(actors.tenant_a, second_admin)
    url = f"/console/staff/{actors.owner_a.pk}/"
    demote = other_admin.post(url, {"action": "role", "role": "engineer"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The owner is always an administrator." in text_of(demote)
    deactivate = other_admin.post(url, {"action": "deactivate"})
    assert "不能停用所有者" in text_of(deactivate)
    with in_schema(actors.tenant_a):
        owner = StaffMember.objects.get(pk=actors.owner_a.pk)
        assert owner.role == StaffRole.ADMIN and owner.is_active


def test_the_last_active_admin_cannot_be_demoted(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        second_admin = staff_create(phone="13700009999", password=PASSWORD, role=StaffRole.ADMIN)
        StaffMember.objects.filter(pk=actors.owner_a.pk).update(is_owner=False)
    owner = client_for(actors.tenant_a, actors.owner_a)
    # Two admins: demoting one is fine; the remaining one is then the last.
    assert (
        owner.post(f"/console/staff/{second_admin.pk}/", {"action": "role", "role": "supervisor"}).status_code
        == 302
    )
    other = owner.post(f"/console/staff/{actors.owner_a.pk}/", {"action": "role", "role": "engineer"})
    assert "至少" in text_of(other)
    en = owner.post(
        f"/console/staff/{actors.owner_a.pk}/",
        {"action": "role", "role": "engineer"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "At least one active administrator must remain." in text_of(en)
    with in_schema(actors.tenant_a):
        assert StaffMember.objects.get(pk=actors.owner_a.pk).role == StaffRole.ADMIN


def test_an_admin_cannot_deactivate_themselves(actors: Any) -> None:
    with in_schema(actors.tenant_a):
        second_admin = staff_create(phone="13700009999", password=PASSWORD, role=StaffRole.ADMIN)
    client = client_for(actors.tenant_a, second_admin)
    response = client.post(
        f"/console/staff/{second_admin.pk}/", {"action": "deactivate"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "You cannot deactivate yourself." in text_of(response)


@pytest.mark.parametrize(
    "path",
    [
        "/console/staff/",
        "/console/staff/invite/",
        "/console/staff/join-link/",
        "/console/profile/",
        "/console/settings/",
        "/console/embed/",
    ],
)
def test_only_admins_reach_the_admin_screens(actors: Any, path: str) -> None:
    assert client_for(actors.tenant_a, actors.engineer_a).get(path).status_code == 403
    assert client_for(actors.tenant_a, actors.owner_a).get(path).status_code == 200


def test_a_non_admin_cannot_change_staff(actors: Any) -> None:
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    response = engineer.post(f"/console/staff/{actors.owner_a.pk}/", {"action": "deactivate"})
    assert response.status_code == 403
    assert invite(engineer).status_code == 403
    with in_schema(actors.tenant_a):
        assert StaffMember.objects.get(pk=actors.owner_a.pk).is_active
        assert not StaffMember.objects.filter(phone=NEW_E164).exists()


def test_the_staff_list_needs_a_fixed_number_of_queries(
    actors: Any, django_assert_max_num_queries: Any
) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    with in_schema(actors.tenant_a):
        for index in range(8):
            staff_create(
                phone=f"1370000{index:04d}", password=None, role=StaffRole.ENGINEER, display_name=f"E{index}"
            )
    owner.get("/console/staff/")  # warm the billing entitlement cache
    with django_assert_max_num_queries(12):
        page = owner.get("/console/staff/")
    assert page.status_code == 200 and "E7" in text_of(page)


def test_staff_seats_of_the_plan_limit_invitations(actors: Any, settings: Any) -> None:
    from billing.models import BillingAccount

    account = BillingAccount.objects.select_related("plan").get(provider=actors.tenant_a)
    plan = account.plan
    with in_schema(actors.tenant_a):
        used = StaffMember.objects.filter(status__in=["active", "invited"]).count()
    plan.staff_seats = used
    plan.save()
    from billing.entitlements import forget

    forget(actors.tenant_a.pk)
    response = invite(client_for(actors.tenant_a, actors.owner_a), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert f"All {used} staff seats of your plan are in use." in text_of(response)
