"""The rules each service adds to the lifecycle table: inputs, timing, once-only, who is who."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from accounts.models import StaffRole
from accounts.selectors import provider_settings
from accounts.services import customer_get_or_create, staff_create
from repair_forms import services
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import (
    OrderEvent,
    OrderPhoto,
    OrderStatus,
    RepairOrder,
    SuspensionDecision,
    WorkOrderStatus,
)
from repair_forms.selectors import order_get, order_timeline
from repair_forms.tests.helpers import Cast, drive, jpeg

S = OrderStatus


# --- Submit ------------------------------------------------------------------------------------------


def test_submit_returns_a_bx_number_and_records_who_to_tell(cast: Cast) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())

    assert order.number.startswith("BX-") and len(order.number) == 17
    assert order.status == S.SUBMITTED
    assert order.company == cast.company
    assert order.contact_phone == cast.reporter.phone and order.contact_name == "报修人小张"
    event = OrderEvent.objects.get(order=order)
    assert event.transition == "submit"
    assert event.notify_roles == ["reporter", "company_manager", "back_office"]


def test_submit_by_serial_links_the_asset_and_prefills_from_it(cast: Cast) -> None:
    data = {"serial": "sn-00000168 ", "fault_description": "漏水", "service_type": "repair"}
    order = services.order_submit(actor=cast.actor("loner"), data=data)

    assert order.asset == cast.asset
    assert (order.brand, order.category, order.model) == cast.catalog
    assert order.machine_no == "NO000028" and order.location_room == "301"
    assert order.company is None  # the machine's company must not see a stranger's order


def test_free_form_report_is_refused_when_the_provider_switched_it_off(cast: Cast) -> None:
    settings = provider_settings()
    settings.free_form_reporting_enabled = False
    settings.save()
    data = cast.form_data(serial="NOT-A-SERIAL")
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.order_submit(actor=cast.actor("reporter"), data=data)
    assert "serial" in excinfo.value.message_dict
    assert "No machine has this number" in excinfo.value.message_dict["serial"][0]
    assert not RepairOrder.objects.exists()

    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(serial="SN-00000168"))
    assert order.asset == cast.asset


def test_staff_cannot_file_an_order_as_a_reporter(cast: Cast) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.order_submit(actor=cast.actor("dispatcher"), data=cast.form_data())


def test_submitted_photos_are_reencoded_jpegs_attached_to_the_order(cast: Cast) -> None:
    png = jpeg(300, 200, "blue", name="shot.png", fmt="PNG")
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[png]))

    photo = OrderPhoto.objects.get(order=order)
    assert photo.kind == "report" and (photo.width, photo.height) == (300, 200)
    assert photo.file.name.startswith(
        f"{getattr(connection, 'schema_name', '')}/repair_forms/photos/"
    )  # tenant-prefixed
    with photo.file.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # JPEG, whatever was uploaded
    assert photo.event is not None and photo.event.transition == "submit"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_filed(cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[fake]))
    assert "JPEG, PNG" in str(excinfo.value)
    assert not RepairOrder.objects.exists()


def test_a_photo_uploaded_beforehand_is_attached_by_id_only_by_its_uploader(cast: Cast) -> None:
    from repair_forms.photos import photo_upload

    photo = photo_upload(actor=cast.actor("reporter"), file=jpeg())
    with pytest.raises(ValidationError):
        services.order_submit(actor=cast.actor("loner"), data=cast.form_data(photos=[photo.pk]))
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[str(photo.pk)]))
    photo.refresh_from_db()
    assert photo.order == order


# --- Edit / cancel / urge ---------------------------------------------------------------------------


def test_edit_before_acceptance_records_what_changed(cast: Cast) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(photos=[jpeg(), jpeg()]))
    keep, drop = list(order.photos.order_by("id"))

    edited = services.order_edit(
        actor=cast.actor("reporter"),
        order=order,
        data=cast.form_data(fault_description="卡纸", notes="下午在", photos=[keep.pk, jpeg(color="green")]),
    )

    assert edited.fault_description == "卡纸" and edited.notes == "下午在"
    event = OrderEvent.objects.filter(order=order, transition="edit").get()
    assert event.payload["changes"]["fault_description"] == ["不能打印", "卡纸"]
    assert event.payload["changes"]["photos_removed"] == [drop.pk]
    assert set(order.photos.values_list("pk", flat=True)) - {keep.pk} != set()
    assert not OrderPhoto.objects.filter(pk=drop.pk).exists()
    assert order.photos.count() == 2


def test_edit_that_changes_nothing_writes_no_event(cast: Cast) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    services.order_edit(actor=cast.actor("reporter"), order=order, data=cast.form_data())
    assert not OrderEvent.objects.filter(order=order, transition="edit").exists()


def test_cancel_needs_a_reason_in_both_languages(cast: Cast) -> None:
    order = drive(cast, S.SUBMITTED)
    for language, text in (("en", "Enter the reason."), ("zh-hans", "请填写原因。")):
        with translation.override(language), pytest.raises(ValidationError) as excinfo:
            services.order_cancel(actor=cast.actor("reporter"), order=order, reason="  ")
        assert excinfo.value.message_dict["reason"] == [text]
    cancelled = services.order_cancel(actor=cast.actor("reporter"), order=order, reason="已自行解决")
    assert (
        cancelled.status == S.CANCELLED and cancelled.cancelled_at and cancelled.cancel_reason == "已自行解决"
    )


def test_urge_opens_after_the_providers_hours_and_is_rate_limited(cast: Cast) -> None:
    submitted_at = timezone.now() - timedelta(minutes=30)
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(), now=submitted_at)
    reporter = cast.actor("reporter")

    with pytest.raises(TransitionNotAllowed) as early:
        services.order_urge(actor=reporter, order=order, now=submitted_at + timedelta(hours=1))
    assert early.value.code == "too_early"

    first = submitted_at + timedelta(hours=2, minutes=1)
    services.order_urge(actor=reporter, order=order, now=first)
    with pytest.raises(TransitionNotAllowed) as again:
        services.order_urge(actor=reporter, order=order, now=first + timedelta(minutes=20))
    assert again.value.code == "rate_limited"
    urged = services.order_urge(actor=reporter, order=order, now=first + timedelta(hours=1))

    assert urged.is_urged and urged.urge_count == 2 and urged.last_urged_at == first + timedelta(hours=1)
    assert OrderEvent.objects.filter(order=order, transition="urge").count() == 2


def test_a_company_member_cannot_urge_or_cancel_a_colleagues_order(cast: Cast) -> None:
    colleague = customer_get_or_create(phone="13700000104", name="同事", company=cast.company)
    order = drive(cast, S.SUBMITTED)
    with pytest.raises(TransitionNotAllowed):
        services.order_cancel(actor=Actor.for_customer(colleague), order=order, reason="x")


# --- Dispatch, suspension, job sheet ----------------------------------------------------------------


def test_dispatch_needs_an_active_engineer(cast: Cast) -> None:
    order = drive(cast, S.ACCEPTED)
    with pytest.raises(ValidationError) as excinfo:
        services.order_dispatch(actor=cast.actor("dispatcher"), order=order, engineer=cast.supervisor)
    assert "engineer" in excinfo.value.message_dict


def test_reassign_moves_the_order_to_the_new_engineer_and_tells_both(cast: Cast) -> None:
    order = drive(cast, S.DISPATCHED)
    with pytest.raises(ValidationError):
        services.order_dispatch(actor=cast.actor("supervisor"), order=order, engineer=cast.engineer)

    work_order = services.order_dispatch(actor=cast.actor("supervisor"), order=order, engineer=cast.engineer2)

    order.refresh_from_db()
    assert order.engineer == cast.engineer2 and work_order.engineer == cast.engineer2
    event = OrderEvent.objects.filter(order=order, transition="dispatch").latest("id")
    assert event.payload["reassign"] is True
    assert event.payload["previous_engineer_id"] == cast.engineer.pk
    assert event.payload["work_order"] == work_order.number
    with pytest.raises(RepairOrder.DoesNotExist):
        order_get(actor=cast.actor("engineer"), order_id=order.pk)
    with pytest.raises(TransitionNotAllowed):
        services.order_start(actor=cast.actor("engineer"), order=order)


def test_suspension_needs_approval_and_one_request_at_a_time(cast: Cast) -> None:
    order = drive(cast, S.IN_PROGRESS)
    engineer, supervisor = cast.actor("engineer"), cast.actor("supervisor")
    with pytest.raises(TransitionNotAllowed) as nothing:
        services.order_approve_suspension(actor=supervisor, order=order)
    assert nothing.value.code == "nothing_pending"

    request = services.order_request_suspension(
        actor=engineer, order=order, reason="缺少配件", photos=[jpeg()]
    )
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS  # not suspended until approved
    assert request.photos.count() == 1
    with pytest.raises(TransitionNotAllowed) as twice:
        services.order_request_suspension(actor=engineer, order=order, reason="again")
    assert twice.value.code == "already_pending"

    services.order_reject_suspension(actor=supervisor, order=order, reason="先用备用件")
    request.refresh_from_db()
    assert request.decision == SuspensionDecision.REJECTED and request.decided_by == cast.supervisor
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS

    services.order_request_suspension(actor=engineer, order=order, reason="备用件也坏了")
    services.order_approve_suspension(actor=supervisor, order=order, note="同意")
    order.refresh_from_db()
    assert order.status == S.SUSPENDED
    assert order.work_orders.get(status=WorkOrderStatus.SUSPENDED)
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.notify_roles == ["reporter", "engineer"]


def test_job_sheet_needs_work_done_and_result_and_keeps_parts(cast: Cast) -> None:
    order = drive(cast, S.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.order_submit_job_sheet(actor=cast.actor("engineer"), order=order, work_done="", result="")
    assert set(excinfo.value.message_dict) == {"work_done"}

    work_order = services.order_submit_job_sheet(
        actor=cast.actor("engineer"),
        order=order,
        work_done="更换硒鼓",
        result="已修复",
        parts=[{"name": "硒鼓", "quantity": "2"}, "清洁套件"],
        photos=[jpeg()],
    )
    assert work_order.parts == [{"name": "硒鼓", "quantity": 2}, {"name": "清洁套件", "quantity": 1}]
    assert work_order.status == WorkOrderStatus.AWAITING_CONFIRMATION
    assert OrderPhoto.objects.filter(work_order=work_order, kind="job_sheet").count() == 1
    order.refresh_from_db()
    assert order.status == S.AWAITING_CONFIRMATION and order.job_submitted_at is not None


# --- Confirmation and rating ------------------------------------------------------------------------


def test_engineer_cannot_confirm_own_job(cast: Cast) -> None:
    # The engineer also reports faults as a customer with the same phone number.
    engineer_as_customer = customer_get_or_create(phone=cast.engineer.phone, name="工程师自己")
    order = drive(cast, S.AWAITING_CONFIRMATION, reporter=engineer_as_customer)

    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_confirm_completion(actor=Actor.for_customer(engineer_as_customer), order=order)

    assert excinfo.value.code == "own_job"
    assert RepairOrder.objects.get(pk=order.pk).status == S.AWAITING_CONFIRMATION


def test_company_manager_confirms_a_members_order(cast: Cast) -> None:
    order = drive(cast, S.AWAITING_CONFIRMATION)
    done = services.order_confirm_completion(actor=cast.actor("manager"), order=order)
    assert done.status == S.COMPLETED and done.completed_at is not None
    assert done.work_orders.get().status == WorkOrderStatus.COMPLETED


def test_a_manager_of_another_company_cannot_confirm(cast: Cast) -> None:
    from accounts.models import CustomerCompany

    other = CustomerCompany.objects.create(name="别家公司", registration_token="tok-other")
    stranger = customer_get_or_create(phone="13700000105", name="别家经理", company=other)
    stranger.is_company_manager = True
    stranger.save()
    order = drive(cast, S.AWAITING_CONFIRMATION)
    with pytest.raises(TransitionNotAllowed):
        services.order_confirm_completion(actor=Actor.for_customer(stranger), order=order)


def test_rating_happens_once(cast: Cast) -> None:
    order = drive(cast, S.COMPLETED)
    rating = services.order_rate(
        actor=cast.actor("reporter"), order=order, stars=4, tags=["技术好"], comment="快"
    )
    assert rating.stars == 4 and rating.tags == ["技术好"]
    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_rate(actor=cast.actor("reporter"), order=order, stars=5)
    assert excinfo.value.code == "already_rated"
    assert RepairOrder.objects.get(pk=order.pk).rating_stars == 4


def test_rating_is_refused_when_the_provider_switched_ratings_off(cast: Cast) -> None:
    settings = provider_settings()
    settings.ratings_enabled = False
    settings.save()
    order = drive(cast, S.COMPLETED)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_rate(actor=cast.actor("reporter"), order=order, stars=5)
    assert excinfo.value.code == "ratings_disabled"


@pytest.mark.parametrize(
    ("stars", "tags", "field"), [(0, [], "stars"), (6, [], "stars"), (5, ["乱写"], "tags")]
)
def test_rating_input_is_checked(cast: Cast, stars: int, tags: list[str], field: str) -> None:
    order = drive(cast, S.COMPLETED)
    with pytest.raises(ValidationError) as excinfo:
        services.order_rate(actor=cast.actor("reporter"), order=order, stars=stars, tags=tags)
    assert field in excinfo.value.message_dict


# --- Manual progress, notes, external sync ------------------------------------------------------------


def test_manual_progress_needs_an_engineer_for_repair_states(cast: Cast) -> None:
    order = drive(cast, S.ACCEPTED)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_set_progress(
            actor=cast.actor("admin"), order=order, status=S.IN_PROGRESS, reason="电话"
        )
    assert excinfo.value.code == "needs_engineer"
    with pytest.raises(TransitionNotAllowed) as same:
        services.order_set_progress(actor=cast.actor("admin"), order=order, status=S.ACCEPTED, reason="电话")
    assert same.value.code == "wrong_target"

    done = services.order_set_progress(
        actor=cast.actor("admin"), order=order, status=S.COMPLETED, reason="电话解决"
    )
    assert done.status == S.COMPLETED and done.completed_at is not None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.transition == "set_progress" and event.note == "电话解决" and event.to_status == S.COMPLETED


def test_internal_notes_are_hidden_from_customers(cast: Cast) -> None:
    order = drive(cast, S.DISPATCHED)
    services.order_add_note(actor=cast.actor("engineer"), order=order, note="客户脾气急，注意沟通")

    staff_view = order_timeline(actor=cast.actor("dispatcher"), order=order)
    customer_view = order_timeline(actor=cast.actor("reporter"), order=order)
    assert "add_note" in [e.transition for e in staff_view]
    assert "add_note" not in [e.transition for e in customer_view]
    assert staff_view[-1].notify_roles == []


def test_external_status_runs_the_mapped_transition_once(cast: Cast) -> None:
    order = drive(cast, S.SUBMITTED)
    synced = services.order_apply_external_status(order=order, status=S.ACCEPTED, external_status="已接单")
    again = services.order_apply_external_status(order=order, status=S.ACCEPTED, external_status="已接单")

    assert synced.status == again.status == S.ACCEPTED
    events = OrderEvent.objects.filter(order=order, transition="accept")
    assert events.count() == 1
    assert events.get().payload["external_status"] == "已接单"
    assert events.get().actor_role == "asset_adapter"
    assert events.get().notify_roles == ["reporter", "company_manager"]


def test_external_status_that_skips_steps_is_refused(cast: Cast) -> None:
    order = drive(cast, S.SUBMITTED)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_apply_external_status(order=order, status=S.COMPLETED)
    assert excinfo.value.code == "no_mapped_transition"


def test_a_deactivated_staff_member_can_do_nothing(cast: Cast) -> None:
    extra = staff_create(phone="13700000299", password=None, role=StaffRole.DISPATCHER)
    order = drive(cast, S.SUBMITTED)
    extra.is_active = False
    with pytest.raises(TransitionNotAllowed):
        services.order_accept(actor=Actor.for_staff(extra), order=order)
