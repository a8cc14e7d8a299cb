"""``/metrics``: Prometheus text, open to allowed networks or a bearer token, with the outbox
backlog gauges following notifications as they are created and delivered."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client, override_settings

from integrations.models import Channel, Notification, NotificationStatus
from integrations.notifications import services as notifications
from integrations.tests.wechat_fixtures import *  # noqa: F403
from repair_forms import services as orders
from saas_platform.tasks import collect_snapshot


def _scrape(**extra: Any) -> str:
    response = Client(HTTP_HOST="10.244.0.9").get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return response.content.decode()


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    pattern = (
        rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$"
    )
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{name}{{{wanted}}} not in metrics"
    return float(match.group(1))


def test_metrics_are_refused_outside_the_allowed_networks(db: Any) -> None:
    response = Client(HTTP_HOST="10.244.0.9", REMOTE_ADDR="203.0.113.5").get("/metrics")
    assert response.status_code == 403


@override_settings(METRICS_TOKEN="scrape-token-123")
def test_a_bearer_token_opens_metrics_from_anywhere(db: Any) -> None:
    client = Client(HTTP_HOST="10.244.0.9", REMOTE_ADDR="203.0.113.5")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-123").status_code == 200


def test_request_metrics_are_labelled_by_route_name_not_by_path(actors: Any, public_client: Client) -> None:
    public_client.get("/")
    public_client.get("/no-such-page-0123456789")
    text = _scrape()
    assert 'route="<unmatched>"' in text
    assert "no-such-page" not in text
    assert "baoxiu_http_request_duration_seconds_bucket" in text


def test_the_backlog_gauge_follows_notifications_created_and_delivered(wechat_a: Any, cast: Any) -> None:
    before = _value(_scrape(), "baoxiu_notification_backlog", channel=Channel.SMS, state="pending")
    order = orders.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    event = order.events.get(transition="submit")
    notifications.notifications_fan_out(event_id=event.pk)
    pending = Notification.objects.filter(status=NotificationStatus.PENDING, channel=Channel.SMS).count()
    assert pending > 0

    collect_snapshot.apply()
    created = _scrape()
    assert (
        _value(created, "baoxiu_notification_backlog", channel=Channel.SMS, state="pending")
        == before + pending
    )
    assert _value(created, "baoxiu_notification_oldest_pending_seconds", channel=Channel.SMS) >= 0

    ids = list(Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True))
    notifications.notifications_deliver(notification_ids=ids)
    collect_snapshot.apply()
    delivered = _scrape()
    assert _value(delivered, "baoxiu_notification_backlog", channel=Channel.SMS, state="pending") == before


def test_platform_gauges_are_exposed(actors: Any) -> None:
    text = _scrape()
    assert _value(text, "baoxiu_spare_schema_pool") >= 0
    assert _value(text, "baoxiu_billing_accounts", state="trialing") >= 2
