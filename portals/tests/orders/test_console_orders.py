"""报修单列表 in the console: the seed's columns, filters, keyset pages, the CSV export, one order
with the steps the signed-in role may take, refusals (403 wrong role, 409 wrong moment) and the
dashboard."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import signed_in, text_of
from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive, jpeg


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def test_the_order_list_shows_the_seed_columns(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
        RepairOrder.objects.filter(pk=order.pk).update(
            machine_no="NO000028", serial="SN-00000168", notes="三楼", warranty_status="contract"
        )
    page = text_of(
        signed_in(actors.tenant_a, cast.dispatcher).get("/console/orders/", HTTP_ACCEPT_LANGUAGE="en")
    )
    for column in (
        "Order number", "Progress", "Reported at", "Brand", "Category", "Model", "Machine number",
        "Serial number", "Fault description", "Service type", "Warranty", "Appointment", "Notes",
    ):  # fmt: skip
        assert re.search(rf"<th( class=\"col-optional\")?>{column}</th>", page), column
    for value in (order.number, "联想", "打印机", "N900", "NO000028", "SN-00000168", "不能打印", "三楼"):
        assert value in page


def test_the_filters_narrow_the_list(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        waiting = drive(cast, "submitted")
        dispatched = drive(cast, "dispatched")
        done = drive(cast, "completed", start=timezone.now() - timedelta(days=20))
        RepairOrder.objects.filter(pk=waiting.pk).update(is_overdue=True)
        RepairOrder.objects.filter(pk=dispatched.pk).update(is_urged=True, service_type="install")
    client = signed_in(actors.tenant_a, cast.admin)

    def numbers(**params: Any) -> set[str]:
        page = text_of(client.get("/console/orders/", params))
        return {o.number for o in (waiting, dispatched, done) if o.number in page}

    assert numbers() == {waiting.number, dispatched.number, done.number}
    assert numbers(status="dispatched") == {dispatched.number}
    assert numbers(overdue="1") == {waiting.number}
    assert numbers(urged="1") == {dispatched.number}
    assert numbers(service_type="install") == {dispatched.number}
    assert numbers(engineer=cast.engineer.pk, status="completed") == {done.number}
    assert numbers(company=cast.company.pk) == {waiting.number, dispatched.number, done.number}
    assert numbers(brand=cast.catalog[0].pk, category=cast.catalog[1].pk) == {
        waiting.number, dispatched.number, done.number,
    }  # fmt: skip
    since = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert numbers(date_from=since) == {waiting.number, dispatched.number}
    assert numbers(date_to=since) == {done.number}
    assert numbers(q=waiting.number) == {waiting.number}
    assert numbers(status="not-a-status") == {waiting.number, dispatched.number, done.number}


def test_pages_follow_each_other_without_gaps_or_repeats(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        start = timezone.now() - timedelta(days=3)
        numbers = [
            services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=start).number
            for _ in range(55)  # all at the same moment: the id breaks the tie
        ]
    client = signed_in(actors.tenant_a, cast.admin)
    first = client.get("/console/orders/")
    seen = [n for n in sorted(numbers, reverse=True) if n in text_of(first)]
    assert len(seen) == 50
    cursor = first.context["page"].next_cursor
    second = client.get("/console/orders/", {"cursor": cursor})
    rest = [n for n in numbers if n in text_of(second)]
    assert len(rest) == 5 and not set(rest) & set(seen)
    assert second.context["page"].next_cursor is None
    broken = client.get("/console/orders/", {"cursor": "garbage"}, HTTP_ACCEPT_LANGUAGE="en")
    assert broken.status_code == 200 and "start from the first page" in text_of(broken)


def test_the_list_costs_the_same_queries_for_few_and_many_orders(
    cast: Cast, actors: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.admin)
    with _in_a(actors):
        drive(cast, "dispatched")
    client.get("/console/orders/")
    with django_assert_max_num_queries(30):
        client.get("/console/orders/")
    with _in_a(actors):
        for _ in range(30):
            drive(cast, "accepted")
    with django_assert_max_num_queries(30):
        page = client.get("/console/orders/")
    assert len(page.context["page"].items) == 31


def test_the_csv_export_streams_every_matching_order_safely(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        risky = services.order_submit(
            actor=cast.actor("reporter"), data=cast.form_data(fault_description='=HYPERLINK("x")')
        )
        other = drive(cast, "dispatched")
    response = signed_in(actors.tenant_a, cast.supervisor).get(
        "/console/orders/export.csv", {"status": "submitted"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "报修单号 Order number"
    assert [r[0] for r in rows[1:]] == [risky.number]
    assert rows[1][8] == '\'=HYPERLINK("x")'
    assert other.number not in body


def test_each_role_sees_its_own_steps_on_an_order(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        waiting = drive(cast, "submitted")
        pending = drive(cast, "in_progress", pending_suspension=True)
    dispatcher = text_of(signed_in(actors.tenant_a, cast.dispatcher).get(f"/console/orders/{waiting.pk}/"))
    assert f"/console/orders/{waiting.pk}/accept/" in dispatcher
    supervisor = signed_in(actors.tenant_a, cast.supervisor)
    assert f"/console/orders/{waiting.pk}/accept/" not in text_of(
        supervisor.get(f"/console/orders/{waiting.pk}/")
    )
    page = text_of(supervisor.get(f"/console/orders/{pending.pk}/"))
    assert f"/console/orders/{pending.pk}/approve-suspension/" in page and "缺少配件" in page
    assert f"/console/orders/{pending.pk}/approve-suspension/" not in text_of(
        signed_in(actors.tenant_a, cast.dispatcher).get(f"/console/orders/{pending.pk}/")
    )


def test_a_step_refused_by_role_is_403_and_at_the_wrong_moment_409(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    supervisor = signed_in(actors.tenant_a, cast.supervisor)
    wrong_role = supervisor.post(f"/console/orders/{order.pk}/accept/", HTTP_ACCEPT_LANGUAGE="en")
    assert wrong_role.status_code == 403 and "Only an administrator, a dispatcher" in text_of(wrong_role)
    dispatcher = signed_in(actors.tenant_a, cast.dispatcher)
    assert dispatcher.post(f"/console/orders/{order.pk}/accept/").status_code == 302
    twice = dispatcher.post(f"/console/orders/{order.pk}/accept/", HTTP_ACCEPT_LANGUAGE="en")
    assert twice.status_code == 409 and "it is “Accepted”" in text_of(twice)
    assert dispatcher.get(f"/console/orders/{order.pk}/no-such-step/").status_code == 404
    with _in_a(actors):
        assert order.events.filter(transition="accept").count() == 1


def test_dispatch_reassign_progress_and_notes_from_the_order_page(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "accepted")
    admin = signed_in(actors.tenant_a, cast.admin)
    assert (
        admin.post(f"/console/orders/{order.pk}/dispatch/", {"engineer": cast.engineer.pk}).status_code == 302
    )
    same = admin.post(
        f"/console/orders/{order.pk}/dispatch/", {"engineer": cast.engineer.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert same.status_code == 400 and "already assigned" in text_of(same)
    not_an_engineer = admin.post(f"/console/orders/{order.pk}/dispatch/", {"engineer": cast.dispatcher.pk})
    assert not_an_engineer.status_code == 400
    assert (
        admin.post(f"/console/orders/{order.pk}/dispatch/", {"engineer": cast.engineer2.pk}).status_code
        == 302
    )
    no_reason = admin.post(f"/console/orders/{order.pk}/progress/", {"status": "in_progress", "reason": ""})
    assert no_reason.status_code == 400
    moved = admin.post(
        f"/console/orders/{order.pk}/progress/", {"status": "in_progress", "reason": "电话确认已上门"}
    )
    assert moved.status_code == 302
    noted = admin.post(f"/console/orders/{order.pk}/note/", {"note": "备件已下单", "photos": [jpeg()]})
    assert noted.status_code == 302
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_PROGRESS and order.engineer_id == cast.engineer2.pk
        assert [w.status for w in order.work_orders.order_by("id")] == ["reassigned", "in_progress"]
        note = order.events.get(transition="add_note")
        assert note.visibility == "internal" and note.photos.count() == 1
    page = text_of(admin.get(f"/console/orders/{order.pk}/"))
    assert "备件已下单" in page and "电话确认已上门" in page


def test_suspension_is_approved_or_rejected_by_a_supervisor(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        first = drive(cast, "in_progress", pending_suspension=True)
        second = drive(cast, "in_progress", pending_suspension=True)
    supervisor = signed_in(actors.tenant_a, cast.supervisor)
    assert supervisor.post(f"/console/orders/{first.pk}/approve-suspension/").status_code == 302
    assert (
        supervisor.post(f"/console/orders/{second.pk}/reject-suspension/", {"reason": ""}).status_code == 400
    )
    assert (
        supervisor.post(f"/console/orders/{second.pk}/reject-suspension/", {"reason": "先修别的"}).status_code
        == 302
    )
    with _in_a(actors):
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.status == OrderStatus.SUSPENDED and second.status == OrderStatus.IN_PROGRESS
        assert second.suspensions.get().decision == "rejected"


@pytest.mark.parametrize(
    "path",
    ["/console/orders/", "/console/orders/dashboard/", "/console/orders/export.csv", "/console/orders/{pk}/"],
)
def test_engineers_get_403_on_the_office_screens(cast: Cast, actors: Any, path: str) -> None:
    with _in_a(actors):
        order = drive(cast, "dispatched")
    assert signed_in(actors.tenant_a, cast.engineer).get(path.format(pk=order.pk)).status_code == 403


def test_customers_are_sent_to_the_staff_sign_in(cast: Cast, actors: Any) -> None:
    response = signed_in(actors.tenant_a, cast.reporter).get("/console/orders/")
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_another_tenants_staff_get_404_for_our_orders(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    from tests.actors import client_for

    outsider = client_for(actors.tenant_b, actors.outsider)
    for path in (f"/console/orders/{order.pk}/", f"/console/orders/{order.pk}/accept/"):
        assert outsider.get(path).status_code == 404
    assert outsider.post(f"/console/orders/{order.pk}/accept/").status_code == 404
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.SUBMITTED


def test_the_dashboard_counts_and_charts_orders_per_day(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        drive(cast, "accepted")
        overdue = drive(cast, "submitted")
        RepairOrder.objects.filter(pk=overdue.pk).update(is_overdue=True)
        services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    response = signed_in(actors.tenant_a, cast.supervisor).get(
        "/console/orders/dashboard/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (
        counts["submitted"] == 2
        and counts["accepted"] == 1
        and counts["overdue"] == 1
        and counts["today"] == 1
    )
    page = text_of(response)
    assert "<svg" in page and page.count('class="bar"') == 30
    assert "Average waiting time before acceptance: 1.0 h." in page
