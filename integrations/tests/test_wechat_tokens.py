"""Access tokens: one locked refresher for all workers, exactly one refresh on 40001/42001, against
the loopback WeChat through the real wechatpy client."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from wechatpy.exceptions import WeChatClientException

from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import APPID_A
from integrations.wechat import tokens
from integrations.wechat.accounts import current_schema
from integrations.wechat.client import account_client


def test_many_threads_asking_at_once_cause_one_fetch() -> None:
    fetches: list[int] = []

    def slow_fetch() -> tokens.Fetched:
        fetches.append(1)
        time.sleep(0.2)  # a slow WeChat: everyone else arrives while this fetch is running
        return tokens.Fetched(f"token-{len(fetches)}", 7200)

    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(tokens.get("wx-threads", slow_fetch))) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fetches) == 1
    assert got == ["token-1"] * 16


def test_a_stale_token_reported_by_many_workers_is_replaced_once() -> None:
    counter = iter(range(1, 100))

    def fetch() -> tokens.Fetched:
        return tokens.Fetched(f"t{next(counter)}", 7200)

    first = tokens.get("wx-stale", fetch)
    replaced = [tokens.refresh("wx-stale", fetch, stale=first) for _ in range(5)]
    assert replaced == ["t2"] * 5
    assert tokens.fetch_count("wx-stale") == 2


def test_a_failed_fetch_releases_the_lock_for_the_next_try() -> None:
    def broken() -> tokens.Fetched:
        raise RuntimeError("WeChat down")

    with pytest.raises(RuntimeError):
        tokens.get("wx-broken", broken)
    assert tokens.get("wx-broken", lambda: tokens.Fetched("ok", 7200)) == "ok"


def test_the_client_fetches_a_token_once_and_reuses_it(wechat_a: Any) -> None:
    fake = wechat_a.fake
    fake.followers[APPID_A].add("o_1")
    before = fake.token_fetches[APPID_A]
    client = account_client(wechat_a.account)
    for _ in range(5):
        client.message.send_template("o_1", "TPL_order_update_0001", {"thing2": {"value": "hi"}})
    assert fake.token_fetches[APPID_A] - before <= 1
    assert len(fake.sent) == 5


@pytest.mark.parametrize(("make_stale", "errcode"), [("invalidate_tokens", 40001), ("expire_tokens", 42001)])
def test_a_dead_token_triggers_exactly_one_refresh_and_one_retry(
    wechat_a: Any, make_stale: str, errcode: int
) -> None:
    fake = wechat_a.fake
    fake.followers[APPID_A].add("o_1")
    client = account_client(wechat_a.account)
    client.message.send_template("o_1", "TPL_order_update_0001", {"thing2": {"value": "warm"}})
    fetches = fake.token_fetches[APPID_A]
    getattr(fake, make_stale)(APPID_A)
    calls = fake.calls["/cgi-bin/message/template/send"]
    client.message.send_template("o_1", "TPL_order_update_0001", {"thing2": {"value": "after"}})
    assert fake.token_fetches[APPID_A] == fetches + 1
    assert fake.calls["/cgi-bin/message/template/send"] == calls + 2  # the refused call and its retry


def test_a_token_refused_again_after_the_refresh_is_an_error_not_a_loop(wechat_a: Any) -> None:
    fake = wechat_a.fake
    fake.followers[APPID_A].add("o_1")
    fake.fail_next("/cgi-bin/message/template/send", 40001, times=5)
    client = account_client(wechat_a.account)
    with pytest.raises(WeChatClientException) as refused:
        client.message.send_template("o_1", "TPL_order_update_0001", {"thing2": {"value": "x"}})
    assert refused.value.errcode == 40001
    assert fake.calls["/cgi-bin/message/template/send"] == 2
    assert fake.token_fetches[APPID_A] <= 2  # the first token and exactly one refresh


def test_workers_hitting_an_expired_token_together_refresh_it_once(wechat_a: Any, actors: Any) -> None:
    fake = wechat_a.fake
    fake.followers[APPID_A].add("o_1")
    schema = current_schema()
    account_client(wechat_a.account).message.send_template(
        "o_1", "TPL_order_update_0001", {"thing2": {"value": "a"}}
    )
    fake.expire_tokens(APPID_A)
    fetches = fake.token_fetches[APPID_A]
    errors: list[BaseException] = []

    def worker() -> None:
        from django.db import connection as thread_connection
        from django_tenants.utils import schema_context

        try:
            with schema_context(schema):
                account_client(wechat_a.account).message.send_template(
                    "o_1", "TPL_order_update_0001", {"thing2": {"value": "b"}}
                )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert fake.token_fetches[APPID_A] == fetches + 1
