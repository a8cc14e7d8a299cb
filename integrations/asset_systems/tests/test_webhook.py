"""The status webhook on the provider's host: signed, fresh, never replayed, and scoped to the
provider whose host it is."""

from __future__ import annotations

import time
from typing import Any

from django.urls import reverse
from django_tenants.utils import schema_context

from integrations.asset_systems.lookup import asset_lookup_anywhere
from integrations.asset_systems.models import ExternalOrderLink, SyncLogEntry, SyncOperation, SyncResult
from integrations.asset_systems.services.webhook import webhook_refusals_today
from integrations.asset_systems.tests.helpers import (
    bind_snipeit,
    current_schema,
    dumps,
    set_plan,
    signed_headers,
)
from repair_forms import services as order_services
from repair_forms.lifecycle import Actor
from repair_forms.models import OrderStatus
from tests.actors import client_for

S = OrderStatus


def pushed(cast: Any, snipeit: Any, capture: Any, serial: str = "CN-HOOK-1") -> tuple[Any, ExternalOrderLink]:
    snipeit.add_asset(asset_tag=serial.replace("CN", "ZC"), serial=serial)
    asset = asset_lookup_anywhere(serial)
    with capture(execute=True):
        order = order_services.order_submit(
            actor=Actor.for_customer(cast.reporter),
            data=cast.form_data(serial=serial, machine={}),
            asset=asset,
        )
    return order, ExternalOrderLink.objects.get(order=order)


def post(actors: Any, binding_id: int, body: bytes, headers: dict[str, Any], *, provider: Any = None) -> Any:
    client = client_for(provider or actors.tenant_a)
    url = reverse("asset-webhook", kwargs={"binding_id": binding_id})
    with schema_context(current_schema()):  # the request switches schemas; come back after
        return client.post(url, data=body, content_type="application/json", **headers)


def test_a_signed_completion_completes_the_order(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))

    response = post(actors, binding.pk, body, signed_headers(binding, body))

    assert response.status_code == 200, response.content
    assert response.json()["results"][0]["result"] == "ok"
    order.refresh_from_db()
    assert order.status == S.COMPLETED


def test_a_forged_signature_is_refused_and_changes_nothing(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))
    headers = signed_headers(binding, body)
    headers["HTTP_X_BAOXIU_SIGNATURE"] = "sha256=" + "0" * 64

    response = post(actors, binding.pk, body, headers)

    assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == S.SUBMITTED
    # Unverified: counted, not written to the provider's sync log.
    assert not SyncLogEntry.objects.filter(
        operation=SyncOperation.WEBHOOK, result=SyncResult.REFUSED
    ).exists()
    assert webhook_refusals_today(binding) == 1


def test_unsigned_posts_add_no_rows_to_the_sync_log_only_a_counter(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    rows_before = SyncLogEntry.objects.count()
    for n in range(20):
        assert post(actors, binding.pk, dumps({"id": n}), {}).status_code == 400
    headers = {"HTTP_X_BAOXIU_TIMESTAMP": str(int(time.time())), "HTTP_X_BAOXIU_SIGNATURE": "sha256=00"}
    assert post(actors, binding.pk, b"{}", headers).status_code == 401
    assert SyncLogEntry.objects.count() == rows_before
    assert webhook_refusals_today(binding) == 21


def test_a_body_changed_after_signing_is_refused(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    signed_for = dumps({"id": int(link.external_id), "completed_at": None})
    tampered = dumps(snipeit.complete(int(link.external_id)))

    response = post(actors, binding.pk, tampered, signed_headers(binding, signed_for))

    assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_a_stale_timestamp_is_refused(actors, premium, cast, snipeit, django_capture_on_commit_callbacks):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))

    response = post(actors, binding.pk, body, signed_headers(binding, body, timestamp=int(time.time()) - 301))

    assert response.status_code == 401
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_a_replayed_delivery_is_refused(actors, premium, cast, snipeit, django_capture_on_commit_callbacks):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))
    headers = signed_headers(binding, body, delivery="dlv-1")
    assert post(actors, binding.pk, body, headers).status_code == 200

    replay = post(actors, binding.pk, body, headers)

    assert replay.status_code == 409
    assert SyncLogEntry.objects.filter(operation=SyncOperation.WEBHOOK, result=SyncResult.REFUSED).exists()


def test_a_rotated_secret_invalidates_the_old_one(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    from integrations.asset_systems.services import binding_rotate_webhook_secret

    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))
    old_headers = signed_headers(binding, body)
    binding_rotate_webhook_secret(actor=cast.admin, binding=binding)

    assert post(actors, binding.pk, body, old_headers).status_code == 401


def test_a_disabled_binding_or_lapsed_plan_refuses_deliveries(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))
    set_plan(actors.tenant_a, "basic")

    assert post(actors, binding.pk, body, signed_headers(binding, body)).status_code == 403
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_only_post_is_accepted(actors, premium, cast, snipeit):
    binding = bind_snipeit(cast.admin, snipeit)
    with schema_context(current_schema()):
        response = client_for(actors.tenant_a).get(
            reverse("asset-webhook", kwargs={"binding_id": binding.pk})
        )
    assert response.status_code == 405


def test_another_providers_host_does_not_know_the_binding(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))

    response = post(actors, binding.pk, body, signed_headers(binding, body), provider=actors.tenant_b)

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == S.SUBMITTED


def test_one_providers_binding_never_reaches_another_providers_orders(
    actors, premium, cast, snipeit, django_capture_on_commit_callbacks
):
    """B binds the same Snipe-IT: a completion it receives for A's maintenance id finds no order."""
    bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    order, link = pushed(cast, snipeit, django_capture_on_commit_callbacks)
    body = dumps(snipeit.complete(int(link.external_id)))
    set_plan(actors.tenant_b, "premium")
    with schema_context(actors.tenant_b.schema_name):
        from accounts.models import StaffMember

        b_binding = bind_snipeit(StaffMember.objects.get(pk=actors.outsider.pk), snipeit)

    response = post(actors, b_binding.pk, body, signed_headers(b_binding, body), provider=actors.tenant_b)

    assert response.status_code == 200
    assert response.json()["results"][0]["result"] == "refused"
    order.refresh_from_db()
    assert order.status == S.SUBMITTED
    with schema_context(actors.tenant_b.schema_name):
        assert not ExternalOrderLink.objects.exists()


def test_old_delivery_ids_and_log_rows_are_pruned(premium, cast, snipeit):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.asset_systems.models import WebhookDelivery
    from integrations.asset_systems.services import sync_prune

    binding = bind_snipeit(cast.admin, snipeit)
    now = timezone.now()
    WebhookDelivery.objects.create(binding=binding, delivery_id="old", received_at=now - timedelta(hours=1))
    WebhookDelivery.objects.create(binding=binding, delivery_id="new", received_at=now)
    SyncLogEntry.objects.create(
        binding=binding, operation="pull", result="ok", created_at=now - timedelta(days=91)
    )
    SyncLogEntry.objects.create(binding=binding, operation="pull", result="ok", created_at=now)

    sync_prune(now=now)

    assert list(WebhookDelivery.objects.values_list("delivery_id", flat=True)) == ["new"]
    assert SyncLogEntry.objects.count() == 1
