"""Gateway fakes on loopback, and settings that point the real clients at them. Import these
fixtures into a test module or conftest with ``from billing.tests.fixtures import *``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from billing.tests.fakes import StripeFake, WeChatPayFake, rsa_key_pair


@pytest.fixture(scope="session")
def _stripe_server() -> Iterator[StripeFake]:
    fake = StripeFake(
        api_key="sk_test_" + secrets.token_hex(8), webhook_secret="whsec_" + secrets.token_hex(16)
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def stripe_fake(_stripe_server: StripeFake, settings: Any) -> StripeFake:
    """Stripe on: the official library talks to the loopback fake."""
    settings.STRIPE_SECRET_KEY = _stripe_server.api_key
    settings.STRIPE_WEBHOOK_SECRET = _stripe_server.webhook_secret
    settings.STRIPE_API_BASE = _stripe_server.url
    return _stripe_server


@pytest.fixture(scope="session")
def wechat_keys() -> dict[str, str]:
    """Test key pairs made for this run: the merchant's (we sign requests) and the platform's
    (WeChat Pay signs answers and notifications)."""
    merchant_private, merchant_public = rsa_key_pair()
    platform_private, platform_public = rsa_key_pair()
    return {
        "merchant_private": merchant_private,
        "merchant_public": merchant_public,
        "platform_private": platform_private,
        "platform_public": platform_public,
        "public_key_id": "PUB_KEY_ID_0114232134912410000000000000",
        "apiv3_key": secrets.token_hex(16),  # 32 characters, as WeChat Pay requires
        "mchid": "1900000109",
        "appid": "wxd678efh567hg6787",
        "serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
    }


@pytest.fixture(scope="session")
def _wechat_server(wechat_keys: dict[str, str]) -> Iterator[WeChatPayFake]:
    fake = WeChatPayFake(
        merchant_public_key=wechat_keys["merchant_public"],
        platform_private_key=wechat_keys["platform_private"],
        public_key_id=wechat_keys["public_key_id"],
        apiv3_key=wechat_keys["apiv3_key"],
        mchid=wechat_keys["mchid"],
    )
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def wechat_fake(_wechat_server: WeChatPayFake, wechat_keys: dict[str, str], settings: Any) -> WeChatPayFake:
    """WeChat Pay on: wechatpayv3 talks to the loopback fake."""
    settings.WECHATPAY_MCHID = wechat_keys["mchid"]
    settings.WECHATPAY_APPID = wechat_keys["appid"]
    settings.WECHATPAY_APIV3_KEY = wechat_keys["apiv3_key"]
    settings.WECHATPAY_CERT_SERIAL_NO = wechat_keys["serial"]
    settings.WECHATPAY_PRIVATE_KEY = wechat_keys["merchant_private"]
    settings.WECHATPAY_PUBLIC_KEY = wechat_keys["platform_public"]
    settings.WECHATPAY_PUBLIC_KEY_ID = wechat_keys["public_key_id"]
    settings.WECHATPAY_API_BASE = _wechat_server.url
    return _wechat_server
