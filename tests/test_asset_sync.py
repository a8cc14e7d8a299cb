"""Done when (issue 7): a premium provider binds a (fake) Snipe-IT in the console, a customer
reports by a serial that exists only there, the order appears there as a maintenance, completing
the maintenance there completes the order here — by webhook and by the periodic pull — and the
reporter's notifications are produced through the normal outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from integrations.asset_systems import tasks
from integrations.asset_systems.models import AssetSystemBinding, ExternalOrderLink, PushStatus
from integrations.asset_systems.services import binding_defaults
from integrations.asset_systems.tests.conftest import _snipeit_server  # noqa: F401 (session fixture)
from integrations.asset_systems.tests.fakes import SnipeItFake
from integrations.asset_systems.tests.helpers import current_schema, dumps, set_plan, signed_headers
from integrations.models import Notification
from portals.order_ui import lookup_asset
from repair_forms.lifecycle import Actor, NotifyRole
from repair_forms.models import AssetSource, OrderEvent, OrderStatus
from repair_forms.services import order_submit
from repair_forms.tests.helpers import Cast, make_cast
from tests.actors import client_for

S = OrderStatus
SERIAL = "CN-ONLY-IN-SNIPEIT"


@pytest.fixture
def snipeit(_snipeit_server: SnipeItFake, settings: Any) -> SnipeItFake:  # noqa: F811
    settings.ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = True
    _snipeit_server.reset()
    return _snipeit_server


@pytest.fixture
def cast(actors: Any) -> Iterator[Cast]:
    set_plan(actors.tenant_a, "premium")
    with schema_context(actors.tenant_a.schema_name):
        yield make_cast(actors)


def console_post(actors: Any, name: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    client = client_for(actors.tenant_a, actors.owner_a)
    with schema_context(current_schema()):  # the request switches schemas; come back after
        return client.post(reverse(name, kwargs=kwargs or None), data or {})


def bind_in_console(actors: Any, cast: Cast, fake: SnipeItFake) -> AssetSystemBinding:
    defaults = binding_defaults("snipeit")
    response = console_post(
        actors,
        "console:sync-new",
        {
            "name": "Snipe-IT",
            "kind": "snipeit",
            "base_url": fake.url,
            "auth_mode": "bearer",
            "secret": fake.token,
            "engineer": cast.engineer.pk,
            "options": json.dumps(defaults["options"]),
            "field_mapping": json.dumps(defaults["field_mapping"]),
            "status_mapping": json.dumps(defaults["status_mapping"]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    binding = AssetSystemBinding.objects.get()
    tested = console_post(actors, "console:sync-test", pk=binding.pk)
    assert tested.status_code == 302
    console_post(actors, "console:sync-toggle", {"enabled": "1"}, pk=binding.pk)
    binding.refresh_from_db()
    assert binding.enabled and binding.last_test_ok
    return binding


def report_by_serial(cast: Cast, capture: Any) -> Any:
    asset = lookup_asset(SERIAL)  # what the portal's 快捷报修 lookup calls
    assert asset is not None and asset.source == AssetSource.EXTERNAL
    with capture(execute=True):
        return order_submit(
            actor=Actor.for_customer(cast.reporter),
            data=cast.form_data(serial=SERIAL, machine={}, fault_description="开机报错 E05"),
            asset=asset,
        )


def assert_reporter_told(order: Any, cast: Cast) -> None:
    told = OrderEvent.objects.filter(order=order, notify_roles__contains=[NotifyRole.REPORTER]).exclude(
        transition="submit"
    )
    assert told.exists()
    assert Notification.objects.filter(event__in=told, customer=cast.reporter).exists()


def test_a_completion_sent_by_webhook_completes_the_order_and_tells_the_reporter(
    actors, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.add_asset(
        asset_tag="ZC-9001", serial=SERIAL, manufacturer="理光", category="复印机", model="MP 2555"
    )
    binding = bind_in_console(actors, cast, snipeit)

    order = report_by_serial(cast, django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.PUSHED
    maintenance = snipeit.maintenances[int(link.external_id)]
    assert maintenance["asset"]["serial"] == SERIAL and order.number in maintenance["title"]

    body = dumps(snipeit.complete(int(link.external_id), notes="更换定影器"))
    with django_capture_on_commit_callbacks(execute=True), schema_context(current_schema()):
        response = client_for(actors.tenant_a).post(
            reverse("asset-webhook", kwargs={"binding_id": binding.pk}),
            data=body,
            content_type="application/json",
            **signed_headers(binding, body),
        )

    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert_reporter_told(order, cast)


def test_a_completion_found_by_the_periodic_pull_completes_the_order_and_tells_the_reporter(
    actors, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.add_asset(asset_tag="ZC-9002", serial=SERIAL)
    bind_in_console(actors, cast, snipeit)
    order = report_by_serial(cast, django_capture_on_commit_callbacks)
    link = ExternalOrderLink.objects.get(order=order)
    snipeit.complete(int(link.external_id))

    with django_capture_on_commit_callbacks(execute=True), schema_context(current_schema()):
        tasks.pull_all()  # the beat job: every tenant, each in its schema

    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert_reporter_told(order, cast)
