"""Visitor events through the order outbox: the next approver is told at each step (in-app + SMS),
the visitor on approval (with the pass link) and rejection, the contact person on arrival, the
invitee by SMS with the apply link; fan-out is idempotent and the sweeper catches lost enqueues."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from integrations.models import Audience, Channel, Notification, NotificationStatus
from integrations.notifications.tasks import sweep_tenant
from integrations.notifications.visitor_events import visit_notifications_fan_out
from integrations.sms.gateway import DevBackend
from visitors import services
from visitors.models import VisitEvent
from visitors.tests.helpers import School, make_school


@pytest.fixture
def school(actors: Any) -> Any:
    with schema_context(actors.tenant_a.schema_name):
        DevBackend.outbox.clear()
        yield make_school(actors)
    DevBackend.outbox.clear()


def _told(event: VisitEvent | None) -> set[tuple[str, str, str]]:
    assert event is not None
    visit_notifications_fan_out(event_id=event.pk)
    return {
        (n.audience, n.channel, str(n.staff or n.customer))
        for n in Notification.objects.filter(visit_event=event).select_related("staff", "customer")
    }


def test_each_step_tells_the_next_approver_and_the_end_tells_the_visitor(school: School):
    application = school.submit()
    submitted = application.events.get(kind="submitted")
    assert _told(submitted) == {
        (Audience.APPROVER, Channel.INAPP, "对接人张老师"),
        (Audience.APPROVER, Channel.SMS, "对接人张老师"),
    }
    services.application_decide(actor=school.host, application=application, approve=True)
    assert {who for _a, _c, who in _told(application.events.filter(kind="step_approved").last())} == {
        "院长李老师"
    }
    services.application_decide(actor=school.head, application=application, approve=True)
    to_group = _told(application.events.filter(kind="step_approved").last())
    assert {who for _a, _c, who in to_group} == {"物资组赵老师", "物资组钱老师"}
    services.application_decide(actor=school.materials, application=application, approve=True)
    approved = application.events.get(kind="approved")
    assert _told(approved) == {
        (Audience.VISITOR, Channel.INAPP, "王访客"),
        (Audience.VISITOR, Channel.SMS, "王访客"),
    }
    sms = Notification.objects.get(visit_event=approved, channel=Channel.SMS)
    assert sms.link.endswith(f"/visit/mine/{application.pk}/pass/") and sms.address == school.visitor.phone
    assert sms.payload["sms"]["number"] == application.reference


def test_a_rejection_tells_the_visitor_with_the_reason(school: School):
    application = school.submit()
    services.application_decide(actor=school.host, application=application, approve=False, reason="时间冲突")
    rejected = application.events.get(kind="rejected")
    _told(rejected)
    inapp = Notification.objects.get(visit_event=rejected, channel=Channel.INAPP)
    assert "时间冲突" in inapp.body and inapp.customer == school.visitor


def test_the_contact_person_is_told_when_the_visitor_arrives(school: School):
    visit_pass = school.approve_all(school.submit()).visit_pass
    services.gate_check(guard=school.guard, value=visit_pass.short_code, direction="entry")
    entered = visit_pass.application.events.get(kind="entered")
    assert (Audience.HOST, Channel.INAPP, "对接人张老师") in _told(entered)


def test_the_invitee_gets_the_apply_link_by_sms_and_fan_out_runs_once(school: School):
    invitation = school.invite()
    event = invitation.events.get()
    first = visit_notifications_fan_out(event_id=event.pk)
    again = visit_notifications_fan_out(event_id=event.pk)
    assert first == again and Notification.objects.filter(visit_event=event).count() == 2
    sms = Notification.objects.get(visit_event=event, channel=Channel.SMS)
    assert f"/visit/apply/?code={invitation.code}" in sms.link and invitation.code in sms.body


def test_the_sweeper_fans_out_and_delivers_visit_events_nobody_enqueued(school: School):
    application = school.submit()  # no on_commit in this test: as if the broker had been down
    event = application.events.get(kind="submitted")
    sweep_tenant(grace_seconds=0, deliver_inline=True)
    sms = Notification.objects.get(visit_event=event, channel=Channel.SMS)
    assert sms.status == NotificationStatus.SENT
    assert [(m.phone, m.template.name) for m in DevBackend.outbox] == [(school.host.phone, "visit_notice")]


def test_events_are_fanned_out_after_commit(school: School, django_capture_on_commit_callbacks: Any):
    with django_capture_on_commit_callbacks(execute=True):
        application = school.submit()
    assert Notification.objects.filter(visit_event__application=application, staff=school.host).exists()


def test_a_person_who_chose_english_is_told_in_english(school: School):
    from integrations.models import NotificationPreference

    NotificationPreference.objects.create(staff=school.host, language="en")
    application = school.submit()
    _told(application.events.get(kind="submitted"))
    inapp = Notification.objects.get(
        visit_event__application=application, staff=school.host, channel=Channel.INAPP
    )
    assert inapp.language == "en" and inapp.title == "A visit application waits for your approval"
