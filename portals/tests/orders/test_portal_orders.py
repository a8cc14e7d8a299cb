"""我的报修 and one order on the portal: the GZIC tabs with 超/催, the timeline and durations,
edit/cancel before acceptance, urging, confirming or rejecting completion, rating, and who may
see what (another customer, a company manager, staff)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import set_provider, signed_in, text_of
from repair_forms import services
from repair_forms.models import OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def test_my_orders_sorts_orders_into_the_gzic_tabs_with_overdue_and_urged_tags(
    cast: Cast, actors: Any
) -> None:
    with _in_a(actors):
        pending = drive(cast, "submitted")
        RepairOrder.objects.filter(pk=pending.pk).update(is_overdue=True, is_urged=True)
        accepted = drive(cast, "dispatched")
        suspended = drive(cast, "suspended")
        done = drive(cast, "completed")
        cancelled = drive(cast, "cancelled")
        drive(cast, "submitted", reporter=cast.loner)  # someone else's
    client = signed_in(actors.tenant_a, cast.reporter)
    everything = text_of(client.get("/orders/"))
    for order in (pending, accepted, suspended, done, cancelled):
        assert order.number in everything
    tabs = {
        "pending": pending,
        "accepted": accepted,
        "suspended": suspended,
        "completed": done,
        "cancelled": cancelled,
    }
    for tab, order in tabs.items():
        page = text_of(client.get("/orders/", {"tab": tab}))
        shown = [o for o in tabs.values() if o.number in page]
        assert shown == [order], tab
    pending_tab = text_of(client.get("/orders/", {"tab": "pending"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert 'class="tag tag-overdue"' in pending_tab and 'class="tag tag-urged"' in pending_tab
    assert ">超</span>" in pending_tab and ">催</span>" in pending_tab and "待接单" in pending_tab


def test_an_order_page_shows_timeline_durations_and_suspension_but_no_internal_notes(
    cast: Cast, actors: Any
) -> None:
    with _in_a(actors):
        order = drive(cast, "suspended")
        services.order_add_note(actor=cast.actor("dispatcher"), order=order, note="客户比较着急，内部记录")
    page = text_of(
        signed_in(actors.tenant_a, cast.reporter).get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Waiting time" in page and "1 hour" in page  # accepted an hour after submitting
    assert "Repair time" in page and "not counting" in page
    assert "缺少配件" in page and "Approved" in page  # the suspension: reason and decision
    assert "客户比较着急" not in page
    staff_page = text_of(signed_in(actors.tenant_a, cast.dispatcher).get(f"/console/orders/{order.pk}/"))
    assert "客户比较着急" in staff_page


def test_the_reporter_edits_before_acceptance_but_not_after(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    client = signed_in(actors.tenant_a, cast.reporter)
    form = client.get(f"/orders/{order.pk}/edit/")
    assert form.status_code == 200 and "不能打印" in text_of(form)
    brand, category, model = cast.catalog
    saved = client.post(
        f"/orders/{order.pk}/edit/",
        {
            "f_machine__brand": brand.pk,
            "f_machine__category": category.pk,
            "f_machine__model": model.pk,
            "f_fault_description": "不能打印，有异响",
            "f_service_type": "maintenance",
        },
    )
    assert saved.status_code == 302
    with _in_a(actors):
        order.refresh_from_db()
        assert order.fault_description == "不能打印，有异响" and order.service_type == "maintenance"
        assert order.events.filter(transition="edit").exists()
        services.order_accept(actor=cast.actor("dispatcher"), order=order)
    late = client.get(f"/orders/{order.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 409
    assert "Allowed only when it is Pending acceptance" in text_of(late)


def test_cancelling_needs_a_reason_and_is_final(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    client = signed_in(actors.tenant_a, cast.reporter)
    empty = client.post(f"/orders/{order.pk}/cancel/", {"reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 400 and "Enter the reason for cancelling." in text_of(empty)
    done = client.post(f"/orders/{order.pk}/cancel/", {"reason": "已经自己修好了"})
    assert done.status_code == 302
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.CANCELLED and order.cancel_reason == "已经自己修好了"
    assert order.number in text_of(client.get("/orders/", {"tab": "cancelled"}))
    again = client.post(f"/orders/{order.pk}/cancel/", {"reason": "再撤一次"})
    assert again.status_code == 409


def test_urging_opens_after_the_providers_hours_and_is_rate_limited(cast: Cast, actors: Any) -> None:
    set_provider(actors.tenant_a, urge_after_hours=2)
    with _in_a(actors):
        from accounts.models import ProviderProfile

        ProviderProfile.objects.get_or_create(pk=1)
        ProviderProfile.objects.filter(pk=1).update(contact_phone="4008-571-100")
        fresh = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        old = drive(cast, "submitted", start=timezone.now() - timedelta(hours=3))
    client = signed_in(actors.tenant_a, cast.reporter)
    early_page = text_of(client.get(f"/orders/{fresh.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "You can urge this order from" in early_page and f"/orders/{fresh.pk}/urge/" not in early_page
    early = client.post(f"/orders/{fresh.pk}/urge/", HTTP_ACCEPT_LANGUAGE="en")
    assert early.status_code == 409 and "2 hours after submitting" in text_of(early)
    assert "4008-571-100" in text_of(early)  # the repair centre's phone
    page = text_of(client.get(f"/orders/{old.pk}/"))
    assert f"/orders/{old.pk}/urge/" in page and "4008-571-100" in page
    assert client.post(f"/orders/{old.pk}/urge/").status_code == 302
    with _in_a(actors):
        old.refresh_from_db()
        assert old.is_urged and old.urge_count == 1
    again = client.post(f"/orders/{old.pk}/urge/", HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409 and "you can urge again from" in text_of(again)


def test_the_reporter_rejects_completion_with_a_reason(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "awaiting_confirmation")
    client = signed_in(actors.tenant_a, cast.reporter)
    page = text_of(client.get(f"/orders/{order.pk}/"))
    assert f"/orders/{order.pk}/confirm/" in page and f"/orders/{order.pk}/reject/" in page
    assert client.post(f"/orders/{order.pk}/reject/", {"reason": "还是卡纸"}).status_code == 302
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.IN_PROGRESS
        assert order.events.get(transition="reject_completion").note == "还是卡纸"


def test_rating_shows_the_providers_stars_and_tags_and_happens_once(cast: Cast, actors: Any) -> None:
    set_provider(
        actors.tenant_a, star_descriptions={"5": "非常满意", "1": "很差"}, rating_tags=["响应快", "态度好"]
    )
    with _in_a(actors):
        order = drive(cast, "completed")
    client = signed_in(actors.tenant_a, cast.reporter)
    page = text_of(client.get(f"/orders/{order.pk}/"))
    assert "非常满意" in page and "响应快" in page and "态度好" in page
    bad_tag = client.post(f"/orders/{order.pk}/rate/", {"stars": "5", "tags": ["随便"]})
    assert bad_tag.status_code == 400
    assert (
        client.post(
            f"/orders/{order.pk}/rate/", {"stars": "4", "tags": ["响应快"], "comment": "不错"}
        ).status_code
        == 302
    )
    twice = client.post(f"/orders/{order.pk}/rate/", {"stars": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert twice.status_code == 409 and "already been rated" in text_of(twice)
    after = text_of(client.get(f"/orders/{order.pk}/"))
    assert "★★★★☆" in after and f"/orders/{order.pk}/rate/" not in after


def test_no_rating_when_the_provider_switched_ratings_off(cast: Cast, actors: Any) -> None:
    set_provider(actors.tenant_a, ratings_enabled=False)
    with _in_a(actors):
        order = drive(cast, "completed")
    client = signed_in(actors.tenant_a, cast.reporter)
    assert f"/orders/{order.pk}/rate/" not in text_of(client.get(f"/orders/{order.pk}/"))
    refused = client.post(f"/orders/{order.pk}/rate/", {"stars": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409 and "does not take ratings" in text_of(refused)


@pytest.mark.parametrize(
    "path",
    [
        "/orders/{pk}/",
        "/orders/{pk}/edit/",
        "/orders/{pk}/cancel/",
        "/orders/{pk}/urge/",
        "/orders/{pk}/rate/",
    ],
)
def test_another_customers_order_is_not_found(cast: Cast, actors: Any, path: str) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    stranger = signed_in(actors.tenant_a, cast.loner)
    assert stranger.get(path.format(pk=order.pk)).status_code == 404
    assert stranger.post(path.format(pk=order.pk), {"reason": "x"}).status_code == 404
    with _in_a(actors):
        order.refresh_from_db()
        assert order.status == OrderStatus.SUBMITTED


def test_tenant_bs_people_never_reach_tenant_as_orders(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    from tests.actors import client_for, host_of

    on_b = client_for(actors.tenant_b, actors.outsider)
    assert on_b.get(f"/orders/{order.pk}/").status_code in (302, 404)
    assert on_b.get(f"/console/orders/{order.pk}/").status_code == 404
    on_a = client_for(actors.tenant_b, actors.outsider, host=host_of(actors.tenant_a))
    response = on_a.get(f"/orders/{order.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_staff_are_sent_to_the_customer_sign_in_on_portal_pages(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        order = drive(cast, "submitted")
    response = signed_in(actors.tenant_a, cast.admin).get(f"/orders/{order.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_company_manager_sees_the_company_orders_and_confirms_them(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        colleague_order = drive(cast, "awaiting_confirmation")
        loner_order = drive(cast, "awaiting_confirmation", reporter=cast.loner)
    manager = signed_in(actors.tenant_a, cast.manager)
    page = text_of(manager.get("/manager/orders/"))
    assert colleague_order.number in page and loner_order.number not in page
    assert "报修人小张" in page
    waiting = text_of(manager.get("/manager/orders/", {"awaiting": "1"}))
    assert colleague_order.number in waiting
    assert manager.get(f"/orders/{loner_order.pk}/").status_code == 404
    assert manager.post(f"/orders/{colleague_order.pk}/confirm/").status_code == 302
    with _in_a(actors):
        colleague_order.refresh_from_db()
        assert colleague_order.status == OrderStatus.COMPLETED
        assert colleague_order.events.get(transition="confirm_completion").actor_display == "负责人老刘"


def test_customers_who_manage_no_company_get_403_on_company_orders(cast: Cast, actors: Any) -> None:
    assert signed_in(actors.tenant_a, cast.reporter).get("/manager/orders/").status_code == 403
    assert signed_in(actors.tenant_a, cast.loner).get("/manager/orders/").status_code == 403


def test_the_query_page_finds_your_order_by_number_only(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        mine = drive(cast, "submitted")
        theirs = drive(cast, "submitted", reporter=cast.loner)
    client = signed_in(actors.tenant_a, cast.reporter)
    found = client.get("/query/", {"number": mine.number.lower()})
    assert found.status_code == 302 and found["Location"] == f"/orders/{mine.pk}/"
    hidden = client.get("/query/", {"number": theirs.number}, HTTP_ACCEPT_LANGUAGE="en")
    assert hidden.status_code == 200 and "None of your orders has this number." in text_of(hidden)


def test_my_orders_costs_the_same_queries_for_many_orders(
    cast: Cast, actors: Any, django_assert_max_num_queries: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    with _in_a(actors):
        drive(cast, "dispatched")
    client.get("/orders/")  # warm caches (tenant routing, profile)
    with django_assert_max_num_queries(22):
        client.get("/orders/")
    with _in_a(actors):
        for _ in range(15):
            drive(cast, "submitted")
    with django_assert_max_num_queries(22):
        page = client.get("/orders/")
    assert page.status_code == 200 and text_of(page).count("order-card") == 16
