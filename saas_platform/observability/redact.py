"""Secrets never reach a log line: every log record's text is masked before any handler sees it.

Outside services put credentials in URLs and answers (WeChat's ``cgi-bin/token?...&secret=…``,
``access_token=…`` on every API call, Stripe's ``sk_live_…`` keys, ``Authorization: Bearer …``), and
``requests`` repeats the URL in its exception text, which ends up in ``logger.exception`` and
Celery's task-failure log. Masking at the record factory (``install``) covers every logger and
every handler, including pytest's capture; ``SecretMaskingFilter`` is the same for a handler that
is configured on its own (``LOGGING["filters"]``).

``mask_secrets`` keeps the parameter's name and replaces its value with ``***`` so a log still
says which credential was wrong.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "***"

# key=value in URLs, forms and log text; "key": "value" in JSON.
_SECRET_KEYS = (
    r"secret|app_?secret|appsecret|client_secret|api_?key|apikey|access_token|refresh_token|"
    r"component_access_token|authorizer_access_token|authorizer_refresh_token|password|passwd|"
    r"token|signature|sign|sig|private_key|encoding_?aes_?key|aes_key|js_code|code_verifier"
)
_PAIR = re.compile(rf"(?i)(\b(?:{_SECRET_KEYS})\b\s*=\s*)([^&\s'\"<>,;)]+)")
_JSON = re.compile(rf"(?i)([\"'](?:{_SECRET_KEYS})[\"']\s*:\s*[\"'])([^\"']+)")
_BEARER = re.compile(r"(?i)(\b(?:bearer|basic)\s+)([A-Za-z0-9._~+/=-]{8,})")
# Provider key formats recognisable on their own (Stripe keys and webhook secrets).
_KEYS = re.compile(r"\b((?:sk|rk|pk)_(?:live|test)_|whsec_)[A-Za-z0-9]{6,}")


def mask_secrets(text: str) -> str:
    """``text`` with every credential value replaced by ``***`` (names kept)."""
    if not text:
        return text
    text = _PAIR.sub(lambda m: m.group(1) + MASK, text)
    text = _JSON.sub(lambda m: m.group(1) + MASK, text)
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    return _KEYS.sub(lambda m: m.group(1) + MASK, text)


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 (a bad format string must not lose the record)
        message = str(record.msg)
    masked = mask_secrets(message)
    if masked != message:
        record.msg, record.args = masked, None
    if record.exc_info and record.exc_info[1] is not None:
        # Formatters would format exc_info later, unmasked (JSON formatters ignore exc_text):
        # keep only the masked text, which every ``logging.Formatter`` appends.
        record.exc_text = mask_secrets(logging.Formatter().formatException(record.exc_info))
        record.exc_info = None
    if record.stack_info:
        record.stack_info = mask_secrets(record.stack_info)


class SecretMaskingFilter(logging.Filter):
    """A handler filter doing the same masking (for handlers attached outside ``install``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


_installed = False


def install() -> None:
    """Mask every log record from now on (idempotent; called from the platform's ``ready``)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
