"""Tenant B's signed-in user, on B's host or on A's, never gets A's objects.

Every named route of the tenant urlconf is enumerated; each must have a case in ``cases.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tenants.utils import schema_context

from tests.actors import client_for, host_of
from tests.isolation.cases import CASES, Case


def _walk(resolver: URLResolver, namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.extend(_walk(entry, inner))
        elif isinstance(entry, URLPattern):
            names.append(
                f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed {entry.pattern}>"
            )
    return names


def tenant_route_names() -> list[str]:
    return sorted(set(_walk(get_resolver(settings.ROOT_URLCONF))))


def test_every_tenant_route_has_an_isolation_case() -> None:
    missing = [name for name in tenant_route_names() if name not in CASES]
    assert not missing, f"add isolation cases in tests/isolation/cases.py for: {missing}"
    stale = [name for name in CASES if name not in tenant_route_names()]
    assert not stale, f"cases for routes that no longer exist: {stale}"


def _request(client: Any, method: str, url: str, case: Case, actors: Any) -> Any:
    data = case.data(actors) if callable(case.data) else case.data
    files = any(hasattr(v, "read") for v in (data or {}).values())
    if data and method != "get" and url.startswith("/api/") and not files:
        # The JSON API takes typed JSON (a form post would send every number as text); uploads stay
        # multipart.
        return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(url, data=data or None)


def _leaks(response: Any, marker: str) -> bool:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return marker.encode() in body


@pytest.mark.parametrize("route", sorted(CASES))
def test_outsider_never_reaches_tenant_a_objects(route: str, actors: Any) -> None:
    case = CASES[route]
    with schema_context(actors.tenant_a.schema_name):
        kwargs, marker = case.build(actors)
    url = reverse(route, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)

    for method in case.methods:
        # B's session on B's host, asking for A's object ids.
        on_b = _request(client_for(actors.tenant_b, actors.outsider), method, url, case, actors)
        assert not _leaks(on_b, marker), f"{route}: tenant A's data shown on tenant B's host"
        # B's session cookie sent to A's host: it is not a session there.
        on_a = _request(
            client_for(actors.tenant_b, actors.outsider, host=host_of(actors.tenant_a)),
            method,
            url,
            case,
            actors,
        )
        assert not _leaks(on_a, marker), f"{route}: tenant B's user saw tenant A's data on A's host"
        if case.private:
            assert on_a.status_code in {302, 401, 403, 404}, f"{route}: {on_a.status_code} for an outsider"
            if on_a.status_code == 302:
                assert "/login/" in on_a["Location"]
            # The owner of A (or the case's viewer) does get it, so the case really exercises the route.
            viewer = case.viewer(actors) if case.viewer else client_for(actors.tenant_a, actors.owner_a)
            own = _request(viewer, method, url, case, actors)
            assert own.status_code in {200, 201}, f"{route}: A's viewer got {own.status_code}"
