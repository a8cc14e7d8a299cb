"""GET /internal/tls-ask?domain=… — Caddy's on-demand TLS asks before issuing a certificate."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tenants.models import ProviderStatus
from tests.actors import host_of


def ask(host: str, domain: str) -> int:
    return Client(HTTP_HOST=host).get("/internal/tls-ask", {"domain": domain}).status_code


def test_a_live_provider_domain_gets_a_certificate(actors: Any) -> None:
    assert ask("baoxiu.test", host_of(actors.tenant_a)) == 200
    assert ask("baoxiu.test", host_of(actors.tenant_a).upper() + ".") == 200


def test_unknown_domains_get_none(actors: Any) -> None:
    assert ask("baoxiu.test", "evil.example.com") == 404
    assert ask("baoxiu.test", "nobody.baoxiu.test") == 404
    assert ask("baoxiu.test", "") == 404


def test_the_public_hosts_get_one(actors: Any) -> None:
    assert ask("baoxiu.test", "baoxiu.test") == 200
    assert ask("baoxiu.test", "www.baoxiu.test") == 200


def test_the_proxy_may_ask_through_an_internal_hostname(actors: Any) -> None:
    assert ask("web:8000", host_of(actors.tenant_b)) == 200
    assert ask("web:8000", "evil.example.com") == 404


def test_a_provider_host_answers_too_even_when_suspended(actors: Any) -> None:
    actors.tenant_a.status = ProviderStatus.SUSPENDED
    actors.tenant_a.save()
    assert ask(host_of(actors.tenant_a), host_of(actors.tenant_a)) == 200
    assert ask(host_of(actors.tenant_b), "evil.example.com") == 404


def test_other_paths_on_unknown_hosts_stay_unknown(actors: Any) -> None:
    assert Client(HTTP_HOST="web:8000").get("/signup/").status_code == 404
