"""Fixtures for the WeChat and notification tests: the loopback WeChat, tenant A's schema, the cast
of one order (repair_forms' test cast) and tenant A's official account connected to the fake.

Import the fixtures into a test module with ``from integrations.tests.wechat_fixtures import *``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from integrations.sms.gateway import DevBackend
from integrations.tests.fake_wechat import FakeWeChat, FakeWeChatServer
from repair_forms.tests.helpers import Cast, make_cast

APPID_A = "wx" + "a1" * 8
SECRET_A = "A" * 32
TOKEN_A = "tokenA123"
AES_KEY_A = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID_B = "wx" + "b2" * 8
SECRET_B = "B" * 32
TOKEN_B = "tokenB456"
TEMPLATES = {
    "order_update": "TPL_order_update_0001",
    "staff_alert": "TPL_staff_alert_00002",
    "work_order": "TPL_work_order_000003",
}
ORIGINAL_ID_A = "gh_aaaaaaaaaaaa"

__all__ = [
    "APPID_A",
    "APPID_B",
    "AES_KEY_A",
    "ORIGINAL_ID_A",
    "SECRET_A",
    "SECRET_B",
    "TEMPLATES",
    "TOKEN_A",
    "TOKEN_B",
    "Connected",
    "activate",
    "cast",
    "connect_manual",
    "fake_wechat",
    "in_a",
    "sms_outbox",
    "wechat_a",
]


def activate(provider: Any) -> None:
    """Back in ``provider``'s schema after a test request (routing resets the connection)."""
    connection.set_tenant(provider)  # type: ignore[attr-defined]


@pytest.fixture
def fake_wechat(settings: Any) -> Iterator[FakeWeChat]:
    server = FakeWeChatServer().start()
    for name, value in server.settings().items():
        setattr(settings, name, value)
    yield server.fake
    server.stop()


@pytest.fixture
def in_a(actors: Any) -> Iterator[Any]:
    with schema_context(actors.tenant_a.schema_name):
        yield actors.tenant_a


@pytest.fixture
def cast(in_a: Any, actors: Any) -> Cast:
    return make_cast(actors)


@pytest.fixture
def sms_outbox() -> Iterator[list[Any]]:
    DevBackend.outbox.clear()
    yield DevBackend.outbox
    DevBackend.outbox.clear()


@dataclass
class Connected:
    fake: FakeWeChat
    appid: str
    account: Any


def connect_manual(
    fake: FakeWeChat, actors: Any, *, appid: str = APPID_A, secret: str = SECRET_A, token: str = TOKEN_A
) -> Any:
    """Connect the active schema's account to the fake (as an admin would, through the service)."""
    from accounts.models import StaffMember
    from integrations.wechat.accounts import account_connect_manual, account_settings_update

    fake.add_app(appid, secret, templates=tuple(TEMPLATES.values()))
    admin = StaffMember.objects.get(is_owner=True)
    account_connect_manual(
        actor=admin, provider=actors.tenant_a, appid=appid, secret=secret, token=token, aes_key=AES_KEY_A
    )
    return account_settings_update(
        actor=admin, message_style="template", template_ids=dict(TEMPLATES), welcome_text="", default_reply=""
    )


@pytest.fixture
def wechat_a(fake_wechat: FakeWeChat, in_a: Any, actors: Any) -> Connected:
    account = connect_manual(fake_wechat, actors)
    return Connected(fake_wechat, APPID_A, account)
