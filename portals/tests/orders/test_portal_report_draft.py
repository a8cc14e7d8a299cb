"""The quick report's draft across the SMS sign-in (issue 13): a visitor's photos are kept with what
they typed, and a customer with no name on file is asked for it, so orders name the reporter."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import Customer
from accounts.services import customer_get_or_create
from portals.tests.orders.helpers import messages_of, report_data, signed_in, text_of
from repair_forms.draft_photos import draft_photos_purge
from repair_forms.models import OrderPhoto, RepairOrder
from repair_forms.tests.helpers import Cast, jpeg


def _sign_in(client: Any, actors: Any, customer: Customer) -> None:
    with schema_context(actors.tenant_a.schema_name):
        client.force_login(get_user_model().objects.get(pk=customer.user_id))


def _kept_ids(page: Any) -> list[str]:
    return re.findall(r'name="f_photos__keep" value="(\d+)" checked', text_of(page))


def test_photos_chosen_before_signing_in_reach_the_order(cast: Cast, actors: Any) -> None:
    visitor = signed_in(actors.tenant_a, None)
    sent = visitor.post(
        "/report/",
        report_data(
            cast,
            asset=cast.asset.token,
            f_fault_description="卡纸了，急",
            f_photos=[jpeg(name="front.jpg"), jpeg(color="blue", name="back.jpg")],
            reporter_name="新客户小林",
        ),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert sent.status_code == 302 and sent["Location"].startswith("/login/?next=")
    said = messages_of(visitor.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert not any("重新添加图片" in m or "add the photos again" in m for m in said)

    _sign_in(visitor, actors, cast.reporter)
    back = visitor.get("/report/?resume=1")
    kept = _kept_ids(back)
    assert len(kept) == 2, "both photos come back ticked on the form"
    for pk in kept:  # and their thumbnails load
        thumb = visitor.get(f"/report/photos/{pk}/")
        assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"

    done = visitor.post(
        "/report/",
        report_data(cast, asset=cast.asset.token, f_fault_description="卡纸了，急", f_photos__keep=kept),
    )
    assert done.status_code == 302, text_of(done)[:2000]
    with schema_context(actors.tenant_a.schema_name):
        order = RepairOrder.objects.get()
        photos = list(OrderPhoto.objects.filter(order=order))
        assert sorted(str(p.pk) for p in photos) == sorted(kept)
        assert all(p.uploaded_by_customer_id == cast.reporter.pk for p in photos)
        assert all(default_storage.exists(p.file.name) for p in photos)
    assert visitor.get(f"/photos/{photos[0].pk}/").status_code == 200  # now an order photo
    assert _kept_ids(visitor.get("/report/?free=1")) == []  # the draft is gone


def test_a_photo_left_out_after_signing_in_is_deleted_with_its_file(
    cast: Cast, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    visitor = signed_in(actors.tenant_a, None)
    visitor.post(
        "/report/",
        report_data(cast, asset=cast.asset.token, f_photos=[jpeg(), jpeg(color="blue")]),
    )
    _sign_in(visitor, actors, cast.reporter)
    first, second = _kept_ids(visitor.get("/report/?resume=1"))
    with schema_context(actors.tenant_a.schema_name):
        dropped_file = OrderPhoto.objects.get(pk=second).file.name
    with django_capture_on_commit_callbacks(execute=True):  # the file goes on commit
        done = visitor.post("/report/", report_data(cast, asset=cast.asset.token, f_photos__keep=[first]))
    assert done.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        attached = OrderPhoto.objects.filter(order__isnull=False).values_list("pk", flat=True)
        assert list(attached) == [int(first)]
        assert not OrderPhoto.objects.filter(pk=second).exists()
        assert not default_storage.exists(dropped_file)


def test_another_browser_cannot_see_or_send_a_visitors_draft_photo(cast: Cast, actors: Any) -> None:
    visitor = signed_in(actors.tenant_a, None)
    visitor.post("/report/", report_data(cast, asset=cast.asset.token, f_photos=jpeg(), reporter_name="甲"))
    _sign_in(visitor, actors, cast.reporter)
    (pk,) = _kept_ids(visitor.get("/report/?resume=1"))

    stranger = signed_in(actors.tenant_a, cast.loner)
    assert stranger.get(f"/report/photos/{pk}/").status_code == 404
    sent = stranger.post("/report/", report_data(cast, asset=cast.asset.token, f_photos__keep=[pk]))
    assert sent.status_code == 400  # not theirs: "A photo was not found"
    with schema_context(actors.tenant_a.schema_name):
        photo = OrderPhoto.objects.get(pk=pk)
        assert photo.order_id is None and photo.uploaded_by_customer_id is None


def test_start_over_deletes_the_drafts_photos(cast: Cast, actors: Any) -> None:
    visitor = signed_in(actors.tenant_a, None)
    visitor.post("/report/", report_data(cast, asset=cast.asset.token, f_photos=jpeg(), reporter_name="甲"))
    with schema_context(actors.tenant_a.schema_name):
        assert OrderPhoto.objects.filter(order__isnull=True).count() == 1
    assert visitor.post("/report/", {"action": "discard"}).status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        assert not OrderPhoto.objects.exists()


def test_the_purge_removes_only_draft_photos_no_session_can_name_any_more(cast: Cast, actors: Any) -> None:
    visitor = signed_in(actors.tenant_a, None)
    visitor.post("/report/", report_data(cast, asset=cast.asset.token, f_photos=jpeg(), reporter_name="甲"))
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with schema_context(actors.tenant_a.schema_name):
        draft = OrderPhoto.objects.get()
        assert draft_photos_purge(older_than=age) == 0  # the session may still send it
        later = timezone.now() + age + timedelta(minutes=1)
        assert draft_photos_purge(older_than=age, now=later) == 1
        assert not OrderPhoto.objects.filter(pk=draft.pk).exists()


def test_a_customer_without_a_name_is_asked_for_it_once_in_both_languages(cast: Cast, actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        nameless = customer_get_or_create(phone="13700000199")
    client = signed_in(actors.tenant_a, nameless)
    form = text_of(client.get("/report/", {"q": "NO000028"}))
    assert 'name="reporter_name"' in form and "required" in form.split('name="reporter_name"')[1][:200]

    data = report_data(cast, asset=cast.asset.token, f_photos=jpeg())
    english = client.post("/report/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "Enter your name so the repair centre knows who to ask for." in text_of(english)
    assert len(_kept_ids(english)) == 1  # the photo chosen is not lost on the way
    chinese = client.post(
        "/report/", report_data(cast, asset=cast.asset.token), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert chinese.status_code == 400 and "请填写您的姓名" in text_of(chinese)
    with schema_context(actors.tenant_a.schema_name):
        assert not RepairOrder.objects.exists()

    sent = client.post("/report/", report_data(cast, asset=cast.asset.token, reporter_name="  王 小明 "))
    assert sent.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        order = RepairOrder.objects.get()
        assert Customer.objects.get(pk=nameless.pk).name == "王 小明"  # remembered on the customer
        assert order.contact_name == "王 小明"
    assert 'name="reporter_name"' not in text_of(client.get("/report/", {"q": "NO000028"}))

    staff_page = text_of(signed_in(actors.tenant_a, cast.dispatcher).get(f"/console/orders/{order.pk}/"))
    assert "王 小明" in staff_page and "— ·" not in staff_page


def test_a_customer_with_a_name_is_not_asked(cast: Cast, actors: Any) -> None:
    form = text_of(signed_in(actors.tenant_a, cast.reporter).get("/report/", {"q": "NO000028"}))
    assert 'name="reporter_name"' not in form


def test_the_hourly_job_purges_expired_draft_photos_in_every_tenant(cast: Cast, actors: Any) -> None:
    from portals.tasks import purge_draft_photos

    fanned = {
        entry["kwargs"]["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "saas_platform.fan_out"
    }
    assert "portals.purge_draft_photos" in fanned
    visitor = signed_in(actors.tenant_a, None)
    visitor.post("/report/", report_data(cast, asset=cast.asset.token, f_photos=jpeg(), reporter_name="甲"))
    expired = timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with schema_context(actors.tenant_a.schema_name):
        OrderPhoto.objects.update(created_at=expired)
    assert purge_draft_photos.run() == 1
    with schema_context(actors.tenant_a.schema_name):
        assert not OrderPhoto.objects.exists()


def test_a_draft_never_stores_more_photos_than_the_field_takes(cast: Cast, actors: Any) -> None:
    visitor = signed_in(actors.tenant_a, None)
    sent = visitor.post(
        "/report/",
        report_data(cast, asset=cast.asset.token, f_photos=[jpeg() for _ in range(8)], reporter_name="甲"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert sent.status_code == 302
    said = messages_of(visitor.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en"))
    assert any("allows at most 6 images" in m for m in said)
    with schema_context(actors.tenant_a.schema_name):
        assert OrderPhoto.objects.count() == 6


def test_the_sign_in_page_says_the_photos_are_kept_only_when_there_are_some(cast: Cast, actors: Any) -> None:
    with_photo = signed_in(actors.tenant_a, None)
    sent = with_photo.post(
        "/report/",
        report_data(cast, asset=cast.asset.token, f_photos=jpeg(), reporter_name="甲"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Your photos are kept too." in messages_of(
        with_photo.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en")
    )
    without = signed_in(actors.tenant_a, None)
    sent = without.post(
        "/report/", report_data(cast, asset=cast.asset.token, reporter_name="乙"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Your photos are kept too." not in messages_of(
        without.get(sent["Location"], HTTP_ACCEPT_LANGUAGE="en")
    )
