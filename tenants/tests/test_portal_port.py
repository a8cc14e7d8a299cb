"""Served on any port, links made while answering someone (signup, public sign-in) keep that port;
behind a proxy they follow X-Forwarded-Proto / -Host / -Port; ``serve`` takes its own port for the
links it makes outside a request."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from saas_platform.management.commands.serve import serve_port
from tenants.domains import portal_url


def test_a_redirect_keeps_the_port_the_browser_used(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.PORTAL_PORT = "8000"
    request = RequestFactory().get("/signup/", HTTP_HOST="localhost:8123")
    assert portal_url("acme.localhost", "/console/", request=request) == "http://acme.localhost:8123/console/"
    assert portal_url("acme.localhost", "/console/") == "http://acme.localhost:8000/console/"


def test_behind_a_proxy_the_forwarded_scheme_host_and_port_count(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    request = RequestFactory().get(
        "/login/",
        HTTP_HOST="web:8000",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="baoxiu.example",
    )
    assert portal_url("acme.baoxiu.example", "/", request=request) == "https://acme.baoxiu.example/"
    settings.USE_X_FORWARDED_PORT = True
    request = RequestFactory().get(
        "/login/", HTTP_HOST="web:8000", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_PORT="8443"
    )
    assert portal_url("acme.baoxiu.example", "/", request=request) == "https://acme.baoxiu.example:8443/"


def test_serve_reads_its_port_from_the_address() -> None:
    assert serve_port("8123") == "8123"
    assert serve_port("0.0.0.0:8123") == "8123"
    assert serve_port("[::1]:9000") == "9000"
    assert serve_port("localhost") == ""
