"""Operator console pages beside Django's admin (public host, superusers only):

* ``/operator/health/`` — is the platform keeping up? Outbox backlog and oldest pending message
  per channel, failed deliveries in the last 24 h by provider (the providers with the most errors,
  each linked to its page), beat's heartbeat, the spare-schema pool, the last migration, the Celery
  queue depth, and a 24-hour chart of notifications made and failed per hour.
* ``/operator/audit/`` — one searchable place per provider for the audit rows the platform already
  writes: operators' billing actions (``billing.AuditLog``) and failed sign-ins (django-axes'
  ``AccessFailureLog``, keyed ``<schema>:<account>``, with the client address).

Every number comes from a handful of queries whatever the number of tenants
(``saas_platform.observability.snapshot``; ``tenants.services.across_tenants``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from axes.models import AccessFailureLog
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import AuditLog
from integrations.models import Channel
from portals.console.charts import _nice_max
from saas_platform.observability.snapshot import Snapshot, snapshot_read
from tenants.models import Provider
from tenants.services import across_tenants

_HOURLY_SQL = (
    "SELECT date_trunc('hour', created_at) AS hour, count(*) AS made, "
    "count(*) FILTER (WHERE status = 'failed') AS failed "
    "FROM {schema}.integrations_notification WHERE created_at >= %s GROUP BY 1"
)
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 720, 220, 36, 12, 30
AUDIT_ROWS = 200


def _operator_only(request: HttpRequest) -> None:
    if not getattr(request.user, "is_superuser", False):
        raise PermissionDenied


@dataclass
class HourlyChart:
    width: int
    height: int
    bars: list[dict[str, Any]]
    ticks: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    baseline: float
    made: int
    failed: int


def hourly_series(now: datetime | None = None) -> list[dict[str, Any]]:
    """Notifications made and failed per hour over the last 24 h, every hour present."""
    end = (now or timezone.now()).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=23)
    buckets = {start + timedelta(hours=i): {"made": 0, "failed": 0} for i in range(24)}
    for _schema, hour, made, failed in across_tenants(_HOURLY_SQL, params=(start,)):
        bucket = buckets.get(hour.astimezone(UTC))
        if bucket is not None:
            bucket["made"] += int(made)
            bucket["failed"] += int(failed)
    return [{"hour": hour, **counts} for hour, counts in sorted(buckets.items())]


def hourly_chart(series: list[dict[str, Any]]) -> HourlyChart:
    """Bars of notifications made per hour, each with its failed part drawn over it."""
    plot_w, plot_h = WIDTH - LEFT - 8, HEIGHT - TOP - BOTTOM
    top = _nice_max(max((row["made"] for row in series), default=0))
    slot = plot_w / max(len(series), 1)
    bars, labels = [], []
    for index, row in enumerate(series):
        x = LEFT + index * slot + slot * 0.15
        made_h = plot_h * row["made"] / top
        failed_h = plot_h * row["failed"] / top
        bars.append(
            {
                "x": round(x, 1),
                "w": round(slot * 0.7, 1),
                "y": round(TOP + plot_h - made_h, 1),
                "h": round(made_h, 1),
                "fy": round(TOP + plot_h - failed_h, 1),
                "fh": round(failed_h, 1),
                "made": row["made"],
                "failed": row["failed"],
                "hour": row["hour"].strftime("%H:00"),
            }
        )
        if index % 4 == 0 or index == len(series) - 1:
            labels.append({"x": round(x + slot * 0.35, 1), "text": row["hour"].strftime("%H:00")})
    ticks = [{"y": round(TOP + plot_h - plot_h * f, 1), "text": f"{top * f:g}"} for f in (0, 0.5, 1)]
    return HourlyChart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        labels=labels,
        baseline=TOP + plot_h,
        made=sum(row["made"] for row in series),
        failed=sum(row["failed"] for row in series),
    )


def _channel_rows(snap: Snapshot) -> list[dict[str, Any]]:
    labels = dict(Channel.choices)
    return [
        {
            "channel": labels.get(channel, channel),
            "pending": states.get("pending", 0),
            "sending": states.get("sending", 0),
            "failed": states.get("failed", 0),
            "failed_24h": snap.failed_24h_by_channel.get(channel, 0),
            "oldest_minutes": (
                round(snap.oldest_pending[channel] / 60, 1) if channel in snap.oldest_pending else None
            ),
        }
        for channel, states in sorted(snap.outbox.items())
    ]


def health(request: HttpRequest) -> HttpResponse:
    """``/operator/health/`` (wrapped in ``admin.site.admin_view``: operator sign-in)."""
    _operator_only(request)
    snap = snapshot_read()
    providers = Provider.objects.in_bulk(list(snap.failed_24h_by_tenant), field_name="schema_name")
    failing = [
        {"provider": providers.get(schema), "schema": schema, "failed": count}
        for schema, count in snap.failed_24h_by_tenant.items()
    ]
    return render(
        request,
        "operator/health.html",
        {
            **admin.site.each_context(request),
            "title": _("Platform health"),
            "snap": snap,
            "taken_at": datetime.fromtimestamp(snap.taken_at, tz=UTC),
            "channels": _channel_rows(snap),
            "failing": failing,
            "beat_minutes": None if snap.beat_age is None else round(snap.beat_age / 60, 1),
            "chart": hourly_chart(hourly_series()),
        },
    )


def _audit_rows(provider: Provider, query: str) -> list[dict[str, Any]]:
    billing = AuditLog.objects.filter(account__provider=provider).select_related("order")
    failures = AccessFailureLog.objects.filter(username__startswith=f"{provider.schema_name}:")
    if query:
        billing = billing.filter(
            Q(operator_name__icontains=query) | Q(reason__icontains=query) | Q(action__icontains=query)
        )
        failures = failures.filter(Q(username__icontains=query) | Q(ip_address__icontains=query))
    rows: list[dict[str, Any]] = [
        {
            "when": entry.created_at,
            "who": entry.operator_name,
            "what": f"{entry.get_action_display()}: {entry.reason}",
            "address": str((entry.details or {}).get("ip") or ""),
            "source": _("Billing"),
        }
        for entry in billing.order_by("-created_at")[:AUDIT_ROWS]
    ]
    rows += [
        {
            "when": failure.attempt_time,
            "who": str(failure.username or "").split(":", 1)[-1],
            "what": _("Failed sign-in"),
            "address": failure.ip_address or "",
            "source": _("Sign-in"),
        }
        for failure in failures.order_by("-attempt_time")[:AUDIT_ROWS]
    ]
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows[:AUDIT_ROWS]


def audit(request: HttpRequest) -> HttpResponse:
    """``/operator/audit/?provider=<id>&q=<text>``: one provider's audit trail, newest first."""
    _operator_only(request)
    query = request.GET.get("q", "").strip()[:100]
    chosen = request.GET.get("provider", "")
    provider = Provider.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    return render(
        request,
        "operator/audit.html",
        {
            **admin.site.each_context(request),
            "title": _("Audit trail"),
            "providers": Provider.objects.order_by("name").only("pk", "name"),
            "provider": provider,
            "query": query,
            "rows": _audit_rows(provider, query) if provider is not None else [],
        },
    )
