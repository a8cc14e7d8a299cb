"""An outside service's failure is told in words; its credentials never reach a page or a log line.

Connecting WeChat with a secret while WeChat cannot be reached used to show the raw ``requests``
exception, whose text carries the token URL ``…/cgi-bin/token?…&secret=<AppSecret>``."""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest

from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import APPID_A, SECRET_A, TOKEN_A
from tests.actors import client_for


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_connecting_wechat_while_it_is_unreachable_shows_a_sentence_and_no_secret(
    language: str, settings: Any, actors: Any, caplog: Any
) -> None:
    settings.WECHAT_API_BASE_URL = f"http://127.0.0.1:{_closed_port()}/"
    owner = client_for(actors.tenant_a, actors.owner_a)
    with caplog.at_level(logging.INFO):
        page = owner.post(
            "/console/wechat/",
            {"action": "manual", "appid": APPID_A, "secret": SECRET_A, "token": TOKEN_A, "aes_key": ""},
            HTTP_ACCEPT_LANGUAGE=language,
        )
    text = page.content.decode()
    assert page.status_code == 200
    expected = "无法连接微信" if language == "zh-hans" else "WeChat could not be reached"
    assert expected in text
    assert SECRET_A not in text and "secret=" not in text and "Max retries" not in text
    logged = caplog.text
    assert APPID_A in logged  # the log keeps the detail for the operator …
    assert "secret=***" in logged  # … with the credential masked
    assert SECRET_A not in logged
