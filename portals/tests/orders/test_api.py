"""The order API's answers beyond the happy path: 409 for a step at the wrong moment (zh and en),
403 for the wrong role or the wrong kind of user, 404 for missing, other customers' and other
tenants' orders, 400 per field, closed reporting, the lookup, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import expire_billing, signed_in
from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive
from tests.actors import client_for, host_of


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def _values(cast: Cast, **overrides: Any) -> dict[str, Any]:
    brand, category, model = cast.catalog
    values = {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": "不能打印",
        "service_type": "repair",
    }
    values.update(overrides)
    return values


def test_a_step_at_the_wrong_moment_is_409_with_the_reason_in_both_languages(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "accepted")
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    english = client.post(
        f"/api/v1/portal/orders/{order.pk}/cancel/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 409
    assert english.json()["code"] == "wrong_status" and english.json()["transition"] == "cancel"
    assert "Allowed only when it is Pending acceptance" in english.json()["detail"]
    chinese = client.post(
        f"/api/v1/portal/orders/{order.pk}/cancel/", {"reason": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert chinese.status_code == 409 and "Allowed only" not in chinese.json()["detail"]


def test_a_role_the_lifecycle_never_allows_is_403(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    response = signed_in(actors.tenant_a, cast.supervisor, api=True).post(
        f"/api/v1/console/orders/{order.pk}/accept/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403 and response.json()["code"] == "wrong_role"
    assert "Only an administrator, a dispatcher" in response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("reporter", "get", "/api/v1/console/orders/"),
        ("reporter", "get", "/api/v1/engineer/jobs/"),
        ("engineer", "get", "/api/v1/console/orders/"),
        ("engineer", "get", "/api/v1/portal/orders/"),
        ("dispatcher", "get", "/api/v1/portal/orders/"),
        ("dispatcher", "get", "/api/v1/engineer/jobs/"),
        ("admin", "post", "/api/v1/portal/photos/"),
        ("reporter", "post", "/api/v1/engineer/photos/"),
        ("reporter", "get", "/api/v1/console/engineers/"),
        ("dispatcher", "get", "/api/v1/portal/assets/lookup/?q=NO000028"),
    ],
)
def test_the_wrong_kind_of_user_gets_403(cast: Cast, actors: Any, who: str, method: str, path: str) -> None:
    response = getattr(signed_in(actors.tenant_a, getattr(cast, who), api=True), method)(path)
    assert response.status_code == 403


def test_anonymous_callers_get_403_except_for_the_form(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, None, api=True)
    assert client.get("/api/v1/portal/orders/").status_code == 403
    assert client.get("/api/v1/console/orders/").status_code == 403
    form = client.get("/api/v1/portal/form/")
    assert form.status_code == 200 and form.json()["reporting_open"] is True


def test_orders_of_others_and_of_other_tenants_are_404(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    stranger = signed_in(actors.tenant_a, cast.loner, api=True)
    assert stranger.get(f"/api/v1/portal/orders/{order.pk}/").status_code == 404
    assert stranger.post(f"/api/v1/portal/orders/{order.pk}/urge/").status_code == 404
    other_engineer = signed_in(actors.tenant_a, cast.engineer2, api=True)
    assert other_engineer.get(f"/api/v1/engineer/jobs/{order.pk}/").status_code == 404
    assert other_engineer.post(f"/api/v1/engineer/jobs/{order.pk}/start/").status_code == 404
    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/api/v1/console/orders/{order.pk}/").status_code == 404
    assert outsider.post(f"/api/v1/console/orders/{order.pk}/accept/").status_code == 404
    on_a = client_for(actors.tenant_b, actors.outsider, host=host_of(actors.tenant_a))
    assert on_a.get(f"/api/v1/console/orders/{order.pk}/").status_code == 403
    assert (
        signed_in(actors.tenant_a, cast.admin, api=True).get("/api/v1/console/orders/999999/").status_code
        == 404
    )


def test_bad_input_is_400_per_field(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    missing = client.post(
        "/api/v1/portal/orders/",
        {"values": _values(cast, fault_description="")},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert missing.status_code == 400
    assert missing.json()["errors"]["fault_description"] == ["“Fault description” is required."]
    no_values = client.post("/api/v1/portal/orders/", {}, format="json")
    assert no_values.status_code == 400 and "values" in no_values.json()["errors"]
    stale = client.post("/api/v1/portal/orders/", {"values": _values(cast), "asset": "gone"}, format="json")
    assert stale.status_code == 400 and "asset" in stale.json()["errors"]
    with _in_a(actors):
        assert not RepairOrder.objects.exists()
        order = drive(cast, "accepted")
    office = signed_in(actors.tenant_a, cast.admin, api=True)
    bad = office.post(
        f"/api/v1/console/orders/{order.pk}/dispatch/", {"engineer": cast.dispatcher.pk}, format="json"
    )
    assert bad.status_code == 400 and "engineer" in bad.json()["errors"]
    reason = office.post(
        f"/api/v1/console/orders/{order.pk}/progress/", {"status": "cancelled", "reason": ""}, format="json"
    )
    assert reason.status_code == 400 and "reason" in reason.json()["errors"]


def test_the_reporter_edits_and_cancels_through_the_api(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    created = client.post("/api/v1/portal/orders/", {"values": _values(cast)}, format="json").json()
    edited = client.patch(
        f"/api/v1/portal/orders/{created['id']}/",
        {"values": _values(cast, fault_description="卡纸", service_type="maintenance")},
        format="json",
    )
    assert edited.status_code == 200
    assert edited.json()["fault_description"] == "卡纸" and edited.json()["service_type"] == "maintenance"
    assert [e["transition"] for e in edited.json()["timeline"]] == ["submit", "edit"]
    cancelled = client.post(
        f"/api/v1/portal/orders/{created['id']}/cancel/", {"reason": "不需要了"}, format="json"
    )
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancel_reason"] == "不需要了"
    listed = client.get("/api/v1/portal/orders/", {"tab": "cancelled"}).json()
    assert [o["id"] for o in listed["results"]] == [created["id"]] and listed["counts"]["cancelled"] == 1


def test_urging_through_the_api_follows_the_providers_hours(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        fresh = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        old = drive(cast, "submitted", start=timezone.now() - timedelta(hours=3))
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    early = client.post(f"/api/v1/portal/orders/{fresh.pk}/urge/", HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 409 and early.json()["code"] == "too_early"
    urged = client.post(f"/api/v1/portal/orders/{old.pk}/urge/")
    assert urged.status_code == 200 and urged.json()["is_urged"] is True
    assert client.post(f"/api/v1/portal/orders/{old.pk}/urge/").json()["code"] == "rate_limited"


def test_internal_notes_stay_out_of_the_customers_api(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    office = signed_in(actors.tenant_a, cast.dispatcher, api=True)
    noted = office.post(f"/api/v1/console/orders/{order.pk}/notes/", {"note": "客户难沟通"}, format="json")
    assert noted.status_code == 200 and noted.json()["timeline"][-1]["internal"] is True
    customer_view = signed_in(actors.tenant_a, cast.reporter, api=True).get(
        f"/api/v1/portal/orders/{order.pk}/"
    )
    assert "客户难沟通" not in customer_view.content.decode()


def test_suspension_through_the_api(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "in_progress")
    engineer = signed_in(actors.tenant_a, cast.engineer, api=True)
    asked = engineer.post(f"/api/v1/engineer/jobs/{order.pk}/suspend/", {"reason": "缺配件"}, format="json")
    assert asked.status_code == 200 and asked.json()["suspensions"][0]["decision"] == "pending"
    supervisor = signed_in(actors.tenant_a, cast.supervisor, api=True)
    rejected = supervisor.post(
        f"/api/v1/console/orders/{order.pk}/reject-suspension/", {"reason": "先修"}, format="json"
    )
    assert rejected.json()["suspensions"][0]["decision"] == "rejected"
    engineer.post(f"/api/v1/engineer/jobs/{order.pk}/suspend/", {"reason": "还是缺配件"}, format="json")
    approved = supervisor.post(f"/api/v1/console/orders/{order.pk}/approve-suspension/", {}, format="json")
    assert approved.json()["status"] == "suspended"
    resumed = engineer.post(f"/api/v1/engineer/jobs/{order.pk}/resume/", {}, format="json")
    assert resumed.json()["status"] == "in_progress"


def test_a_closed_provider_refuses_new_reports_with_its_phone(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        from accounts.models import ProviderProfile

        ProviderProfile.objects.get_or_create(pk=1)
        ProviderProfile.objects.filter(pk=1).update(contact_phone="020-12345678")
    expire_billing(actors.tenant_a)
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    assert client.get("/api/v1/portal/form/").json()["reporting_open"] is False
    response = client.post(
        "/api/v1/portal/orders/", {"values": _values(cast)}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert client.get("/api/v1/portal/orders/").status_code == 200  # existing orders stay readable
    with _in_a(actors):
        assert not RepairOrder.objects.exists()


def test_the_lookup_finds_machines_and_says_when_it_does_not(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter, api=True)
    found = client.get("/api/v1/portal/assets/lookup/", {"q": "no000028"}).json()
    assert "token" not in found and found["values"]["machine_no"] == "NO000028"
    missing = client.get("/api/v1/portal/assets/lookup/", {"q": "nothing"}, HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404 and "free_form_reporting" in missing.json()


def test_list_apis_cost_the_same_queries_for_many_orders(
    cast: Cast, actors: Any, django_assert_max_num_queries: Any
) -> None:
    office = signed_in(actors.tenant_a, cast.admin, api=True)
    reporter = signed_in(actors.tenant_a, cast.reporter, api=True)
    engineer = signed_in(actors.tenant_a, cast.engineer, api=True)
    with _in_a(actors):
        drive(cast, "dispatched")
    for client, path in (
        (office, "/api/v1/console/orders/"),
        (reporter, "/api/v1/portal/orders/"),
        (engineer, "/api/v1/engineer/jobs/"),
    ):
        client.get(path)
        with django_assert_max_num_queries(24):
            client.get(path)
    with _in_a(actors):
        for _ in range(20):
            drive(cast, "dispatched")
    for client, path in (
        (office, "/api/v1/console/orders/"),
        (reporter, "/api/v1/portal/orders/"),
        (engineer, "/api/v1/engineer/jobs/"),
    ):
        with django_assert_max_num_queries(24):
            response = client.get(path)
        assert len(response.json()["results"]) == 21


def test_the_openapi_document_describes_every_order_endpoint(cast: Cast, actors: Any) -> None:
    schema = signed_in(actors.tenant_a, None).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    for path in (
        "/api/v1/portal/form/",
        "/api/v1/portal/orders/{id}/rate/",
        "/api/v1/console/orders/{id}/dispatch/",
        "/api/v1/engineer/jobs/{id}/job-sheet/",
    ):
        assert path in text, path
    assert "portal_order_submit" in text and "engineer_job_submit_job_sheet" in text


def test_the_order_stays_consistent_after_an_api_refusal(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    engineer = signed_in(actors.tenant_a, cast.engineer, api=True)
    assert engineer.post(f"/api/v1/engineer/jobs/{order.pk}/start/").status_code == 404  # not his job
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.SUBMITTED and order.events.count() == 1
