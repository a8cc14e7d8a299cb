"""Rules the accounts services keep whatever screen calls them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from accounts.models import Customer, StaffMember, StaffRole, StaffStatus
from accounts.services import (
    customer_get_or_create,
    customer_username,
    engineer_join_link_renew,
    engineer_register,
    staff_change_role,
    staff_create,
    staff_deactivate,
    staff_invite,
    staff_reactivate,
)
from accounts.tokens import staff_for_invite_token, staff_invite_token
from accounts.validators import normalize_embed_origin, tel_href


@pytest.fixture
def in_a(actors: Any) -> Any:
    with schema_context(actors.tenant_a.schema_name):
        yield actors


def owner(actors: Any) -> StaffMember:
    return StaffMember.objects.get(pk=actors.owner_a.pk)


def test_a_customer_never_shares_the_staff_login_of_the_same_phone(in_a: Any) -> None:
    customer = customer_get_or_create(phone="13800000001")  # the owner's phone
    assert customer.user.username == customer_username("+8613800000001")
    assert customer.user_id != owner(in_a).user_id


def test_a_manager_moved_to_another_company_is_not_its_manager(in_a: Any) -> None:
    from accounts.models import CustomerCompany

    first = CustomerCompany.objects.create(name="一", registration_token="t1")
    second = CustomerCompany.objects.create(name="二", registration_token="t2")
    person = customer_get_or_create(phone="13511112222", company=first)
    Customer.objects.filter(pk=person.pk).update(is_company_manager=True)
    moved = customer_get_or_create(phone="13511112222", company=second)
    assert moved.company_id == second.pk and not moved.is_company_manager


def test_active_flags_follow_the_status_and_the_database_insists(in_a: Any) -> None:
    invited = staff_invite(actor=owner(in_a), phone="13700001111", role=StaffRole.ENGINEER, display_name="甲")
    assert (invited.status, invited.is_active, invited.user.is_active) == (StaffStatus.INVITED, False, False)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.filter(pk=invited.pk).update(is_active=True)


def test_only_active_admins_may_call_admin_services(in_a: Any) -> None:
    engineer = StaffMember.objects.get(pk=in_a.engineer_a.pk)
    with pytest.raises(PermissionDenied):
        staff_invite(actor=engineer, phone="13700001111", role=StaffRole.ENGINEER, display_name="乙")
    with pytest.raises(PermissionDenied):
        staff_deactivate(actor=engineer, staff=owner(in_a))


def test_the_last_admin_rule_counts_only_active_admins(in_a: Any) -> None:
    boss = owner(in_a)
    second = staff_create(phone="13700002222", password="secret-1", role=StaffRole.ADMIN)
    StaffMember.objects.filter(pk=boss.pk).update(is_owner=False)
    boss.refresh_from_db()
    staff_deactivate(actor=boss, staff=second)
    with pytest.raises(ValidationError) as info:
        staff_change_role(actor=boss, staff=boss, role=StaffRole.ENGINEER)
    assert info.value.code == "last_admin"
    staff_reactivate(actor=boss, staff=second)
    staff_change_role(actor=boss, staff=boss, role=StaffRole.DISPATCHER)  # second is an active admin again


def test_an_invitation_token_dies_when_the_invitation_is_cancelled(in_a: Any) -> None:
    invited = staff_invite(actor=owner(in_a), phone="13700001111", role=StaffRole.ENGINEER, display_name="丙")
    uidb64, token = staff_invite_token(staff=invited)
    assert staff_for_invite_token(uidb64=uidb64, token=token) == invited
    staff_deactivate(actor=owner(in_a), staff=invited)
    assert staff_for_invite_token(uidb64=uidb64, token=token) is None
    assert staff_for_invite_token(uidb64="not-base64!", token=token) is None


def test_engineer_registration_needs_the_current_link(in_a: Any) -> None:
    with pytest.raises(ValidationError):
        engineer_register(join_token="", phone="13600001111", display_name="丁", password="secret-1")
    token = engineer_join_link_renew(actor=owner(in_a)).engineer_join_token
    staff = engineer_register(join_token=token, phone="13600001111", display_name="丁", password="secret-1")
    assert staff.status == StaffStatus.PENDING and not staff.user.is_active


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Example.com/", "https://www.example.com"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("https://*.example.com", "https://*.example.com"),
        ("https://例子.中国", "https://xn--fsqu00a.xn--fiqs8s"),
    ],
)
def test_embed_origins_are_normalized(raw: str, expected: str) -> None:
    assert normalize_embed_origin(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "www.example.com",
        "https://a.com/path",
        "https://a.com;x",
        "ftp://a.com",
        "https://a.com:99999",
        "https://'a'",
    ],
)
def test_embed_origins_refuse_anything_but_scheme_and_host(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_embed_origin(raw)


def test_tel_links_keep_only_digits_and_a_leading_plus() -> None:
    assert tel_href("400-857-1100") == "4008571100"
    assert tel_href("+86 (571) 8888 6666") == "+8657188886666"
    assert tel_href("") == ""
