"""The seed's approval chain: contact person → unit head → 物资保障组 (temporary) or 信息报送组
(long-term); rejection at every level; only the active step's approvers decide."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from visitors import selectors, services
from visitors.models import (
    ApplicationStatus,
    ApproverKind,
    EventKind,
    Notify,
    StepState,
    VisitorType,
)
from visitors.tests.helpers import School


def _states(application):
    return [(s.name, s.state) for s in application.steps.order_by("position")]


def test_temporary_visitor_goes_contact_person_unit_head_then_materials_group(school: School):
    application = school.submit(visitor_type=VisitorType.TEMPORARY)
    assert _states(application) == [
        ("对接人审批", StepState.ACTIVE),
        ("单位负责人审批", StepState.WAITING),
        ("物资保障组审批", StepState.WAITING),
        ("信息报送组审批", StepState.SKIPPED),
    ]
    assert list(selectors.process_centre(actor=school.host, tab="waiting")) == [application]
    assert not selectors.process_centre(actor=school.head, tab="waiting").exists()

    services.application_decide(actor=school.host, application=application, approve=True)
    assert list(selectors.process_centre(actor=school.head, tab="waiting")) == [application]
    services.application_decide(actor=school.head, application=application, approve=True)
    assert list(selectors.process_centre(actor=school.materials, tab="waiting")) == [application]
    assert not selectors.process_centre(actor=school.reporting, tab="waiting").exists()
    services.application_decide(actor=school.materials, application=application, approve=True)

    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.visit_pass.repeat_entry is False
    assert [e.kind for e in selectors.timeline(application)] == [
        EventKind.SUBMITTED,
        EventKind.STEP_APPROVED,
        EventKind.STEP_APPROVED,
        EventKind.STEP_APPROVED,
        EventKind.APPROVED,
    ]
    assert list(selectors.process_centre(actor=school.head, tab="handled")) == [application]


def test_long_term_visitor_goes_to_the_reporting_group_instead(school: School):
    application = school.submit(visitor_type=VisitorType.LONG_TERM)
    for approver in (school.host, school.head):
        services.application_decide(actor=approver, application=application, approve=True)
    with pytest.raises(PermissionDenied):
        services.application_decide(actor=school.materials, application=application, approve=True)
    services.application_decide(actor=school.reporting, application=application, approve=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.visit_pass.repeat_entry is True
    assert _states(application)[2:] == [
        ("物资保障组审批", StepState.SKIPPED),
        ("信息报送组审批", StepState.APPROVED),
    ]


@pytest.mark.parametrize("level", [0, 1, 2])
def test_a_rejection_at_any_level_ends_the_chain_and_tells_the_visitor(school: School, level: int):
    application = school.submit()
    approvers = [school.host, school.head, school.materials]
    for approver in approvers[:level]:
        services.application_decide(actor=approver, application=application, approve=True)
    services.application_decide(
        actor=approvers[level], application=application, approve=False, reason="时间冲突"
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert not hasattr(application, "visit_pass") or application.visit_pass is None
    states = [s.state for s in application.steps.order_by("position")]
    assert states[level] == StepState.REJECTED
    assert all(s == StepState.CLOSED for s in states[level + 1 : 3])
    last = selectors.timeline(application).last()
    assert last is not None and last.kind == EventKind.REJECTED and last.note == "时间冲突"
    assert last.notify == [Notify.VISITOR]
    with pytest.raises(ValidationError):
        services.application_decide(actor=approvers[-1], application=application, approve=True)


def test_a_rejection_needs_a_reason(school: School):
    application = school.submit()
    with pytest.raises(ValidationError) as caught:
        services.application_decide(actor=school.host, application=application, approve=False, reason=" ")
    assert "reason" in caught.value.message_dict


def test_only_the_active_steps_approver_may_decide_not_even_an_administrator(school: School):
    application = school.submit()
    for wrong in (school.head, school.materials, school.bystander, school.admin, school.guard):
        with pytest.raises(PermissionDenied):
            services.application_decide(actor=wrong, application=application, approve=True)
    assert application.steps.get(position=1).state == StepState.ACTIVE


def test_any_one_member_of_the_group_approves_its_step(school: School):
    application = school.submit()
    services.application_decide(actor=school.host, application=application, approve=True)
    services.application_decide(actor=school.head, application=application, approve=True)
    services.application_decide(actor=school.materials2, application=application, approve=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    with pytest.raises(ValidationError):
        services.application_decide(actor=school.materials, application=application, approve=True)


def test_the_next_approvers_are_named_on_each_event_that_hands_the_application_on(school: School):
    application = school.submit()
    services.application_decide(actor=school.host, application=application, approve=True)
    submitted, handed_on = list(selectors.timeline(application))
    assert submitted.step is not None and handed_on.step is not None
    assert submitted.notify == [Notify.NEXT_APPROVERS] and submitted.step.name == "对接人审批"
    assert handed_on.notify == [Notify.NEXT_APPROVERS] and handed_on.step.name == "对接人审批"


def test_a_step_with_nobody_to_decide_falls_to_the_administrators(school: School):
    school.unit.head = None
    school.unit.save()
    application = school.submit()
    services.application_decide(actor=school.host, application=application, approve=True)
    assert list(selectors.process_centre(actor=school.admin, tab="waiting")) == [application]


def test_a_chain_step_may_name_a_person_and_a_condition_on_an_extra_field(school: School):
    services.visitor_settings_update(
        actor=school.admin,
        walk_in_allowed=True,
        extra_fields=[
            {
                "key": "health_code",
                "type": "select",
                "required": True,
                "label": {"zh": "健康码", "en": "Health code"},
                "options": [
                    {"value": "green", "label": {"zh": "绿码", "en": "Green"}},
                    {"value": "yellow", "label": {"zh": "黄码", "en": "Yellow"}},
                ],
            }
        ],
    )
    services.chain_step_save(
        actor=school.admin,
        name="保卫处复核",
        approver_kind=ApproverKind.PERSON,
        person=school.bystander,
        condition_field="health_code",
        condition_value="yellow",
    )
    green = school.submit(extra={"health_code": "green"})
    yellow = school.submit(extra={"health_code": "yellow"})
    assert green.steps.get(name="保卫处复核").state == StepState.SKIPPED
    assert yellow.steps.get(name="保卫处复核").state == StepState.WAITING
    assert list(yellow.steps.get(name="保卫处复核").approvers.all()) == [school.bystander]
    with pytest.raises(ValidationError) as caught:
        school.submit(extra={"health_code": "purple"})
    assert "health_code" in caught.value.message_dict


def test_only_administrators_change_the_chain(school: School):
    with pytest.raises(PermissionDenied):
        services.chain_step_save(actor=school.host, name="x", approver_kind=ApproverKind.CONTACT_PERSON)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "This application is not waiting for your approval."), ("zh-hans", "这份申请不在等待您审批。")],
)
def test_the_wrong_approver_is_told_why_in_both_languages(school: School, language: str, expected: str):
    application = school.submit()
    with translation.override(language), pytest.raises(PermissionDenied) as caught:
        services.application_decide(actor=school.head, application=application, approve=True)
    assert str(caught.value) == expected
