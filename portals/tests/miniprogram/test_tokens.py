"""The mini-program's access token is kept like the official account's (one ``TokenManager``): fetched
once and reused, refreshed exactly once on 40001/42001 with the call retried once, and a token
refused again after the refresh is an error, not a loop."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy.exceptions import WeChatClientException

from integrations.miniprogram.accounts import miniprogram_account_get
from integrations.miniprogram.client import miniprogram_client
from portals.tests.miniprogram.fixtures import APPID_MP

PHONE_PATH = "/wxa/business/getuserphonenumber"


def _phone(fake: Any, phone: str) -> str:
    client = miniprogram_client(miniprogram_account_get())
    return str(client.phone_number(fake.phone_code(phone))["phoneNumber"])


def test_the_token_is_fetched_once_and_reused(mp_a: Any, in_a: Any) -> None:
    before = mp_a.token_fetches[APPID_MP]
    assert [_phone(mp_a, f"1380000000{i}") for i in range(3)] == [f"1380000000{i}" for i in range(3)]
    assert mp_a.token_fetches[APPID_MP] == before + 1


@pytest.mark.parametrize("make_stale", ["invalidate_tokens", "expire_tokens"], ids=["40001", "42001"])
def test_a_dead_token_is_refreshed_once_and_the_call_retried(mp_a: Any, in_a: Any, make_stale: str) -> None:
    assert _phone(mp_a, "13800000001") == "13800000001"
    fetches, calls = mp_a.token_fetches[APPID_MP], mp_a.calls[PHONE_PATH]
    getattr(mp_a, make_stale)(APPID_MP)
    assert _phone(mp_a, "13800000002") == "13800000002"
    assert mp_a.token_fetches[APPID_MP] == fetches + 1
    assert mp_a.calls[PHONE_PATH] == calls + 2  # the refused call and its retry


def test_a_token_refused_again_after_the_refresh_is_an_error_not_a_loop(mp_a: Any, in_a: Any) -> None:
    assert _phone(mp_a, "13800000001") == "13800000001"
    fetches, calls = mp_a.token_fetches[APPID_MP], mp_a.calls[PHONE_PATH]
    mp_a.fail_next(PHONE_PATH, 40001, times=5)
    with pytest.raises(WeChatClientException) as refused:
        _phone(mp_a, "13800000002")
    assert refused.value.errcode == 40001
    assert mp_a.calls[PHONE_PATH] == calls + 2
    assert mp_a.token_fetches[APPID_MP] == fetches + 1
