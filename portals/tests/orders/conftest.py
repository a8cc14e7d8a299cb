"""Fixtures of the order screens' tests: tenant A's schema active and the cast of one order
(``repair_forms.tests.helpers``: reporter, company manager, a customer of no company, every staff
role, two engineers, a machine), plus signed-in clients for customers and staff."""

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
