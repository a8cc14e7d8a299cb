"""The platform snapshot: numbers about every tenant at once, for ``/metrics`` and the operator
health page, collected with a handful of queries (``tenants.services.across_tenants``: one
``UNION ALL`` per 200 schemas) rather than one query or task per tenant.

Beat refreshes it every minute (``saas_platform.collect_snapshot``) into the cache under
``SNAPSHOT_KEY``; a scrape reads it, and recomputes only when it is older than
``SNAPSHOT_MAX_AGE`` (beat down, or the first scrape after a deploy).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily, Metric

from billing.models import AccountState, BillingAccount
from integrations.models import Channel, NotificationStatus
from saas_platform.health import beat_heartbeat_age
from tenants.models import SpareSchema
from tenants.services import across_tenants

logger = logging.getLogger(__name__)

SNAPSHOT_KEY = "metrics:snapshot"
SNAPSHOT_MAX_AGE = 30.0
BACKLOG_STATES = (NotificationStatus.PENDING, NotificationStatus.SENDING, NotificationStatus.FAILED)
TOP_TENANTS = 10  # the operator page ranks this many tenants by failed deliveries

_OUTBOX_SQL = (
    "SELECT channel, status, count(*) AS n, min(created_at) AS oldest "
    "FROM {schema}.integrations_notification WHERE status IN (%s, %s, %s) GROUP BY channel, status"
)
_FAILED_SQL = (
    "SELECT channel, count(*) AS n FROM {schema}.integrations_notification "
    "WHERE status = %s AND created_at >= %s GROUP BY channel"
)


@dataclass
class Snapshot:
    taken_at: float = 0.0
    # channel → state → count (pending / sending / failed), every channel and state present
    outbox: dict[str, dict[str, int]] = field(default_factory=dict)
    # channel → age in seconds of the oldest pending notification (absent: none pending)
    oldest_pending: dict[str, float] = field(default_factory=dict)
    # schema → failed notifications created in the last 24 h (top TOP_TENANTS only)
    failed_24h_by_tenant: dict[str, int] = field(default_factory=dict)
    failed_24h_by_channel: dict[str, int] = field(default_factory=dict)
    spare_pool: int = 0
    billing_states: dict[str, int] = field(default_factory=dict)
    beat_age: float | None = None
    queue_depth: int | None = None
    last_migration: str = ""
    last_migration_at: str = ""

    def metrics(self) -> Iterator[Metric]:
        backlog = GaugeMetricFamily(
            "baoxiu_notification_backlog",
            "Notifications not yet delivered, by channel and state (pending, sending, failed).",
            labels=["channel", "state"],
        )
        for channel, states in sorted(self.outbox.items()):
            for state, count in sorted(states.items()):
                backlog.add_metric([channel, state], count)
        yield backlog
        oldest = GaugeMetricFamily(
            "baoxiu_notification_oldest_pending_seconds",
            "Age of the oldest pending notification, by channel (0 when none is pending).",
            labels=["channel"],
        )
        for channel in sorted(self.outbox):
            oldest.add_metric([channel], self.oldest_pending.get(channel, 0.0))
        yield oldest
        failed = GaugeMetricFamily(
            "baoxiu_notification_failed_24h",
            "Notifications failed in the last 24 h, by channel.",
            labels=["channel"],
        )
        for channel in sorted(self.outbox):
            failed.add_metric([channel], self.failed_24h_by_channel.get(channel, 0))
        yield failed
        yield GaugeMetricFamily(
            "baoxiu_spare_schema_pool", "Pre-migrated spare schemas ready for signups.", value=self.spare_pool
        )
        billing = GaugeMetricFamily("baoxiu_billing_accounts", "Billing accounts by state.", labels=["state"])
        for state in AccountState.values:
            billing.add_metric([state], self.billing_states.get(state, 0))
        yield billing
        if self.beat_age is not None:
            yield GaugeMetricFamily(
                "baoxiu_beat_heartbeat_age_seconds",
                "Seconds since beat's last heartbeat.",
                value=self.beat_age,
            )
        if self.queue_depth is not None:
            yield GaugeMetricFamily(
                "baoxiu_celery_queue_depth", "Messages waiting in the Celery queue.", value=self.queue_depth
            )
        yield GaugeMetricFamily(
            "baoxiu_snapshot_age_seconds",
            "Age of the platform snapshot these gauges come from.",
            value=max(time.time() - self.taken_at, 0.0),
        )


def _queue_depth() -> int | None:
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    if not broker.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(broker, socket_connect_timeout=0.5, socket_timeout=1.0)
    try:
        depth: Any = client.llen(str(getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")))
        return int(depth)
    finally:
        client.close()


def _last_migration() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT app || '.' || name, applied FROM public.django_migrations ORDER BY applied DESC, id DESC "
            "LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        return "", ""
    return str(row[0]), row[1].astimezone(UTC).isoformat()


def snapshot_collect() -> Snapshot:
    """Compute the snapshot now (a few queries whatever the number of tenants)."""
    now = datetime.now(UTC)
    snap = Snapshot(taken_at=time.time())
    snap.outbox = {channel: {str(state): 0 for state in BACKLOG_STATES} for channel in Channel.values}
    for _schema, channel, status, count, oldest in across_tenants(_OUTBOX_SQL, params=tuple(BACKLOG_STATES)):
        states = snap.outbox.setdefault(str(channel), {str(state): 0 for state in BACKLOG_STATES})
        states[str(status)] = states.get(str(status), 0) + int(count)
        if status == NotificationStatus.PENDING and oldest is not None:
            age = (now - oldest).total_seconds()
            snap.oldest_pending[str(channel)] = max(snap.oldest_pending.get(str(channel), 0.0), age)
    by_tenant: dict[str, int] = {}
    for schema, channel, count in across_tenants(
        _FAILED_SQL, params=(NotificationStatus.FAILED, now - timedelta(hours=24))
    ):
        by_tenant[str(schema)] = by_tenant.get(str(schema), 0) + int(count)
        by_channel = snap.failed_24h_by_channel
        by_channel[str(channel)] = by_channel.get(str(channel), 0) + int(count)
    top = sorted(by_tenant.items(), key=lambda item: (-item[1], item[0]))[:TOP_TENANTS]
    snap.failed_24h_by_tenant = dict(top)
    snap.spare_pool = SpareSchema.objects.count()
    snap.billing_states = {
        row["state"]: row["n"] for row in BillingAccount.objects.values("state").annotate(n=Count("id"))
    }
    try:
        snap.beat_age = beat_heartbeat_age()
    except Exception:
        logger.warning("snapshot: beat heartbeat unreadable", exc_info=True)
    try:
        snap.queue_depth = _queue_depth()
    except Exception:
        logger.warning("snapshot: queue depth unreadable", exc_info=True)
    snap.last_migration, snap.last_migration_at = _last_migration()
    return snap


def snapshot_refresh() -> Snapshot:
    """Collect and store (beat, every minute)."""
    snap = snapshot_collect()
    cache.set(SNAPSHOT_KEY, asdict(snap), 600)
    return snap


def snapshot_read(max_age: float = SNAPSHOT_MAX_AGE) -> Snapshot:
    """The stored snapshot, or a fresh one when it is missing or older than ``max_age``."""
    stored = cache.get(SNAPSHOT_KEY)
    if isinstance(stored, dict) and time.time() - float(stored.get("taken_at", 0)) <= max_age:
        return Snapshot(**stored)
    return snapshot_refresh()
