"""Fixtures for visitors: tenant A's schema active and the seed's school cast (``helpers.School``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from visitors.tests.helpers import School, make_school


@pytest.fixture
def in_a(actors: Any) -> Iterator[Any]:
    with schema_context(actors.tenant_a.schema_name):
        yield actors.tenant_a


@pytest.fixture
def school(in_a: Any, actors: Any) -> School:
    return make_school(actors)
