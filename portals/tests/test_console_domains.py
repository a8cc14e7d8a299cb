"""Console → Domains: apply for a subdomain, use my own domain (premium), verify DNS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from billing import entitlements
from billing.models import BillingAccount, Plan
from tenants.domain_requests import custom_domain_request_create, subdomain_request_create
from tenants.models import DomainRequest, DomainRequestStatus
from tenants.tests.fake_dns import FakeDns, fake_dns_settings
from tests.actors import client_for, host_of


@pytest.fixture
def dns() -> Iterator[FakeDns]:
    with fake_dns_settings() as fake:
        yield fake


def make_premium(provider: Any) -> None:
    BillingAccount.objects.filter(provider=provider).update(
        plan=Plan.objects.get(code="premium"), state="active", paid_until=timezone.now() + timedelta(days=30)
    )
    entitlements.forget(provider.pk)


@pytest.fixture
def owner(actors: Any) -> Any:
    return client_for(actors.tenant_a, actors.owner_a)


def test_the_owner_sees_the_addresses_and_the_forms(owner: Any, actors: Any) -> None:
    page = owner.get("/console/domains/")
    assert page.status_code == 200
    body = page.content.decode()
    assert host_of(actors.tenant_a) in body
    assert "申请二级域名" in body
    english = owner.get("/console/domains/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Apply for a second-level domain" in english


def test_the_workbench_links_to_domains(owner: Any) -> None:
    assert "/console/domains/" in owner.get("/console/").content.decode()


def test_applying_for_a_subdomain_waits_for_approval(owner: Any, actors: Any) -> None:
    response = owner.post("/console/domains/subdomain/", {"subdomain": "jia-new"})
    assert response["Location"] == "/console/domains/"
    request = DomainRequest.objects.get(provider=actors.tenant_a)
    assert request.hostname == "jia-new.baoxiu.test"
    assert request.status == DomainRequestStatus.PENDING
    assert "待审核" in owner.get("/console/domains/").content.decode()


def test_a_reserved_subdomain_is_refused_in_both_languages(owner: Any, actors: Any) -> None:
    zh = owner.post("/console/domains/subdomain/", {"subdomain": "admin"})
    assert zh.status_code == 400
    assert "该二级域名为系统保留" in zh.content.decode()
    en = owner.post("/console/domains/subdomain/", {"subdomain": "admin"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "This subdomain is reserved." in en.content.decode()
    assert not DomainRequest.objects.filter(provider=actors.tenant_a).exists()


def test_without_premium_the_own_domain_form_asks_to_upgrade(owner: Any, actors: Any) -> None:
    page = owner.get("/console/domains/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your own domain is part of the premium plan." in page
    response = owner.post("/console/domains/custom/", {"hostname": "repair.jia.example"})
    assert response["Location"] == "/console/domains/"
    assert not DomainRequest.objects.filter(provider=actors.tenant_a).exists()


def test_with_premium_the_own_domain_goes_live_after_verification(
    owner: Any, actors: Any, dns: FakeDns
) -> None:
    make_premium(actors.tenant_a)
    response = owner.post("/console/domains/custom/", {"hostname": "Repair.Jia.Example"})
    request = DomainRequest.objects.get(provider=actors.tenant_a)
    assert response["Location"] == f"/console/domains/custom/{request.pk}/"
    detail = owner.get(response["Location"]).content.decode()
    assert "_baoxiu-verify.repair.jia.example" in detail
    assert request.txt_value in detail
    assert "tenant-a.baoxiu.test" in detail  # the CNAME target

    failed = owner.post(
        f"/console/domains/custom/{request.pk}/verify/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Not verified yet" in failed.content.decode()

    dns.add("repair.jia.example", "CNAME", "tenant-a.baoxiu.test.")
    dns.add(request.txt_name, "TXT", f'"{request.txt_value}"')
    owner.post(f"/console/domains/custom/{request.pk}/verify/")
    request.refresh_from_db()
    assert request.status == DomainRequestStatus.LIVE
    from django.test import Client

    assert Client(HTTP_HOST="repair.jia.example").get("/console/login/").status_code == 200


def test_an_invalid_own_domain_is_refused(owner: Any, actors: Any) -> None:
    make_premium(actors.tenant_a)
    response = owner.post("/console/domains/custom/", {"hostname": "not a host"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a hostname such as repair.example.com." in response.content.decode()


def test_a_waiting_request_can_be_withdrawn(owner: Any, actors: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-later")
    owner.post(f"/console/domains/requests/{request.pk}/cancel/")
    assert not DomainRequest.objects.filter(pk=request.pk).exists()


def test_an_engineer_may_not_manage_domains(actors: Any) -> None:
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.get("/console/domains/").status_code == 403
    assert engineer.post("/console/domains/subdomain/", {"subdomain": "jia-eng"}).status_code == 403
    assert not DomainRequest.objects.exists()


def test_tenant_b_gets_404_for_tenant_as_requests(actors: Any) -> None:
    make_premium(actors.tenant_a)
    custom = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/console/domains/custom/{custom.pk}/").status_code == 404
    assert outsider.post(f"/console/domains/custom/{custom.pk}/verify/").status_code == 404
    assert outsider.post(f"/console/domains/requests/{custom.pk}/cancel/").status_code == 404
    assert DomainRequest.objects.filter(pk=custom.pk).exists()
    assert "repair.jia.example" not in outsider.get("/console/domains/").content.decode()


def test_tenant_bs_session_is_not_valid_on_tenant_as_host(actors: Any) -> None:
    intruder = client_for(actors.tenant_b, actors.outsider, host=host_of(actors.tenant_a))
    response = intruder.get("/console/domains/")
    assert response.status_code == 302
    assert "/console/login/" in response["Location"]


def test_dns_instructions_give_the_host_records_relative_to_the_zone_and_the_icp_note(
    owner: Any, actors: Any, dns: FakeDns
) -> None:
    make_premium(actors.tenant_a)
    response = owner.post("/console/domains/custom/", {"hostname": "repair.jia-example.com.cn"})
    page = owner.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<strong>jia-example.com.cn</strong>" in page  # the zone, as the DNS provider lists it
    assert "<code>repair</code>" in page and "<code>_baoxiu-verify.repair</code>" in page
    assert "主机记录" in page and "ICP 备案" in page
