"""一葫芦 / asset-system screens in the console: premium only, admins bind, credentials never shown
again, readable connection tests and mapping errors, the sync log with retries."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.models import StaffMember, StaffRole
from accounts.services import staff_create
from integrations.asset_systems.models import AssetSystemBinding, ExternalOrderLink, PushStatus, SyncLogEntry
from integrations.asset_systems.services import binding_defaults
from integrations.asset_systems.tests.conftest import _snipeit_server  # noqa: F401 (session fixture)
from integrations.asset_systems.tests.fakes import SnipeItFake
from integrations.asset_systems.tests.helpers import bind_snipeit, current_schema, set_plan
from portals.tests.helpers import text_of
from tests.actors import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def snipeit(_snipeit_server: SnipeItFake, settings: Any) -> SnipeItFake:  # noqa: F811
    settings.ASSET_SYNC_ALLOW_PRIVATE_NETWORKS = True  # the fake listens on 127.0.0.1
    _snipeit_server.reset()
    return _snipeit_server


def form_data(fake: Any, **overrides: Any) -> dict[str, Any]:
    defaults = binding_defaults("snipeit")
    data = {
        "name": "Snipe-IT",
        "kind": "snipeit",
        "base_url": fake.url,
        "auth_mode": "bearer",
        "username": "",
        "header_name": "",
        "secret": fake.token,
        "engineer": "",
        "options": json.dumps(defaults["options"]),
        "field_mapping": json.dumps(defaults["field_mapping"]),
        "status_mapping": json.dumps(defaults["status_mapping"]),
    }
    data.update(overrides)
    return data


def owner(actors: Any) -> Any:
    return client_for(actors.tenant_a, actors.owner_a)


def in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def test_without_premium_the_admin_sees_the_upgrade_prompt(actors):
    response = owner(actors).get(reverse("console:sync"))

    assert response.status_code == 403
    assert reverse("console:account") in response.content.decode()


def test_the_admin_binds_snipeit_and_the_token_is_never_shown_again(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    client = owner(actors)

    response = client.post(reverse("console:sync-new"), form_data(snipeit))

    assert response.status_code == 302
    with in_a(actors):
        binding = AssetSystemBinding.objects.get()
        assert not binding.enabled
        assert binding.secret == snipeit.token
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert snipeit.token not in page.content.decode()
    assert snipeit.token[-4:] in page.content.decode()  # the hint: ••••••last4
    assert reverse("asset-webhook", kwargs={"binding_id": binding.pk}) in page.content.decode()


def test_the_connection_test_result_is_readable(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    snipeit.add_asset(asset_tag="ZC-1", serial="S-1")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit, enabled=False)
    client = owner(actors)

    page = client.post(reverse("console:sync-test", kwargs={"pk": binding.pk}), follow=True)

    assert "Snipe-IT" in text_of(page) and "1" in text_of(page)
    snipeit.token = "rotated"
    page = client.post(reverse("console:sync-test", kwargs={"pk": binding.pk}), follow=True)
    assert "401" in text_of(page)


def test_switching_the_sync_on_and_off(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit, enabled=False)
    client = owner(actors)

    client.post(reverse("console:sync-toggle", kwargs={"pk": binding.pk}), {"enabled": "1"})
    with in_a(actors):
        assert AssetSystemBinding.objects.get().enabled
    client.post(reverse("console:sync-toggle", kwargs={"pk": binding.pk}), {"enabled": "0"})
    with in_a(actors):
        assert not AssetSystemBinding.objects.get().enabled


def test_broken_json_and_unknown_statuses_are_explained_and_nothing_is_saved(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    client = owner(actors)

    response = client.post(
        reverse("console:sync-new"),
        form_data(snipeit, status_mapping='{"completed": "completed",}', options='{"supplier_id": "abc"}'),
    )

    assert response.status_code == 400
    text = text_of(response)
    assert "JSON" in text and "1" in text  # says where it breaks
    with in_a(actors):
        assert not AssetSystemBinding.objects.exists()

    response = client.post(
        reverse("console:sync-new"), form_data(snipeit, status_mapping='{"completed": "done"}')
    )
    assert response.status_code == 400
    assert "done" in text_of(response)
    assert snipeit.token not in response.content.decode()  # the typed secret is not echoed back


def test_saving_without_a_new_secret_keeps_the_old_one(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit)
    response = owner(actors).post(
        reverse("console:sync-binding", kwargs={"pk": binding.pk}),
        form_data(snipeit, secret="", name="资产库"),
    )
    assert response.status_code == 302
    with in_a(actors):
        binding.refresh_from_db()
        assert binding.name == "资产库" and binding.secret == snipeit.token


def test_staff_without_the_right_get_403(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit)
        dispatcher = staff_create(phone="13700005551", password="secret-123", role=StaffRole.DISPATCHER)
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.get(reverse("console:sync")).status_code == 403
    assert engineer.get(reverse("console:sync-log")).status_code == 403
    desk = client_for(actors.tenant_a, dispatcher)
    assert desk.get(reverse("console:sync-log")).status_code == 200
    assert desk.get(reverse("console:sync-binding", kwargs={"pk": binding.pk})).status_code == 403
    assert (
        desk.post(reverse("console:sync-toggle", kwargs={"pk": binding.pk}), {"enabled": "0"}).status_code
        == 403
    )


def test_another_provider_gets_404_for_our_binding_and_links(actors, snipeit):
    set_plan(actors.tenant_a, "premium")
    set_plan(actors.tenant_b, "premium")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit)
    outsider = client_for(actors.tenant_b, actors.outsider)
    with schema_context(current_schema()):
        assert outsider.get(reverse("console:sync-binding", kwargs={"pk": binding.pk})).status_code == 404
        assert outsider.post(reverse("console:sync-test", kwargs={"pk": binding.pk})).status_code == 404
        assert outsider.post(reverse("console:sync-retry", kwargs={"pk": 1})).status_code == 404


def test_the_sync_log_lists_calls_and_retries_a_failed_push(
    actors, snipeit, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from accounts.services import customer_get_or_create
    from repair_forms.models import RepairOrder

    set_plan(actors.tenant_a, "premium")
    row = snipeit.add_asset(asset_tag="ZC-9", serial="CN-9")
    with in_a(actors):
        binding = bind_snipeit(StaffMember.objects.get(pk=actors.owner_a.pk), snipeit)
        customer = customer_get_or_create(phone="13700005552", name="客户")
        order = RepairOrder.objects.create(
            number="BX-20260301-00009", reporter=customer, serial="CN-9", fault_description="卡纸"
        )
        link = ExternalOrderLink.objects.create(
            binding=binding,
            order=order,
            external_asset_id=str(row["id"]),
            push_status=PushStatus.FAILED,
            attempts=8,
            last_error="Snipe-IT 不可用",
        )
        for _ in range(30):
            SyncLogEntry.objects.create(binding=binding, operation="lookup", result="failed", error="超时")
    client = owner(actors)

    with django_assert_max_num_queries(20):
        page = client.get(reverse("console:sync-log"))
    assert page.status_code == 200
    assert "BX-20260301-00009" in text_of(page) and "Snipe-IT 不可用" in text_of(page)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("console:sync-retry", kwargs={"pk": link.pk}))
    with in_a(actors):
        link.refresh_from_db()
        assert link.push_status == PushStatus.PUSHED and link.attempts == 1
    assert snipeit.maintenances[int(link.external_id)]["asset"]["id"] == row["id"]
