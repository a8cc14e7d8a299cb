"""Fixtures for the order domain: tenant A's schema active, and the cast of one order — a reporter
in a customer company, that company's manager, a customer of no company, each staff role, two
engineers — plus ``drive(state)`` which walks a fresh order to any state through the services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from repair_forms.tests.helpers import Cast, make_cast


@pytest.fixture
def in_a(actors: Any) -> Iterator[Any]:
    with schema_context(actors.tenant_a.schema_name):
        yield actors.tenant_a


@pytest.fixture
def cast(in_a: Any, actors: Any) -> Cast:
    return make_cast(actors)
