"""``Idempotency-Key`` on the API's creating POSTs: a retry with the same key replays the first answer
(status and body) and writes nothing more; the key is per user; reusing a key for another request is
refused; expired records are purged."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from portals.api.idempotency import idempotency_records_purge
from portals.models import IdempotencyRecord
from portals.tests.orders.helpers import report_data, signed_in
from repair_forms.models import OrderPhoto, OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive, jpeg


def _values(cast: Cast, text: str = "不能打印") -> dict[str, Any]:
    brand, category, model = cast.catalog
    return {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": text,
        "service_type": "repair",
    }


def test_a_submit_retried_with_the_same_key_files_one_order_and_replays_the_answer(
    cast: Cast, actors: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    body = {"values": _values(cast)}
    first = client.post("/api/v1/portal/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/portal/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    other = client.post("/api/v1/portal/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
    with schema_context(actors.tenant_a.schema_name):
        assert RepairOrder.objects.count() == 2


def test_the_same_key_for_a_different_request_is_refused(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    client.post("/api/v1/portal/orders/", {"values": _values(cast)}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    reused = client.post(
        "/api/v1/portal/orders/",
        {"values": _values(cast, "卡纸")},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert reused.status_code == 422
    assert reused.json()["detail"] == "This Idempotency-Key was already used for a different request."


def test_keys_belong_to_one_user(cast: Cast, actors: Any) -> None:
    body = {"values": _values(cast)}
    mine = signed_in(actors.tenant_a, cast.reporter, api=True)
    theirs = signed_in(actors.tenant_a, cast.manager, api=True)
    first = mine.post("/api/v1/portal/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    second = theirs.post("/api/v1/portal/orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert first.status_code == second.status_code == 201
    assert first.json()["number"] != second.json()["number"]


def test_a_step_and_a_photo_upload_retried_with_their_keys_happen_once(cast: Cast, actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        order = drive(cast, "submitted")
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    urge_body = {"reason": "着急"}
    cancel = [
        client.post(
            f"/api/v1/portal/orders/{order.pk}/cancel/", urge_body, format="json", HTTP_IDEMPOTENCY_KEY="c"
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in cancel] == [200, 200]
    assert cancel[1].json() == cancel[0].json() and cancel[0].json()["status"] == OrderStatus.CANCELLED
    uploads = [
        client.post("/api/v1/portal/photos/", {"file": jpeg()}, format="multipart", HTTP_IDEMPOTENCY_KEY="p")
        for _ in range(2)
    ]
    assert [r.status_code for r in uploads] == [201, 201]
    assert uploads[0].json()["id"] == uploads[1].json()["id"]
    with schema_context(actors.tenant_a.schema_name):
        assert OrderPhoto.objects.filter(pk=uploads[0].json()["id"]).count() == 1


def test_records_older_than_a_day_are_purged(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    client.post(
        "/api/v1/portal/orders/", {"values": _values(cast)}, format="json", HTTP_IDEMPOTENCY_KEY="old"
    )
    with schema_context(actors.tenant_a.schema_name):
        IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
        assert idempotency_records_purge() == 1
        assert not IdempotencyRecord.objects.exists()


def test_the_report_form_sent_twice_with_its_token_files_one_order(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    page = client.get("/report/?free=1").content.decode()
    match = re.search(r'name="submit_token" value="([0-9a-f]{32})"', page)
    assert match, "the report form carries a one-time token"
    data = report_data(cast, submit_token=match.group(1))
    first = client.post("/report/", data)
    second = client.post("/report/", data)  # a double click, or a retry after an error page
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    with schema_context(actors.tenant_a.schema_name):
        assert RepairOrder.objects.count() == 1
