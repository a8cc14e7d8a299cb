"""客户公司: CRUD, managers, and the exclusive registration QR code that puts whoever scans it into
the company and signs them in on the portal."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Customer, CustomerCompany
from accounts.services import customer_get_or_create
from portals.tests.helpers import anonymous, in_schema, send_then_submit, text_of
from tests.actors import client_for


def create_company(actors: Any, name: str = "杭州笛升科技有限公司", **extra: Any) -> CustomerCompany:
    owner = client_for(actors.tenant_a, actors.owner_a)
    data = {"name": name, "contact_person": "王经理", "contact_phone": "0571-88886666", "address": "西湖区"}
    response = owner.post("/console/companies/new/", data, **extra)
    assert response.status_code == 302, text_of(response)
    with in_schema(actors.tenant_a):
        return CustomerCompany.objects.get(name=name)


def test_a_company_qr_code_registers_a_customer_into_the_company_and_signs_them_in(actors: Any) -> None:
    company = create_company(actors)
    owner = client_for(actors.tenant_a, actors.owner_a)
    detail = owner.get(f"/console/companies/{company.pk}/")
    assert f"/company/{company.registration_token}/" in text_of(detail)
    png = owner.get(f"/console/companies/{company.pk}/qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = owner.get(f"/console/companies/{company.pk}/qr.svg")
    assert b"<svg" in svg.content
    poster = owner.get(f"/console/companies/{company.pk}/poster/")
    assert poster.status_code == 200 and company.name in text_of(poster)

    visitor = anonymous(actors.tenant_a)
    page = visitor.get(f"/company/{company.registration_token}/")
    assert page.status_code == 200 and company.name in text_of(page)
    done = send_then_submit(
        visitor, f"/company/{company.registration_token}/", {"name": "张三", "phone": "13511112222"}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    home = visitor.get("/")
    assert "张三" in text_of(home) and company.name in text_of(home)
    with in_schema(actors.tenant_a):
        customer = Customer.objects.get(phone="+8613511112222")
        assert customer.company_id == company.pk and customer.name == "张三"
    # The customer session is not a console session.
    assert visitor.get("/console/").status_code == 302


def test_regenerating_the_qr_code_makes_the_old_one_stop_working(actors: Any) -> None:
    company = create_company(actors)
    old = company.registration_token
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.post(f"/console/companies/{company.pk}/", {"action": "renew_qr"}).status_code == 302
    with in_schema(actors.tenant_a):
        company.refresh_from_db()
    assert company.registration_token != old
    visitor = anonymous(actors.tenant_a)
    stale = visitor.get(f"/company/{old}/", HTTP_ACCEPT_LANGUAGE="en")
    assert stale.status_code == 404 and "no longer valid" in text_of(stale)
    assert visitor.get(f"/company/{company.registration_token}/").status_code == 200


def test_an_inactive_company_qr_code_does_not_work(actors: Any) -> None:
    company = create_company(actors)
    owner = client_for(actors.tenant_a, actors.owner_a)
    data = {
        "name": company.name,
        "contact_person": "",
        "contact_phone": "",
        "address": "",
    }  # is_active unchecked
    assert owner.post(f"/console/companies/{company.pk}/edit/", data).status_code == 302
    assert anonymous(actors.tenant_a).get(f"/company/{company.registration_token}/").status_code == 404


def test_a_company_qr_code_of_tenant_a_does_nothing_on_tenant_b(actors: Any) -> None:
    company = create_company(actors)
    assert anonymous(actors.tenant_b).get(f"/company/{company.registration_token}/").status_code == 404


def test_registration_needs_a_name_and_the_right_code(actors: Any) -> None:
    company = create_company(actors)
    url = f"/company/{company.registration_token}/"
    visitor = anonymous(actors.tenant_a)
    visitor.post(url, {"name": "张三", "phone": "13511112222", "action": "send"})
    wrong = visitor.post(url, {"name": "张三", "phone": "13511112222", "code": "999999", "action": "submit"})
    assert "验证码错误" in text_of(wrong) or "错误" in text_of(wrong)
    nameless = visitor.post(
        url,
        {"name": "", "phone": "13511112222", "code": "999999", "action": "submit"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "This field is required." in text_of(nameless)
    with in_schema(actors.tenant_a):
        assert not Customer.objects.filter(phone="+8613511112222").exists()


def test_refusals_when_creating_a_company_in_both_languages(actors: Any) -> None:
    create_company(actors, name="重名公司")
    owner = client_for(actors.tenant_a, actors.owner_a)
    duplicate = owner.post("/console/companies/new/", {"name": "重名公司"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "A customer company with this name already exists." in text_of(duplicate)
    duplicate_zh = owner.post("/console/companies/new/", {"name": "重名公司"})
    assert "已存在" in text_of(duplicate_zh)
    bad_phone = owner.post(
        "/console/companies/new/", {"name": "新公司", "contact_phone": "call me"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Enter a phone number customers can call" in text_of(bad_phone)
    with in_schema(actors.tenant_a):
        assert not CustomerCompany.objects.filter(name="新公司").exists()


def test_managers_are_marked_and_members_added_and_removed(actors: Any) -> None:
    company = create_company(actors)
    owner = client_for(actors.tenant_a, actors.owner_a)
    url = f"/console/companies/{company.pk}/"
    owner.post(url, {"action": "add_member", "name": "赵六", "phone": "13522223333", "is_manager": "on"})
    owner.post(url, {"action": "add_member", "name": "钱七", "phone": "13522224444"})
    with in_schema(actors.tenant_a):
        zhao = Customer.objects.get(phone="+8613522223333")
        qian = Customer.objects.get(phone="+8613522224444")
        assert zhao.is_company_manager and not qian.is_company_manager
    owner.post(url, {"action": "make_manager", "member": qian.pk})
    owner.post(url, {"action": "unmake_manager", "member": zhao.pk})
    owner.post(url, {"action": "remove_member", "member": zhao.pk})
    with in_schema(actors.tenant_a):
        zhao.refresh_from_db()
        qian.refresh_from_db()
        assert qian.is_company_manager
        assert zhao.company_id is None and not zhao.is_company_manager
    listing = owner.get("/console/companies/")
    assert company.name in text_of(listing)


def test_a_member_of_another_company_cannot_be_changed_through_this_one(actors: Any) -> None:
    first = create_company(actors, name="甲公司")
    second = create_company(actors, name="乙公司")
    with in_schema(actors.tenant_a):
        outsider = customer_get_or_create(phone="13533334444", name="孙八", company=second)
    owner = client_for(actors.tenant_a, actors.owner_a)
    response = owner.post(
        f"/console/companies/{first.pk}/", {"action": "make_manager", "member": outsider.pk}
    )
    assert response.status_code == 404
    with in_schema(actors.tenant_a):
        outsider.refresh_from_db()
        assert not outsider.is_company_manager


def test_only_an_empty_company_can_be_deleted(actors: Any) -> None:
    company = create_company(actors)
    with in_schema(actors.tenant_a):
        member = customer_get_or_create(phone="13533334444", name="孙八", company=company)
    owner = client_for(actors.tenant_a, actors.owner_a)
    refused = owner.post(
        f"/console/companies/{company.pk}/edit/", {"action": "delete"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This company still has members." in text_of(refused)
    owner.post(f"/console/companies/{company.pk}/", {"action": "remove_member", "member": member.pk})
    deleted = owner.post(f"/console/companies/{company.pk}/edit/", {"action": "delete"})
    assert deleted.status_code == 302
    with in_schema(actors.tenant_a):
        assert not CustomerCompany.objects.filter(pk=company.pk).exists()


def test_dispatchers_manage_companies_but_engineers_and_supervisors_do_not(actors: Any) -> None:
    company = create_company(actors)
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    for path in [
        "/console/companies/",
        "/console/companies/new/",
        f"/console/companies/{company.pk}/",
        f"/console/companies/{company.pk}/edit/",
        f"/console/companies/{company.pk}/qr.png",
        f"/console/companies/{company.pk}/poster/",
    ]:
        assert engineer.get(path).status_code == 403, path
    assert engineer.post(f"/console/companies/{company.pk}/", {"action": "renew_qr"}).status_code == 403


@pytest.mark.parametrize("count", [3, 9])
def test_the_company_list_needs_a_fixed_number_of_queries(
    actors: Any, count: int, django_assert_max_num_queries: Any
) -> None:
    with in_schema(actors.tenant_a):
        for index in range(count):
            company = CustomerCompany.objects.create(name=f"公司{index}", registration_token=f"tok-{index}")
            customer_get_or_create(phone=f"1355555{index:04d}", company=company)
    owner = client_for(actors.tenant_a, actors.owner_a)
    owner.get("/console/companies/")  # warm the tenant and billing caches
    with django_assert_max_num_queries(10):
        page = owner.get("/console/companies/")
    assert f"公司{count - 1}" in text_of(page)


def test_company_search_finds_by_name(actors: Any) -> None:
    create_company(actors, name="宁波港务")
    create_company(actors, name="温州机械")
    page = client_for(actors.tenant_a, actors.owner_a).get("/console/companies/?q=宁波")
    assert "宁波港务" in text_of(page) and "温州机械" not in text_of(page)
