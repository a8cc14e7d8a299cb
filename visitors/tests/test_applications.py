"""Applying: invitations bind and pre-fill, ID numbers are checked, sealed and masked, every field
says what is wrong in both languages, and a visitor sees only their own."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from accounts.crypto import reveal
from accounts.services import customer_get_or_create
from visitors import selectors, services
from visitors.models import InvitationStatus, Notify, VisitorType
from visitors.tests.helpers import School, later, resident_id
from visitors.validators import normalize_id_number


def test_a_resident_id_needs_the_right_check_digit_and_a_real_birth_date():
    good = resident_id()
    assert normalize_id_number("resident_id", good.lower()) == good
    wrong_digit = good[:17] + ("0" if good[17] != "0" else "1")
    for bad in (wrong_digit, "110105194913310021", "12345", good[:17] + "Y"):
        with pytest.raises(ValidationError):
            normalize_id_number("resident_id", bad)
    assert normalize_id_number("passport", " e1234 5678 ") == "E12345678"
    with pytest.raises(ValidationError):
        normalize_id_number("passport", "护照")


def test_the_id_number_is_sealed_at_rest_and_shown_in_full_only_to_approvers(school: School):
    application = school.submit()
    number = resident_id()
    assert number not in application.id_number_sealed and reveal(application.id_number_sealed) == number
    assert (
        application.masked_id_number.endswith(number[-4:]) and number[:6] not in application.masked_id_number
    )
    assert selectors.id_number_for(actor=school.host, application=application) == number
    assert selectors.id_number_for(actor=school.admin, application=application) == number
    assert (
        selectors.id_number_for(actor=school.guard, application=application) == application.masked_id_number
    )


def test_an_invitation_sent_to_my_phone_prefills_and_is_used_once(school: School):
    invitation = school.invite(visitor_type=VisitorType.LONG_TERM)
    assert list(selectors.invitations_for_visitor(customer=school.visitor)) == [invitation]
    assert invitation.events.get().notify == [Notify.INVITEE]
    application = school.submit(
        invitation_code=invitation.code.lower(), visitor_type="", host=None, unit=None
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.USED
    assert (application.host, application.unit, application.visitor_type) == (
        school.host,
        school.unit,
        VisitorType.LONG_TERM,
    )
    assert list(selectors.process_centre(actor=school.host, tab="started")) == [application]
    with pytest.raises(ValidationError):
        school.submit(invitation_code=invitation.code)


def test_an_unsent_revoked_or_someone_elses_invitation_cannot_be_used(school: School):
    unsent = school.invite(send=False)
    revoked = school.invite()
    services.invitation_revoke(actor=school.host, invitation=revoked)
    elses = school.invite(phone="13700000399")
    assert not selectors.invitations_for_visitor(customer=school.visitor).filter(pk=unsent.pk).exists()
    for invitation in (unsent, revoked, elses):
        with pytest.raises(ValidationError) as caught:
            school.submit(invitation_code=invitation.code)
        assert "invitation_code" in caught.value.message_dict


def test_an_invitation_past_its_window_reads_expired(school: School):
    invitation = school.invite(visit_start=later(minutes=1), visit_end=later(minutes=2))
    invitation.visit_end = later(minutes=-1)
    invitation.save()
    assert invitation.current_status == InvitationStatus.EXPIRED


def test_guards_cannot_invite(school: School):
    with pytest.raises(PermissionDenied):
        services.invitation_create(
            actor=school.guard,
            data=services.InvitationData(
                name="x",
                phone="13700000111",
                visit_start=later(),
                visit_end=later(hours=1),
                host=school.host,
                unit=school.unit,
                visitor_type=VisitorType.TEMPORARY,
            ),
        )


def test_walk_in_applications_follow_the_tenant_setting(school: School):
    services.visitor_settings_update(actor=school.admin, walk_in_allowed=False, extra_fields=[])
    with pytest.raises(ValidationError) as caught:
        school.submit()
    assert "invitation_code" in caught.value.message_dict


@pytest.mark.parametrize(
    ("language", "messages"),
    [
        (
            "en",
            {"name": "Enter the visitor's name.", "plate_number": "Enter a plate number such as 粤A12345."},
        ),
        ("zh-hans", {"name": "请填写访客姓名。", "plate_number": "请填写车牌号，例如 粤A12345。"}),
    ],
)
def test_every_bad_field_is_named_in_both_languages(school: School, language: str, messages: dict[str, str]):
    with translation.override(language), pytest.raises(ValidationError) as caught:
        school.submit(name="", plate_number="ABC", id_number="1234", visit_end=later(hours=-1), reason="")
    errors = caught.value.message_dict
    assert {"name", "plate_number", "id_number", "visit_end", "reason"} <= set(errors)
    for key, text in messages.items():
        assert errors[key] == [text]


def test_a_visitor_sees_only_their_own_applications_by_tab(school: School):
    mine = school.submit()
    other = customer_get_or_create(phone="13700000398")
    theirs = services.application_submit(applicant=other, data=school.data(phone=other.phone))
    services.application_decide(actor=school.host, application=theirs, approve=False, reason="不便接待")
    assert list(selectors.applications_for_visitor(customer=school.visitor, tab="pending")) == [mine]
    assert not selectors.applications_for_visitor(customer=school.visitor, tab="rejected").exists()
    assert list(selectors.applications_for_visitor(customer=other, tab="rejected")) == [theirs]
    assert not selectors.application_list(actor=school.bystander).exists()
    assert set(selectors.application_list(actor=school.admin)) == {mine, theirs}
