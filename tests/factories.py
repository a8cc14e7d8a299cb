"""factory_boy factories for tenant-schema people. Use them inside a tenant's schema
(``schema_context(actors.tenant_a.schema_name)``); they go through the same services as the app."""

from __future__ import annotations

import secrets
from typing import Any, cast

import factory

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.services import customer_get_or_create, staff_create
from tests.actors import PASSWORD


class StaffFactory(factory.Factory):
    class Meta:
        model = StaffMember

    phone = factory.Sequence(lambda n: f"1370001{n:04d}")
    role = StaffRole.ENGINEER
    display_name = factory.Faker("name", locale="zh_CN")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[StaffMember], *args: Any, **kwargs: Any) -> StaffMember:
        return staff_create(**kwargs)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerCompany

    name = factory.Sequence(lambda n: f"客户公司{n}")
    contact_person = factory.Faker("name", locale="zh_CN")
    registration_token = factory.LazyFunction(lambda: secrets.token_urlsafe(16))


class CustomerFactory(factory.Factory):
    class Meta:
        model = Customer

    phone = factory.Sequence(lambda n: f"1350002{n:04d}")
    name = factory.Faker("name", locale="zh_CN")
    company = None

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        return customer_get_or_create(**kwargs)


def make_staff(**fields: Any) -> StaffMember:
    return cast(StaffMember, StaffFactory(**fields))


def make_company(**fields: Any) -> CustomerCompany:
    return cast(CustomerCompany, CompanyFactory(**fields))


def make_customer(**fields: Any) -> Customer:
    return cast(Customer, CustomerFactory(**fields))
