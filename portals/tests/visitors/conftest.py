"""Fixtures of the visitor screens' tests: tenant A's schema active and the seed's school
(``visitors.tests.helpers.School``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from tests.actors import host_of
from visitors.tests.helpers import School, make_school


@pytest.fixture
def in_a(actors: Any) -> Iterator[Any]:
    with schema_context(actors.tenant_a.schema_name):
        yield actors.tenant_a


@pytest.fixture
def school(in_a: Any, actors: Any) -> School:
    return make_school(actors)


class TenantClient(Client):
    """A test client that puts its tenant's schema back after each request (the routing middleware
    leaves the connection on the public schema), so a test reads the database between requests."""

    tenant: Any = None

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        connection.set_tenant(self.tenant)  # type: ignore[attr-defined]
        return response


def signed_in(provider: Any, person: Any, **extra: Any) -> TenantClient:
    client = TenantClient(HTTP_HOST=host_of(provider), **extra)
    client.tenant = provider
    if person is not None:
        with schema_context(provider.schema_name):
            client.force_login(get_user_model().objects.get(pk=person.user_id))
    return client
