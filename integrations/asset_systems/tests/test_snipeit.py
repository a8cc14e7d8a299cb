"""The Snipe-IT adapter against the loopback fake built from Snipe-IT's documented API v1."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from integrations.asset_systems import services
from integrations.asset_systems.lookup import asset_lookup_anywhere
from integrations.asset_systems.models import (
    ExternalOrderLink,
    PushStatus,
    SyncLogEntry,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.tests.helpers import bind_snipeit
from repair_forms import services as order_services
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, AssetSource, OrderEvent, OrderStatus

S = OrderStatus


def report(cast: Any, asset: Asset | None, serial: str, django_capture_on_commit_callbacks: Any) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        return order_services.order_submit(
            actor=Actor.for_customer(cast.reporter),
            data=cast.form_data(serial=serial, machine={}, fault_description="卡纸,打印有黑线"),
            asset=asset,
        )


def test_a_serial_known_only_to_snipeit_becomes_a_local_external_asset(premium, cast, snipeit):
    row = snipeit.add_asset(
        asset_tag="ZC-0042",
        serial="CN-SNIPE-001",
        manufacturer="惠普",
        category="打印机",
        model="M404dn",
        location="杭州西湖区三墩镇",
        warranty_expires="2027-06-30",
    )
    bind_snipeit(cast.admin, snipeit)

    asset = asset_lookup_anywhere("cn-snipe-001")

    assert asset is not None
    assert asset.source == AssetSource.EXTERNAL and asset.external_id == str(row["id"])
    assert asset.machine_no == "ZC-0042" and asset.serials == ["CN-SNIPE-001"]
    assert (str(asset.brand), str(asset.category), str(asset.model)) == ("惠普", "打印机", "M404dn")
    assert asset.location_address == "杭州西湖区三墩镇"
    assert str(asset.warranty_ends_on) == "2027-06-30"
    assert snipeit.calls("GET", "/api/v1/hardware/byserial/CN-SNIPE-001") or snipeit.calls(
        "GET", "/api/v1/hardware/byserial/cn-snipe-001"
    )


def test_the_second_lookup_is_answered_locally(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-0043", serial="CN-SNIPE-002")
    bind_snipeit(cast.admin, snipeit)
    first = asset_lookup_anywhere("CN-SNIPE-002")
    calls = len(snipeit.requests)

    again = asset_lookup_anywhere("ZC-0043")

    assert again == first
    assert len(snipeit.requests) == calls
    assert Asset.objects.filter(source=AssetSource.EXTERNAL).count() == 1


def test_an_asset_tag_is_found_through_the_search_endpoint(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-0100", serial="CN-OTHER-9")
    bind_snipeit(cast.admin, snipeit)

    asset = asset_lookup_anywhere("ZC-0100")

    assert asset is not None and asset.machine_no == "ZC-0100"
    assert snipeit.calls("GET", "/api/v1/hardware")[-1].query["search"] == ["ZC-0100"]


def test_a_partial_search_hit_is_not_taken_for_the_machine(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-01001", serial="CN-OTHER-10")
    bind_snipeit(cast.admin, snipeit)

    assert asset_lookup_anywhere("ZC-0100") is None
    assert not Asset.objects.filter(source=AssetSource.EXTERNAL).exists()


def test_a_miss_answers_none_and_is_logged_as_a_normal_call(premium, cast, snipeit):
    bind_snipeit(cast.admin, snipeit)

    assert asset_lookup_anywhere("NOPE-123") is None
    entries = SyncLogEntry.objects.filter(operation=SyncOperation.LOOKUP)
    assert entries.count() == 2  # byserial, then search
    assert set(entries.values_list("result", flat=True)) == {SyncResult.OK}


def test_a_revoked_token_never_breaks_the_lookup_and_is_logged_readably(premium, cast, snipeit):
    bind_snipeit(cast.admin, snipeit)
    snipeit.add_asset(asset_tag="ZC-7", serial="CN-7")
    old_token = snipeit.token
    snipeit.token = "rotated"

    assert asset_lookup_anywhere("CN-7") is None
    entry = SyncLogEntry.objects.get(operation=SyncOperation.LOOKUP)
    assert entry.result == SyncResult.FAILED and entry.http_status == 401
    assert "401" in entry.error
    assert old_token not in entry.error + entry.request_summary


def test_a_new_order_is_pushed_as_a_maintenance_on_the_snipeit_asset(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    row = snipeit.add_asset(asset_tag="ZC-0200", serial="CN-PUSH-1")
    bind_snipeit(cast.admin, snipeit)
    asset = asset_lookup_anywhere("CN-PUSH-1")

    order = report(cast, asset, "CN-PUSH-1", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.PUSHED
    maintenance = snipeit.maintenances[int(link.external_id)]
    assert maintenance["asset"]["id"] == row["id"]
    assert maintenance["title"].startswith(order.number)
    assert maintenance["asset_maintenance_type"] == "Repair"
    assert maintenance["start_date"]["date"] == timezone.localdate(order.submitted_at).isoformat()
    order.refresh_from_db()
    assert order.external_ref == link.external_id


def test_snipeit_validation_errors_fail_the_push_with_its_messages(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.require_supplier = True
    snipeit.add_asset(asset_tag="ZC-0300", serial="CN-PUSH-2")
    bind_snipeit(cast.admin, snipeit)
    asset = asset_lookup_anywhere("CN-PUSH-2")

    order = report(cast, asset, "CN-PUSH-2", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.FAILED
    assert "supplier id field is required" in link.last_error
    assert order.status == S.SUBMITTED  # the customer's report stands


def test_a_supplier_option_satisfies_older_snipeit_versions(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.require_supplier = True
    snipeit.add_asset(asset_tag="ZC-0301", serial="CN-PUSH-3")
    bind_snipeit(cast.admin, snipeit, options={"maintenance_type": "Maintenance", "supplier_id": 7})
    asset = asset_lookup_anywhere("CN-PUSH-3")

    order = report(cast, asset, "CN-PUSH-3", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.PUSHED
    body = snipeit.calls("POST", "/api/v1/maintenances")[-1].body
    assert body["supplier_id"] == 7 and body["asset_maintenance_type"] == "Maintenance"


def test_an_order_for_a_machine_snipeit_does_not_have_is_not_sent(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    bind_snipeit(cast.admin, snipeit)

    order = report(cast, None, "SN-00000168", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.SKIPPED
    assert "not there" in link.last_error or "不在" in link.last_error
    assert not snipeit.calls("POST", "/api/v1/maintenances")


def test_a_local_asset_known_to_snipeit_by_serial_is_pushed_on_that_asset(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    row = snipeit.add_asset(asset_tag="NO000028", serial="SN-00000168")
    bind_snipeit(cast.admin, snipeit)

    order = report(cast, cast.asset, "SN-00000168", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.PUSHED
    assert link.external_asset_id == str(row["id"])


def test_completing_the_maintenance_completes_the_order_on_the_next_pull(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.add_asset(asset_tag="ZC-0400", serial="CN-PULL-1")
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    asset = asset_lookup_anywhere("CN-PULL-1")
    order = report(cast, asset, "CN-PULL-1", django_capture_on_commit_callbacks)
    link = ExternalOrderLink.objects.get(order=order)

    assert services.binding_pull(binding=binding) == 0  # open in Snipe-IT: mapped to "ignore"
    order.refresh_from_db()
    assert order.status == S.SUBMITTED

    snipeit.complete(int(link.external_id), notes="更换定影组件")
    binding.refresh_from_db()
    services.binding_pull(binding=binding)

    order.refresh_from_db()
    assert order.status == S.COMPLETED
    steps = list(OrderEvent.objects.filter(order=order).values_list("transition", flat=True))
    assert steps == ["submit", "accept", "dispatch", "start", "submit_job_sheet", "confirm_completion"]
    assert order.work_orders.get().work_done == "更换定影组件"  # Snipe-IT's notes become the job sheet
    binding.refresh_from_db()
    assert binding.pull_cursor
    # The next pull sees nothing newer: no duplicate events.
    services.binding_pull(binding=binding)
    assert OrderEvent.objects.filter(order=order).count() == 6


def test_older_snipeit_without_completed_at_completes_by_completion_date(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.modern = False
    snipeit.add_asset(asset_tag="ZC-0401", serial="CN-PULL-2")
    binding = bind_snipeit(cast.admin, snipeit, engineer=cast.engineer)
    asset = asset_lookup_anywhere("CN-PULL-2")
    order = report(cast, asset, "CN-PULL-2", django_capture_on_commit_callbacks)
    link = ExternalOrderLink.objects.get(order=order)

    snipeit.complete(int(link.external_id))
    services.binding_pull(binding=binding)

    order.refresh_from_db()
    assert order.status == S.COMPLETED


def test_without_an_engineer_for_external_work_the_completion_is_refused_and_logged(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    snipeit.add_asset(asset_tag="ZC-0402", serial="CN-PULL-3")
    binding = bind_snipeit(cast.admin, snipeit)
    asset = asset_lookup_anywhere("CN-PULL-3")
    order = report(cast, asset, "CN-PULL-3", django_capture_on_commit_callbacks)
    link = ExternalOrderLink.objects.get(order=order)

    snipeit.complete(int(link.external_id))
    services.binding_pull(binding=binding)

    order.refresh_from_db()
    assert order.status == S.SUBMITTED  # all or nothing: not left half-way
    entry = SyncLogEntry.objects.filter(operation=SyncOperation.APPLY).latest("id")
    assert entry.result == SyncResult.FAILED
    assert order.number in entry.error


def test_the_connection_test_reads_the_asset_count(premium, cast, snipeit):
    snipeit.add_asset(asset_tag="ZC-1", serial="S-1")
    binding = bind_snipeit(cast.admin, snipeit, enabled=False)

    result = services.binding_test(actor=cast.admin, binding=binding)

    assert result.ok and "1" in result.message
    binding.refresh_from_db()
    assert binding.last_test_ok is True


def test_the_connection_test_explains_a_wrong_token(premium, cast, snipeit):
    binding = bind_snipeit(cast.admin, snipeit, enabled=False, token="wrong-token")

    result = services.binding_test(actor=cast.admin, binding=binding)

    assert not result.ok and "401" in result.message


def test_a_cached_asset_deleted_in_snipeit_is_found_again_by_serial(
    premium, cast, snipeit, django_capture_on_commit_callbacks
):
    old = snipeit.add_asset(asset_tag="ZC-0500", serial="CN-MOVED-1")
    bind_snipeit(cast.admin, snipeit)
    asset = asset_lookup_anywhere("CN-MOVED-1")
    old["deleted_at"] = {"datetime": "2026-03-01 10:00:00", "formatted": "2026-03-01 10:00"}
    again = snipeit.add_asset(asset_tag="ZC-0501", serial="CN-MOVED-1")

    order = report(cast, asset, "CN-MOVED-1", django_capture_on_commit_callbacks)

    link = ExternalOrderLink.objects.get(order=order)
    assert link.push_status == PushStatus.PUSHED
    assert snipeit.maintenances[int(link.external_id)]["asset"]["id"] == again["id"]
    assert snipeit.calls("GET", f"/api/v1/hardware/{old['id']}")
