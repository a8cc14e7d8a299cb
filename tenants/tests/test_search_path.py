"""`SET search_path` once per tenant switch (TENANT_LIMIT_SET_CALLS) must never run a query in the
wrong schema: not after a rolled-back savepoint, not with two tenants interleaved on one persistent
connection, and a session cookie of one tenant must not sign anybody in on another's host."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection as default_connection
from django.db import transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffMember
from tests.actors import host_of

connection: Any = default_connection  # django-tenants' wrapper: set_tenant, schema_name


def _owner_phone() -> str:
    return str(StaffMember.objects.get(is_owner=True).phone)


def _search_path_statements(ctx: CaptureQueriesContext) -> int:
    return sum(1 for q in ctx.captured_queries if q["sql"].startswith("SET search_path"))


def test_the_limit_is_on() -> None:
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_two_tenants_interleaved_on_one_connection_each_see_only_their_rows(actors: Any) -> None:
    phones = {actors.tenant_a.schema_name: "+8613800000001", actors.tenant_b.schema_name: "+8613900000002"}
    with CaptureQueriesContext(connection) as ctx:
        for round_number in range(20):
            tenant = actors.tenant_a if round_number % 2 == 0 else actors.tenant_b
            connection.set_tenant(tenant)
            assert _owner_phone() == phones[tenant.schema_name]
            assert _owner_phone() == phones[tenant.schema_name]  # same tenant: no new SET
    assert _search_path_statements(ctx) == 20


def test_a_rolled_back_savepoint_never_leaves_the_other_tenants_search_path(actors: Any) -> None:
    connection.set_tenant(actors.tenant_b)
    assert _owner_phone() == "+8613900000002"  # the server's path is now B's
    with pytest.raises(RuntimeError), transaction.atomic():
        # The switch to A happens inside the savepoint: its SET is undone by the rollback, so the
        # server is back on B's path while the connection object still names A.
        connection.set_tenant(actors.tenant_a)
        assert _owner_phone() == "+8613800000001"
        raise RuntimeError("roll back")
    assert connection.schema_name == actors.tenant_a.schema_name
    assert _owner_phone() == "+8613800000001"


def test_a_savepoint_rollback_inside_one_tenant_keeps_that_tenants_rows(actors: Any) -> None:
    connection.set_tenant(actors.tenant_a)
    for _attempt in range(3):
        with pytest.raises(RuntimeError), transaction.atomic():
            assert _owner_phone() == "+8613800000001"
            raise RuntimeError("roll back")
        assert _owner_phone() == "+8613800000001"


def test_a_session_cookie_from_one_tenant_signs_nobody_in_on_anothers_host(actors: Any) -> None:
    owner_a = Client(HTTP_HOST=host_of(actors.tenant_a))
    connection.set_tenant(actors.tenant_a)
    owner_a.force_login(get_user_model().objects.get(pk=actors.owner_a.user_id))
    connection.set_schema_to_public()
    assert owner_a.get("/console/").status_code == 200  # cached in A's schema now
    stolen = Client(HTTP_HOST=host_of(actors.tenant_b))
    stolen.cookies[settings.SESSION_COOKIE_NAME] = owner_a.cookies[settings.SESSION_COOKIE_NAME].value
    response = stolen.get("/console/")
    assert response.status_code == 302 and "/login" in response["Location"]
