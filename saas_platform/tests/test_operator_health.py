"""The operator's health page and per-provider audit trail (public host, superusers only)."""

from __future__ import annotations

from typing import Any

from axes.models import AccessFailureLog
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from integrations.models import Channel, Notification, NotificationStatus
from integrations.notifications import services as notifications
from integrations.tests.wechat_fixtures import *  # noqa: F403
from repair_forms import services as orders
from tests.actors import public_host


def _operator(superuser: bool = True) -> Client:
    """A signed-in operator (users and sessions of the console live in the public schema)."""
    client = Client(HTTP_HOST=public_host())
    with schema_context("public"):
        user = get_user_model().objects.create_user(
            username="ops" if superuser else "helper",
            password="pw-123456",
            is_staff=True,
            is_superuser=superuser,
        )
        client.force_login(user)
    return client


def test_the_health_page_shows_the_backlog_failures_by_provider_and_the_24h_chart(
    wechat_a: Any, cast: Any, actors: Any
) -> None:
    order = orders.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    notifications.notifications_fan_out(event_id=order.events.get(transition="submit").pk)
    Notification.objects.filter(channel=Channel.SMS).update(status=NotificationStatus.FAILED)
    failed = Notification.objects.filter(status=NotificationStatus.FAILED).count()
    assert failed > 0

    page = _operator().get("/operator/health/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Notification outbox by channel" in text
    assert actors.tenant_a.name in text  # among the providers with the most failed deliveries
    assert f"/operator/tenants/provider/{actors.tenant_a.pk}/change/" in text
    assert "<svg" in text and f"{failed} failed" in text
    assert "Spare schemas ready for signups" in text


def test_the_health_page_is_for_superusers_only(db: Any) -> None:
    assert _operator(superuser=False).get("/operator/health/").status_code == 403
    anonymous = Client(HTTP_HOST=public_host()).get("/operator/health/")
    assert anonymous.status_code == 302 and "/operator/login/" in anonymous["Location"]


def test_the_audit_trail_lists_and_searches_one_providers_failed_sign_ins(actors: Any) -> None:
    schema = actors.tenant_a.schema_name
    AccessFailureLog.objects.create(
        username=f"{schema}:13800000001", ip_address="203.0.113.9", user_agent="t"
    )
    AccessFailureLog.objects.create(
        username=f"{actors.tenant_b.schema_name}:13900000002", ip_address="198.51.100.1"
    )
    client = _operator()
    page = client.get(f"/operator/audit/?provider={actors.tenant_a.pk}", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "203.0.113.9" in text and "Failed sign-in" in text
    assert "198.51.100.1" not in text  # another provider's rows stay out
    searched = client.get(
        f"/operator/audit/?provider={actors.tenant_a.pk}&q=198.51", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "No audit rows match." in searched.content.decode()
