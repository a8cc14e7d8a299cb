"""Log records are masked before any handler sees them: credentials in URLs, JSON answers, headers
and tracebacks never reach a log line (``saas_platform.observability.redact``)."""

from __future__ import annotations

import logging
from typing import Any

from saas_platform.observability.redact import mask_secrets


def test_log_lines_mask_every_kind_of_credential(caplog: Any) -> None:
    log = logging.getLogger("integrations.test")
    with caplog.at_level(logging.INFO):
        log.info("GET https://api.weixin.qq.com/cgi-bin/token?appid=wx1&secret=%s", "S3CRETS3CRETS3CRET")
        log.info('{"access_token": "ACCESS-TOKEN-VALUE", "expires_in": 7200}')
        log.info("Authorization: Bearer abcdefghijklmnop and key sk_live_51HxYzAbCdEf")
        try:
            raise RuntimeError("failed for url /cgi-bin/menu/create?access_token=TOKEN123456")
        except RuntimeError:
            log.exception("menu publish failed")
    logged = caplog.text
    for secret in (
        "S3CRETS3CRETS3CRET",
        "ACCESS-TOKEN-VALUE",
        "abcdefghijklmnop",
        "51HxYzAbCdEf",
        "TOKEN123456",
    ):
        assert secret not in logged
    assert "secret=***" in logged and "access_token=***" in logged and "menu publish failed" in logged
    assert mask_secrets("appid=wx1&secret=abc&lang=zh") == "appid=wx1&secret=***&lang=zh"
