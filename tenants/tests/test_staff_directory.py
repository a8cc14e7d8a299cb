"""The public staff directory: kept by staff_create, backfilled once for older providers."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import connection
from django_tenants.utils import schema_context

from accounts.models import StaffRole
from accounts.services import staff_create
from tenants.models import StaffDirectory
from tenants.selectors import providers_for_phone


def test_new_staff_are_listed_under_their_provider(actors: Any) -> None:
    with schema_context(actors.tenant_b.schema_name):
        staff_create(phone="13611112222", password="secret-1", role=StaffRole.SUPERVISOR)
    assert providers_for_phone(phone="+8613611112222") == [actors.tenant_b]


def test_a_phone_at_two_providers_lists_both(actors: Any) -> None:
    for provider in (actors.tenant_a, actors.tenant_b):
        with schema_context(provider.schema_name):
            staff_create(phone="13611113333", password="secret-1", role=StaffRole.ENGINEER)
    assert set(providers_for_phone(phone="+8613611113333")) == {actors.tenant_a, actors.tenant_b}


def test_the_backfill_rebuilds_the_directory_from_the_schemas(actors: Any) -> None:
    StaffDirectory.objects.all().delete()
    migration = importlib.import_module("tenants.migrations.0003_backfill_staff_directory")
    migration.backfill(apps, SimpleNamespace(connection=connection))
    assert actors.tenant_a in providers_for_phone(phone=actors.owner_a.phone)
    assert actors.tenant_a in providers_for_phone(phone=actors.engineer_a.phone)
    assert providers_for_phone(phone=actors.outsider.phone) == [actors.tenant_b]
