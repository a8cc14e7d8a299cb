"""Tenant B's admin, on B's host, asking for tenant A's objects by id or token: 404 every time."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import CustomerCompany, StaffRole
from accounts.services import engineer_join_link_renew, staff_create
from portals.tests.helpers import in_schema
from tests.actors import client_for


@pytest.fixture
def a_objects(actors: Any) -> dict[str, Any]:
    with in_schema(actors.tenant_a):
        staff = [
            staff_create(phone=f"1370000{n:04d}", password=None, role=StaffRole.ENGINEER) for n in range(3)
        ]
        company = CustomerCompany.objects.create(name="甲的客户", registration_token="a-only-token")
        from accounts.models import StaffMember

        settings_row = engineer_join_link_renew(actor=StaffMember.objects.get(pk=actors.owner_a.pk))
    return {"staff": staff[-1], "company": company, "join": settings_row.engineer_join_token}


def test_b_gets_404_for_a_staff_member(actors: Any, a_objects: dict[str, Any]) -> None:
    outsider = client_for(actors.tenant_b, actors.outsider)
    pk = a_objects["staff"].pk
    assert outsider.get(f"/console/staff/{pk}/").status_code == 404
    assert outsider.post(f"/console/staff/{pk}/", {"action": "deactivate"}).status_code == 404


@pytest.mark.parametrize("suffix", ["", "edit/", "qr.png", "qr.svg", "poster/"])
def test_b_gets_404_for_a_company(actors: Any, a_objects: dict[str, Any], suffix: str) -> None:
    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/console/companies/{a_objects['company'].pk}/{suffix}").status_code == 404


def test_b_gets_404_for_a_company_action(actors: Any, a_objects: dict[str, Any]) -> None:
    outsider = client_for(actors.tenant_b, actors.outsider)
    response = outsider.post(f"/console/companies/{a_objects['company'].pk}/", {"action": "renew_qr"})
    assert response.status_code == 404
    with in_schema(actors.tenant_a):
        assert CustomerCompany.objects.get(pk=a_objects["company"].pk).registration_token == "a-only-token"


def test_a_tokens_are_not_found_on_b(actors: Any, a_objects: dict[str, Any]) -> None:
    anonymous_b = client_for(actors.tenant_b)
    assert anonymous_b.get("/company/a-only-token/").status_code == 404
    assert anonymous_b.get(f"/console/join/{a_objects['join']}/").status_code == 404


def test_b_session_on_a_host_is_nobody(actors: Any, a_objects: dict[str, Any]) -> None:
    from tests.actors import host_of

    on_a = client_for(actors.tenant_b, actors.outsider, host=host_of(actors.tenant_a))
    response = on_a.get(f"/console/staff/{a_objects['staff'].pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")
