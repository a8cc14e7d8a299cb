"""Tenant B's bearer token, sent to tenant A's host, opens nothing: every API route answers 401
(the token's signature names B's schema) and never shows A's marker; A's own token still works
where sessions do."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tests.actors import host_of
from tests.isolation.cases import CASES

TOKEN_ONLY = {"api-auth-phone"}  # public in the harness (no session role), but needs A's token
API_ROUTES = sorted(
    name for name in CASES if name.startswith("api-") and name not in {"api-schema", "api-docs"}
)


def _token_of_b(actors: Any) -> str:
    from integrations.miniprogram.api_tokens import api_session_issue
    from integrations.miniprogram.models import MiniProgramUser

    with schema_context(actors.tenant_b.schema_name):
        user, _created = MiniProgramUser.objects.get_or_create(openid="iso-mini-openid-B")
        return api_session_issue(user=user, device="B").access


@pytest.mark.parametrize("route", API_ROUTES)
def test_a_token_of_tenant_b_is_refused_by_every_api_route_on_tenant_a(route: str, actors: Any) -> None:
    case = CASES[route]
    with schema_context(actors.tenant_a.schema_name):
        kwargs, marker = case.build(actors)
    url = reverse(route, kwargs=kwargs, urlconf=settings.ROOT_URLCONF)
    client = APIClient(HTTP_HOST=host_of(actors.tenant_a))
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {_token_of_b(actors)}")
    for method in case.methods:
        response = getattr(client, method)(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert marker.encode() not in body, f"{route}: tenant A's data shown to B's token"
        if case.private or route in TOKEN_ONLY:
            assert response.status_code == 401, f"{route}: {response.status_code} for B's token"
