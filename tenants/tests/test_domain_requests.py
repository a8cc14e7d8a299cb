"""Domain requests: operator-approved subdomains, DNS-verified custom domains."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import translation

from tenants.domain_requests import (
    custom_domain_request_create,
    custom_domain_verify,
    domain_request_approve,
    domain_request_cancel,
    domain_request_reject,
    normalize_custom_hostname,
    subdomain_request_create,
)
from tenants.domains import tenant_for_host
from tenants.models import Domain, DomainRequestStatus
from tenants.selectors import subdomain_availability
from tenants.tests.fake_dns import FakeDns, fake_dns_settings, running


@pytest.fixture
def dns() -> Iterator[FakeDns]:
    with fake_dns_settings() as fake:
        yield fake


@pytest.fixture
def operator(db: Any) -> Any:
    return get_user_model().objects.create_superuser("operator-1", password="x-operator-1")


def refused(func: Any, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(**kwargs)
    return info.value


# --- Second-level domains --------------------------------------------------------------------


def test_a_subdomain_request_waits_for_an_operator(actors: Any, operator: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-repair")
    assert request.status == DomainRequestStatus.PENDING
    assert tenant_for_host("jia-repair.baoxiu.test") is None
    assert not subdomain_availability("jia-repair").available  # nobody else may take it meanwhile

    approved = domain_request_approve(request_id=request.pk, operator=operator)
    assert approved.status == DomainRequestStatus.APPROVED
    assert approved.decided_by == operator
    assert tenant_for_host("jia-repair.baoxiu.test") == actors.tenant_a
    actors.tenant_a.refresh_from_db()
    assert actors.tenant_a.primary_host == "jia-repair.baoxiu.test"
    assert tenant_for_host("tenant-a.baoxiu.test") == actors.tenant_a  # the old address still works


@pytest.mark.parametrize(
    ("subdomain", "words"), [("admin", "reserved"), ("tenant-b", "taken"), ("x", "3–30")]
)
def test_a_bad_subdomain_request_is_refused(actors: Any, subdomain: str, words: str) -> None:
    with translation.override("en"):
        error = refused(subdomain_request_create, provider=actors.tenant_a, subdomain=subdomain)
    assert words in " ".join(error.messages)


def test_one_open_subdomain_request_at_a_time(actors: Any) -> None:
    subdomain_request_create(provider=actors.tenant_a, subdomain="jia-one")
    with translation.override("zh-hans"):
        error = refused(subdomain_request_create, provider=actors.tenant_a, subdomain="jia-two")
    assert "您已有一个待处理的申请" in error.messages[0]


def test_a_rejection_needs_a_reason_and_is_final(actors: Any, operator: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-no")
    refused(domain_request_reject, request_id=request.pk, operator=operator, reason="  ")
    rejected = domain_request_reject(request_id=request.pk, operator=operator, reason="名称易混淆")
    assert rejected.status == DomainRequestStatus.REJECTED
    assert rejected.reason == "名称易混淆"
    refused(domain_request_approve, request_id=request.pk, operator=operator)
    assert tenant_for_host("jia-no.baoxiu.test") is None
    assert subdomain_availability("jia-no").available


def test_a_provider_withdraws_only_its_own_request(actors: Any) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-withdraw")
    refused(domain_request_cancel, provider=actors.tenant_b, request_id=request.pk)
    domain_request_cancel(provider=actors.tenant_a, request_id=request.pk)
    assert subdomain_availability("jia-withdraw").available


# --- Custom domains ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("https://Repair.Example.COM/path", "repair.example.com"),
        ("repair.example.com.", "repair.example.com"),
        ("报修.例子.cn", "xn--8uq096b.xn--fsqu00a.cn"),
    ],
)
def test_custom_hostnames_are_normalized(raw: str, host: str) -> None:
    assert normalize_custom_hostname(raw) == host


@pytest.mark.parametrize(
    "raw", ["localhost", "bad_host.example.com", "-x.example.com", "1.2.3.4", "a..b.com"]
)
def test_invalid_custom_hostnames_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalize_custom_hostname(raw)


def test_addresses_under_our_domain_are_not_custom(actors: Any) -> None:
    with translation.override("en"):
        error = refused(custom_domain_request_create, provider=actors.tenant_a, hostname="evil.baoxiu.test")
    assert "requested as a subdomain" in error.messages[0]


def test_another_providers_live_domain_cannot_be_claimed(actors: Any, dns: FakeDns) -> None:
    _make_live(actors, dns, "repair.jia.example")
    with translation.override("zh-hans"):
        error = refused(custom_domain_request_create, provider=actors.tenant_b, hostname="repair.jia.example")
    assert "该地址已被占用" in error.messages[0]


def _make_live(actors: Any, dns: FakeDns, host: str) -> Any:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname=host)
    dns.add(host, "CNAME", "tenant-a.baoxiu.test.")
    dns.add(request.txt_name, "TXT", f'"{request.txt_value}"')
    checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert result.ok, result.problems
    return checked


def test_a_custom_domain_goes_live_only_after_dns_proves_it(actors: Any, dns: FakeDns) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    assert request.status == DomainRequestStatus.VERIFYING
    assert request.txt_name == "_baoxiu-verify.repair.jia.example"

    checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert not result.ok
    assert checked.status == DomainRequestStatus.VERIFYING
    assert "_baoxiu-verify.repair.jia.example" in checked.last_check_error
    assert tenant_for_host("repair.jia.example") is None
    assert (
        Client(HTTP_HOST="baoxiu.test").get("/internal/tls-ask", {"domain": "repair.jia.example"}).status_code
        == 404
    )

    dns.add("repair.jia.example", "CNAME", "tenant-a.baoxiu.test.")
    dns.add(request.txt_name, "TXT", f'"{request.txt_value}"')
    checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert result.ok
    assert checked.status == DomainRequestStatus.LIVE
    assert tenant_for_host("repair.jia.example") == actors.tenant_a
    assert Domain.objects.get(domain="repair.jia.example").is_primary
    assert (
        Client(HTTP_HOST="baoxiu.test").get("/internal/tls-ask", {"domain": "repair.jia.example"}).status_code
        == 200
    )


def test_a_wrong_txt_value_is_not_enough(actors: Any, dns: FakeDns) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    dns.add("repair.jia.example", "CNAME", "tenant-a.baoxiu.test.")
    dns.add(request.txt_name, "TXT", '"baoxiu-verify=someone-elses-token"')
    with translation.override("en"):
        _checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert not result.ok
    assert "has a different value" in result.problems[0]


def test_a_cname_to_somewhere_else_is_not_enough(actors: Any, dns: FakeDns) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    dns.add("repair.jia.example", "CNAME", "tenant-b.baoxiu.test.")
    dns.add(request.txt_name, "TXT", f'"{request.txt_value}"')
    with translation.override("en"):
        _checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert not result.ok
    assert "not to tenant-a.baoxiu.test" in result.problems[0]


def test_a_zone_apex_may_point_with_a_records(actors: Any, dns: FakeDns) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="jia.example")
    dns.add("tenant-a.baoxiu.test", "A", "203.0.113.7")
    dns.add("jia.example", "A", "203.0.113.7")
    dns.add(request.txt_name, "TXT", f'"{request.txt_value}"')
    _checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert result.ok


def test_unreachable_dns_is_reported_not_raised(actors: Any) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    with running(FakeDns()) as fake:
        port = fake.port
    # Nothing listens on that port any more: the resolver times out.
    with (
        override_settings(
            DNS_RESOLVER_NAMESERVERS=["127.0.0.1"], DNS_RESOLVER_PORT=port, DNS_RESOLVER_TIMEOUT=0.3
        ),
        translation.override("en"),
    ):
        checked, result = custom_domain_verify(provider=actors.tenant_a, request_id=request.pk)
    assert not result.ok
    assert "DNS could not be reached" in result.problems[-1]
    assert checked.status == DomainRequestStatus.VERIFYING


def test_only_the_owner_of_a_request_can_verify_it(actors: Any, dns: FakeDns) -> None:
    request = custom_domain_request_create(provider=actors.tenant_a, hostname="repair.jia.example")
    refused(custom_domain_verify, provider=actors.tenant_b, request_id=request.pk)
