from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.models import StaffMember
from tenants.domains import tenant_for_host
from tenants.guards import PublicSchemaAccessError
from tenants.models import Domain, Provider, ProviderStatus
from tests.actors import host_of


def test_a_warm_lookup_makes_no_queries(actors: Any, django_assert_num_queries: Any) -> None:
    host = host_of(actors.tenant_a)
    with CaptureQueriesContext(connection) as cold:
        assert tenant_for_host(host).pk == actors.tenant_a.pk  # type: ignore[union-attr]
    assert len(cold.captured_queries) >= 1
    with django_assert_num_queries(0):
        assert tenant_for_host(host).pk == actors.tenant_a.pk  # type: ignore[union-attr]


def test_a_warm_portal_request_makes_no_query_to_find_its_tenant(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    # The page may read its own settings; finding the tenant (domain → provider) must not query.
    routing = [q["sql"] for q in captured.captured_queries if '"tenants_' in q["sql"]]
    assert routing == []
    assert response.status_code == 200
    assert actors.tenant_a.name in response.content.decode()


def test_suspending_a_provider_reaches_the_next_request(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    assert client.get("/").status_code == 200
    provider = Provider.objects.get(pk=actors.tenant_a.pk)
    provider.status = ProviderStatus.SUSPENDED
    provider.save()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "paused" in response.content.decode()


def test_a_new_domain_is_served_at_once_and_a_removed_one_stops(actors: Any) -> None:
    client = Client(HTTP_HOST="repair.example.com")
    assert client.get("/").status_code == 404  # cached as a miss
    domain = Domain.objects.create(domain="repair.example.com", tenant=actors.tenant_a, is_primary=False)
    assert client.get("/").status_code == 200
    domain.delete()
    assert client.get("/").status_code == 404


def test_renaming_a_domain_forgets_the_old_hostname(actors: Any) -> None:
    domain = Domain.objects.create(domain="old.example.com", tenant=actors.tenant_b, is_primary=False)
    assert Client(HTTP_HOST="old.example.com").get("/").status_code == 200
    domain.domain = "new.example.com"
    domain.save()
    assert Client(HTTP_HOST="old.example.com").get("/").status_code == 404
    assert Client(HTTP_HOST="new.example.com").get("/").status_code == 200


def test_unknown_hosts_get_a_clear_404_page(db: Any) -> None:
    response = Client(HTTP_HOST="nobody.baoxiu.test").get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "nobody.baoxiu.test" in response.content.decode()


def test_hosts_are_matched_case_and_port_insensitively(actors: Any) -> None:
    host = host_of(actors.tenant_a).upper() + ":8000"
    assert Client(HTTP_HOST=host).get("/").status_code == 200


def test_tenant_models_refuse_to_run_on_the_public_schema(actors: Any) -> None:
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with pytest.raises(PublicSchemaAccessError, match="accounts.StaffMember"):
        StaffMember.objects.count()
    with schema_context(actors.tenant_a.schema_name):
        assert StaffMember.objects.count() >= 1
