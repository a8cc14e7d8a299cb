"""Error reports to Sentry (sentry-sdk), on only when ``SENTRY_DSN`` is set.

Tags: ``tenant`` (schema) and ``request_id`` on every event, from structlog's context variables
(bound per request and per task). PII: ``send_default_pii`` is off (no cookies, no user IP, no
request bodies) and ``before_send`` masks phone numbers and credentials anywhere in the event
(message, exception values, breadcrumbs, extra, request data) with the same masking as the logs.
"""

from __future__ import annotations

from typing import Any

import structlog

from saas_platform.observability.logging import mask_any


def before_send(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
    context = structlog.contextvars.get_contextvars()
    tags = event.setdefault("tags", {})
    for key in ("tenant", "request_id"):
        if context.get(key) and key not in tags:
            tags[key] = str(context[key])
    scrubbed: dict[str, Any] = mask_any(event)
    return scrubbed


def init_sentry(dsn: str | None, *, environment: str = "production", traces_sample_rate: float = 0.0) -> bool:
    """Start the SDK when a DSN is given; returns whether it started."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        before_send=before_send,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(), CeleryIntegration()],
        max_request_body_size="never",
    )
    return True
