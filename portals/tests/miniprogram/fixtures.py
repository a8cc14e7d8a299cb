"""Fixtures for the mini-program tests: the loopback WeChat with the mini-program APIs, tenant A's
mini-program bound to it, and API clients that carry only a bearer token.

Import with ``from portals.tests.miniprogram.fixtures import *``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from integrations.miniprogram.accounts import miniprogram_account_get
from integrations.miniprogram.models import MiniProgramConnection
from integrations.tests.fake_miniprogram import FakeMiniProgram, FakeMiniProgramServer
from tests.actors import host_of

APPID_MP = "wx" + "c3" * 8
SECRET_MP = "C" * 32
APPID_MP_B = "wx" + "d4" * 8
SECRET_MP_B = "D" * 32

__all__ = ["APPID_MP", "APPID_MP_B", "SECRET_MP", "bearer", "bind_miniprogram", "fake_mp", "mp_a", "sign_in"]


@pytest.fixture
def fake_mp(settings: Any) -> Iterator[FakeMiniProgram]:
    fake = FakeMiniProgram()
    server = FakeMiniProgramServer(fake)
    server.start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    fake.add_app(APPID_MP, SECRET_MP)
    fake.add_app(APPID_MP_B, SECRET_MP_B)
    yield fake
    server.stop()


def bind_miniprogram(provider: Any, appid: str, secret: str) -> None:
    with schema_context(provider.schema_name):
        account = miniprogram_account_get()
        account.connection = MiniProgramConnection.MANUAL
        account.appid = appid
        account.set_secret(secret)
        account.save()


@pytest.fixture
def mp_a(fake_mp: FakeMiniProgram, actors: Any) -> FakeMiniProgram:
    """Tenant A's mini-program is bound (and B's, to another app)."""
    bind_miniprogram(actors.tenant_a, APPID_MP, SECRET_MP)
    bind_miniprogram(actors.tenant_b, APPID_MP_B, SECRET_MP_B)
    return fake_mp


def bearer(provider: Any, token: str | None = None) -> APIClient:
    """An API client on ``provider``'s host with no cookie, only the bearer token."""
    client = APIClient(HTTP_HOST=host_of(provider))
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def sign_in(
    fake: FakeMiniProgram, provider: Any, openid: str, *, appid: str = APPID_MP, **extra: Any
) -> dict[str, Any]:
    """wx.login on the phone, then POST /api/v1/auth/miniprogram/: the token pair."""
    code = fake.login(appid, openid)
    response = bearer(provider).post(
        "/api/v1/auth/miniprogram/", {"code": code, "device": "iPhone 15", **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return dict(response.json())
