"""Logs: structlog over the standard library, JSON in production, readable in development.

Every record — ours, Django's, Celery's, gunicorn's — goes through one handler with one formatter
(structlog's ``ProcessorFormatter``) and the one masking filter (``redact.SecretMaskingFilter``;
records are also masked as they are made), and every event's fields through ``mask_event``, which
adds what only structured fields show: values of secret-named keys and phone numbers. Timestamps are ISO 8601
in UTC whatever ``TIME_ZONE`` says. Fields bound per request or task (``request_id``, ``tenant``,
``host``, ``ip``, ``user_id``, ``user_kind``, ``route``, ``code``, ``duration_ms``, ``task``,
``task_id``) come from structlog's context variables (django-structlog binds them).

``logging_config(fmt, level)`` is the ``LOGGING`` dict for Django and the ``logconfig_dict`` for
gunicorn (``saas_platform.gunicorn_conf``), so the web server's own lines look the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

from saas_platform.observability.redact import MASK, mask_secrets

# Event fields whose values are never logged (matched case-insensitively as substrings); values in
# every other field go through ``redact.mask_secrets`` (URLs, JSON, Authorization headers).
SECRET_KEYS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "api_key",
    "apikey",
    "cookie",
    "aes_key",
)
PHONE_KEYS = ("phone", "mobile", "phone_number")
# Mainland mobile numbers (+86 optional) keep their last four digits: enough to tell two apart.
_PHONE = re.compile(r"(?<![\d])(?:\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?![\d])")


def mask_text(text: str) -> str:
    """Credentials (``redact.mask_secrets``) and phone numbers masked in free text."""
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", mask_secrets(text))


def mask_value(key: str, value: Any) -> Any:
    lowered = key.lower()
    if any(word in lowered for word in SECRET_KEYS):
        return MASK if value not in (None, "") else value
    if any(lowered == word or lowered.endswith("_" + word) for word in PHONE_KEYS):
        digits = re.sub(r"\D", "", str(value))
        return f"***{digits[-4:]}" if len(digits) >= 7 else value
    return mask_any(value)


def mask_any(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_any(item) for item in value)
    return value


def mask_event(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> dict[str, Any]:
    """structlog processor: every field of an event masked (secrets by key and pattern, phones)."""
    return {k: mask_value(k, v) for k, v in event_dict.items()}


def shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]


def _renderer(fmt: str) -> Any:
    if fmt == "json":
        return structlog.processors.JSONRenderer(ensure_ascii=False)
    return structlog.dev.ConsoleRenderer(colors=False)


def logging_config(fmt: str = "console", level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` for every process (Django, Celery, gunicorn)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"mask_secrets": {"()": "saas_platform.observability.redact.SecretMaskingFilter"}},
        "formatters": {
            "structured": {
                "()": "structlog.stdlib.ProcessorFormatter",
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    mask_event,
                    structlog.processors.format_exc_info if fmt == "json" else _passthrough,
                    _renderer(fmt),
                ],
                "foreign_pre_chain": shared_processors(),
            }
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "filters": ["mask_secrets"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "pgserver": {"level": "WARNING"},
            "django.db.backends": {"level": "INFO"},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": level, "propagate": False},
            "celery": {"level": level},
        },
    }


def _passthrough(logger: Any, method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    return event_dict


def configure_structlog() -> None:
    """structlog's own loggers hand their event dicts to the standard library (and so to the one
    handler, filter and formatter above)."""
    structlog.configure(
        processors=[
            *shared_processors(),
            mask_event,  # before the record exists, so the record-level masking finds nothing left
            structlog.stdlib.filter_by_level,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
