"""/console/handoff/<token>/: the public site's one-minute, single-use sign-in link."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django_tenants.utils import schema_context

from portals.console.handoff import SALT, handoff_token_make
from tests.actors import client_for


def _open(client: Any, token: str) -> Any:
    return client.get(f"/console/handoff/{token}/")


def test_a_valid_token_signs_the_owner_in(actors: Any) -> None:
    client = client_for(actors.tenant_a)
    token = handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)
    response = _open(client, token)
    assert response["Location"] == "/console/"
    assert client.get("/console/").status_code == 200


def test_a_token_is_good_once(actors: Any) -> None:
    token = handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)
    _open(client_for(actors.tenant_a), token)
    again = client_for(actors.tenant_a)
    response = _open(again, token)
    assert response["Location"].startswith("/console/login/")
    assert again.get("/console/").status_code == 302


def test_tenant_bs_host_refuses_tenant_as_token(actors: Any) -> None:
    token = handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)
    on_b = client_for(actors.tenant_b)
    response = _open(on_b, token)
    assert response["Location"].startswith("/console/login/")
    assert on_b.get("/console/").status_code == 302


def test_a_token_for_bs_owner_cannot_sign_in_on_a(actors: Any) -> None:
    token = handoff_token_make(provider=actors.tenant_b, phone=actors.outsider.phone)
    on_a = client_for(actors.tenant_a)
    assert _open(on_a, token)["Location"].startswith("/console/login/")
    assert on_a.get("/console/").status_code == 302


def test_an_expired_token_is_refused_with_a_message(actors: Any, monkeypatch: Any) -> None:
    token = handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)
    later = time.time() + 61
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    client = client_for(actors.tenant_a)
    response = client.get(f"/console/handoff/{token}/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This sign-in link has expired or was already used." in response.content.decode()


def test_a_tampered_token_is_refused(actors: Any) -> None:
    forged = signing.dumps(
        {"schema": actors.tenant_a.schema_name, "phone": actors.owner_a.phone, "nonce": "x"}
    )
    assert _open(client_for(actors.tenant_a), forged)["Location"].startswith("/console/login/")
    token = handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)
    assert _open(client_for(actors.tenant_a), token[:-2] + "xx")["Location"].startswith("/console/login/")


def test_a_token_for_an_inactive_user_is_refused(actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        get_user_model().objects.filter(username=actors.engineer_a.phone).update(is_active=False)
    token = signing.dumps(
        {"schema": actors.tenant_a.schema_name, "phone": actors.engineer_a.phone, "nonce": "n1"}, salt=SALT
    )
    assert _open(client_for(actors.tenant_a), token)["Location"].startswith("/console/login/")
