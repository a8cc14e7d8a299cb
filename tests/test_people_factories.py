from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from accounts.models import StaffMember
from accounts.services import customer_get_or_create
from tests.actors import client_for
from tests.factories import make_company, make_customer, make_staff


def test_a_manager_who_registers_with_another_company_is_no_longer_a_manager(actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        first, second = make_company(), make_company()
        customer = make_customer(company=first)
        customer.is_company_manager = True
        customer.save(update_fields=["is_company_manager"])

        moved = customer_get_or_create(phone=customer.phone, company=second)

        assert moved.company == second
        assert not moved.is_company_manager


def test_factory_staff_can_sign_in_to_their_own_console_only(actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        engineer = make_staff()
        assert StaffMember.objects.filter(pk=engineer.pk, role="engineer").exists()
    assert client_for(actors.tenant_a, engineer).get("/console/").status_code == 200
    with schema_context(actors.tenant_b.schema_name):
        assert not StaffMember.objects.filter(phone=engineer.phone).exists()
