"""快捷报修 on the portal: lookup by machine or serial number, the QR label link, free-form reports,
what happens to a visitor's typing across sign-in, and a provider that does not take reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from portals.tests.orders.helpers import (
    expire_billing,
    messages_of,
    report_data,
    set_provider,
    signed_in,
    text_of,
)
from repair_forms.labels import asset_report_url
from repair_forms.models import OrderPhoto, RepairOrder
from repair_forms.tests.helpers import Cast, jpeg


def test_a_serial_lookup_ignores_case_and_spaces_and_prefills_the_form(cast: Cast, actors: Any) -> None:
    page = signed_in(actors.tenant_a, cast.reporter).get("/report/", {"q": " sn-0000 0168 "})
    body = text_of(page)
    assert page.status_code == 200
    assert "NO000028" in body
    assert cast.asset.token not in body  # a lookup never hands out the label's token (issue 12)
    assert f'value="{cast.catalog[0].pk}" selected' in body  # the brand of the machine


def test_the_qr_label_link_opens_the_report_form_with_the_machine(cast: Cast, actors: Any) -> None:
    url = urlsplit(asset_report_url("https://a.example", cast.asset))
    page = signed_in(actors.tenant_a, cast.reporter).get(f"{url.path}?{url.query}")
    assert page.status_code == 200
    assert "NO000028" in text_of(page) and f'name="asset" value="{cast.asset.token}"' in text_of(page)


def test_a_stale_label_says_so_and_offers_the_lookup(cast: Cast, actors: Any) -> None:
    page = signed_in(actors.tenant_a, cast.reporter).get("/report/", {"asset": "no-such-token"})
    assert page.status_code == 200
    assert 'name="q"' in text_of(page)
    assert any("no longer valid" in m or "失效" in m for m in messages_of(page))


def test_an_unknown_number_leads_to_the_free_form_when_the_provider_allows_it(
    cast: Cast, actors: Any
) -> None:
    set_provider(actors.tenant_a, free_form_reporting_enabled=True)
    page = signed_in(actors.tenant_a, cast.reporter).get(
        "/report/", {"q": "XYZ-404"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = text_of(page)
    assert page.status_code == 200
    assert 'name="f_machine__brand"' in body  # the brand → category → model cascade
    assert 'value="XYZ-404"' in body
    assert any("No machine has the number XYZ-404" in m for m in messages_of(page))


def test_an_unknown_number_is_a_clear_dead_end_when_free_form_reporting_is_off(
    cast: Cast, actors: Any
) -> None:
    set_provider(actors.tenant_a, free_form_reporting_enabled=False)
    client = signed_in(actors.tenant_a, cast.reporter)
    page = client.get("/report/", {"q": "XYZ-404"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 404
    assert "No machine has the number “XYZ-404”" in text_of(page)
    assert "f_machine__brand" not in text_of(page)
    assert "I don&#x27;t know" not in text_of(page) and "know the machine number" not in text_of(page)
    no_free = client.get("/report/", {"free": "1"})
    assert 'name="q"' in text_of(no_free) and "f_fault_description" not in text_of(no_free)
    refused = client.post("/report/", report_data(cast), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "No machine has this number" in text_of(refused)
    with schema_context(actors.tenant_a.schema_name):
        assert not RepairOrder.objects.exists()


def test_submitting_shows_the_order_number_and_files_the_order(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    sent = client.post("/report/", report_data(cast, asset=cast.asset.token, f_photos=jpeg()))
    assert sent.status_code == 302
    page = client.get(sent["Location"])
    with schema_context(actors.tenant_a.schema_name):
        order = RepairOrder.objects.get()
        photo = OrderPhoto.objects.get(order=order)
    assert any(order.number in m for m in messages_of(page))
    assert order.asset_id == cast.asset.pk and order.machine_no == "NO000028"
    assert order.location_building == "A栋"  # filled from the machine
    image = client.get(f"/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert signed_in(actors.tenant_a, cast.loner).get(f"/photos/{photo.pk}/").status_code == 404


def test_a_bad_report_explains_each_field_in_both_languages_and_keeps_the_typing(
    cast: Cast, actors: Any
) -> None:
    client = signed_in(actors.tenant_a, cast.reporter)
    data = report_data(cast, f_fault_description="", f_notes="三楼打印机")
    english = client.post("/report/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "“Fault description” is required." in text_of(english)
    assert "三楼打印机" in text_of(english)
    chinese = client.post("/report/", data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "“故障描述”" in text_of(chinese) and "is required" not in text_of(chinese)
    with schema_context(actors.tenant_a.schema_name):
        assert not RepairOrder.objects.exists()


def test_a_visitors_report_survives_signing_in(cast: Cast, actors: Any) -> None:
    client = signed_in(actors.tenant_a, None)
    form = client.get("/report/", {"q": "NO000028"})
    assert form.status_code == 200
    sent = client.post(
        "/report/",
        report_data(cast, asset=cast.asset.token, f_fault_description="卡纸了，急", reporter_name="小张"),
    )
    assert sent.status_code == 302
    assert sent["Location"].startswith("/login/?next=")
    with schema_context(actors.tenant_a.schema_name):
        assert not RepairOrder.objects.exists()
        client.force_login(get_user_model().objects.get(pk=cast.reporter.user_id))
    back = client.get("/report/?resume=1")
    assert "卡纸了，急" in text_of(back) and cast.asset.token in text_of(back)
    done = client.post(
        "/report/", report_data(cast, asset=cast.asset.token, f_fault_description="卡纸了，急")
    )
    assert done.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        assert RepairOrder.objects.get().fault_description == "卡纸了，急"
    assert "卡纸了，急" not in text_of(client.get("/report/"))  # the draft is gone


def test_closed_reporting_shows_the_phone_keeps_the_typing_and_the_orders(cast: Cast, actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        from accounts.models import ProviderProfile

        ProviderProfile.objects.get_or_create(pk=1)
        ProviderProfile.objects.filter(pk=1).update(contact_phone="020-88889999")
    from repair_forms.tests.helpers import drive

    with schema_context(actors.tenant_a.schema_name):
        existing = drive(cast, "accepted")
    expire_billing(actors.tenant_a)
    client = signed_in(actors.tenant_a, cast.reporter)
    closed = client.get("/report/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Online reporting is paused" in text_of(closed) and "020-88889999" in text_of(closed)
    kept = client.post(
        "/report/", report_data(cast, f_fault_description="空调漏水"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert kept.status_code == 200
    assert "空调漏水" in text_of(kept) and "020-88889999" in text_of(kept)
    assert existing.number in text_of(client.get("/orders/"))
    with schema_context(actors.tenant_a.schema_name):
        assert RepairOrder.objects.count() == 1
        from billing.entitlements import forget
        from billing.models import BillingAccount

        BillingAccount.objects.filter(provider_id=actors.tenant_a.pk).update(state="active")
        forget(actors.tenant_a.pk)
    reopened = client.get("/report/")
    assert "空调漏水" in text_of(reopened)  # what they typed is filled in again
