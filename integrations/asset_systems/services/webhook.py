"""The signed webhook: verify HMAC, timestamp tolerance and delivery id, then apply."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.asset_systems.adapters import adapter_for
from integrations.asset_systems.adapters.base import (
    AdapterError,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    SyncOperation,
    SyncResult,
    WebhookDelivery,
)
from integrations.asset_systems.selectors import sync_allowed
from integrations.asset_systems.services._common import (
    log_entry,
)
from integrations.asset_systems.services.status import ApplyOutcome, status_change_apply

logger = logging.getLogger(__name__)

# --- Webhook -------------------------------------------------------------------------------------------


class WebhookRefused(Exception):
    """The delivery is not accepted; ``status`` is the HTTP answer (400, 401, 403, 409)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``"<timestamp>." + body`` with the binding's secret."""
    digest = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def _refuse(binding: AssetSystemBinding, message: str, status: int, summary: str) -> WebhookRefused:
    log_entry(
        binding=binding,
        operation=SyncOperation.WEBHOOK,
        result=SyncResult.REFUSED,
        error=message,
        summary=summary,
    )
    return WebhookRefused(message, status=status)


def _refusals_key(binding: AssetSystemBinding) -> str:
    schema = getattr(connection, "schema_name", "public")
    return f"asset-webhook-refused:{schema}:{binding.pk}:{timezone.localdate().isoformat()}"


def _refuse_unverified(binding: AssetSystemBinding, message: str, status: int) -> WebhookRefused:
    """A refusal before the signature was verified: one cache counter per binding and day, and a
    log line, but no sync-log row."""
    key = _refusals_key(binding)
    cache.add(key, 0, 2 * 86400)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 2 * 86400)
    logger.info("asset webhook for binding %s refused before verification: %s", binding.pk, message)
    return WebhookRefused(message, status=status)


def webhook_refusals_today(binding: AssetSystemBinding) -> int:
    """How many unverified deliveries were refused today (shown instead of one row each)."""
    return int(cache.get(_refusals_key(binding)) or 0)


def webhook_receive(
    *,
    binding: AssetSystemBinding,
    body: bytes,
    timestamp: str,
    signature: str,
    delivery_id: str,
    now: datetime | None = None,
) -> list[ApplyOutcome]:
    """A status change pushed by the external system. Raises ``WebhookRefused`` for a bad
    signature, a stale or future timestamp, a replayed delivery id, a disabled binding or a body
    that is not JSON; otherwise applies every change in it (each logged)."""
    now = now or timezone.now()
    summary = f"POST webhook delivery {delivery_id[:60]}"
    # Until the signature is verified the sender is anyone on the internet: refusals are counted,
    # never written to the provider's sync log (50 unsigned POSTs must not add 50 rows).
    tolerance = int(settings.ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS)
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise _refuse_unverified(binding, _("The timestamp header is missing or not a number."), 400)
    if abs(now.timestamp() - int(timestamp)) > tolerance:
        raise _refuse_unverified(binding, _("The timestamp is more than 5 minutes away from our clock."), 401)
    expected = webhook_signature(binding.webhook_secret, timestamp, body)
    if not signature or not hmac.compare_digest(
        expected.encode(), signature.strip().encode("utf-8", "replace")
    ):
        raise _refuse_unverified(
            binding, _("The signature does not match the binding's webhook secret."), 401
        )
    if not binding.enabled or not sync_allowed():
        raise _refuse(binding, _("The binding is switched off."), 403, summary)
    if not delivery_id or len(delivery_id) > 100:
        raise _refuse(binding, _("The delivery id header is missing or too long."), 400, summary)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(binding, _("The body is not JSON."), 400, summary) from None
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(binding=binding, delivery_id=delivery_id, received_at=now)
    except IntegrityError:
        raise _refuse(
            binding, _("This delivery was received before (replay refused)."), 409, summary
        ) from None
    try:
        changes = adapter_for(binding).parse_webhook(payload)
    except AdapterError as exc:
        raise _refuse(binding, exc.message, 400, summary) from None
    except Exception:
        WebhookDelivery.objects.filter(
            binding=binding, delivery_id=delivery_id
        ).delete()  # let it be sent again
        raise
    log_entry(
        binding=binding,
        operation=SyncOperation.WEBHOOK,
        result=SyncResult.OK,
        summary=f"{summary}: {len(changes)}",
    )
    outcomes: list[ApplyOutcome] = []
    try:
        for change in changes:
            outcomes.append(status_change_apply(binding=binding, change=change, via="webhook"))
    except Exception:
        WebhookDelivery.objects.filter(binding=binding, delivery_id=delivery_id).delete()
        raise
    return outcomes
