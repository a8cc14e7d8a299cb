"""The operator console (/operator/ on the public host): providers, domain requests, SMS log."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import StaffMember
from integrations.sms.codes import code_send
from tenants.domain_requests import subdomain_request_create
from tenants.domains import tenant_for_host
from tenants.models import DomainRequestStatus, Provider, ProviderStatus
from tests.actors import client_for, host_of, public_host

CHANGELIST = "/operator/tenants/provider/"
REQUESTS = "/operator/tenants/domainrequest/"


@pytest.fixture
def operator(actors: Any) -> Client:
    user = get_user_model().objects.create_superuser("ops", password="ops-password-1")
    client = Client(HTTP_HOST=public_host())
    client.force_login(user)
    return client


def act(
    client: Client, url: str, action: str, pks: list[int], reason: str | None = None, **extra: Any
) -> Any:
    data: dict[str, Any] = {"action": action, helpers.ACTION_CHECKBOX_NAME: pks}
    if reason is not None:
        data.update({"apply": "1", "reason": reason})
    return client.post(url, data, **extra)


def test_operators_search_providers_by_domain(operator: Client, actors: Any) -> None:
    page = operator.get(CHANGELIST, {"q": "tenant-b.baoxiu"}).content.decode()
    assert actors.tenant_b.name in page
    assert actors.tenant_a.name not in page
    listing = operator.get(CHANGELIST).content.decode()
    assert host_of(actors.tenant_a) in listing


def test_suspending_asks_for_a_reason_then_shows_the_notice(operator: Client, actors: Any) -> None:
    form = act(operator, CHANGELIST, "suspend", [actors.tenant_a.pk])
    assert form.status_code == 200
    assert "reason" in form.content.decode()
    refused = act(operator, CHANGELIST, "suspend", [actors.tenant_a.pk], reason="")
    assert refused.status_code == 200
    assert Provider.objects.get(pk=actors.tenant_a.pk).status == ProviderStatus.ACTIVE

    done = act(operator, CHANGELIST, "suspend", [actors.tenant_a.pk], reason="欠费三个月")
    assert done.status_code == 302
    provider = Provider.objects.get(pk=actors.tenant_a.pk)
    assert provider.status == ProviderStatus.SUSPENDED
    assert provider.suspended_reason == "欠费三个月"

    console = client_for(actors.tenant_a, actors.owner_a).get("/console/", HTTP_ACCEPT_LANGUAGE="en")
    assert console.status_code == 503
    assert "paused" in console.content.decode()
    assert Client(HTTP_HOST=host_of(actors.tenant_a)).get("/").status_code == 503
    assert client_for(actors.tenant_b, actors.outsider).get("/console/").status_code == 200
    with schema_context(actors.tenant_a.schema_name):
        assert StaffMember.objects.filter(pk=actors.owner_a.pk).exists()  # nothing deleted

    act(operator, CHANGELIST, "reactivate", [actors.tenant_a.pk], reason="已续费")
    assert Provider.objects.get(pk=actors.tenant_a.pk).status == ProviderStatus.ACTIVE
    assert client_for(actors.tenant_a, actors.owner_a).get("/console/").status_code == 200


def test_providers_cannot_be_added_or_deleted_here(operator: Client, actors: Any) -> None:
    assert operator.get(f"{CHANGELIST}add/").status_code == 403
    assert operator.get(f"{CHANGELIST}{actors.tenant_a.pk}/delete/").status_code == 403


def test_operators_approve_a_subdomain_request(operator: Client, actors: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-approved")
    waiting = operator.get(REQUESTS, {"open": "yes"}).content.decode()
    assert "jia-approved.baoxiu.test" in waiting
    act(operator, REQUESTS, "approve", [request.pk], reason="")
    request.refresh_from_db()
    assert request.status == DomainRequestStatus.APPROVED
    assert request.decided_by is not None
    assert tenant_for_host("jia-approved.baoxiu.test") == actors.tenant_a


def test_operators_reject_a_subdomain_request_with_a_reason(operator: Client, actors: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-rejected")
    act(operator, REQUESTS, "reject", [request.pk], reason="")
    request.refresh_from_db()
    assert request.status == DomainRequestStatus.PENDING  # a reason is required
    act(operator, REQUESTS, "reject", [request.pk], reason="与已有品牌混淆")
    request.refresh_from_db()
    assert request.status == DomainRequestStatus.REJECTED
    page = client_for(actors.tenant_a, actors.owner_a).get("/console/domains/").content.decode()
    assert "与已有品牌混淆" in page


def test_the_sms_log_is_readable_and_read_only(operator: Client, actors: Any) -> None:
    code_send(phone="13700009999", purpose="signup", scope="public", ip=None)
    page = operator.get("/operator/saas_platform/smsmessage/").content.decode()
    assert "+8613700009999" in page
    assert operator.get("/operator/saas_platform/smsmessage/add/").status_code == 403


def test_only_operators_reach_the_console(actors: Any) -> None:
    get_user_model().objects.create_user("not-staff", password="not-staff-1")
    client = Client(HTTP_HOST=public_host())
    client.login(username="not-staff", password="not-staff-1")
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/operator/login/" in response["Location"]


def test_the_console_pages_render(operator: Client, actors: Any) -> None:
    assert operator.get("/operator/").status_code == 200
    page = operator.get(f"{CHANGELIST}{actors.tenant_a.pk}/change/")
    assert page.status_code == 200
    assert host_of(actors.tenant_a) in page.content.decode()
    assert operator.get("/operator/tenants/staffdirectory/").status_code == 200
