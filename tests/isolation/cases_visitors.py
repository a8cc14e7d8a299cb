"""Isolation cases of the visitor module (console, the visitor's portal pages, the gate, the API).

Objects are built in tenant A with the seed's school (``visitors.tests.helpers.make_school``); the
marker is a visitor's or invitee's name that only that object carries. Viewers: A's owner (an
administrator) for the console, the contact person for decisions, the visitor (a portal customer
of A) for the portal pages and the visitor API.
"""

from __future__ import annotations

from typing import Any

from tests.isolation.case import Build, Case, Private, Public, _marker_only

APPLICANT = "访客隔离甲"
INVITEE = "受邀隔离乙"
UNIT = "隔离学院丙"
GROUP = "隔离审批组丁"
STEP = "隔离步骤戊"


def _school(actors: Any) -> Any:
    from visitors.tests.helpers import make_school

    return make_school(actors)


def _application(*, approved: bool = False) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        school = _school(actors)
        application = school.submit(name=APPLICANT)
        if approved:
            school.approve_all(application)
        return {"pk": application.pk}, APPLICANT

    return build


def _invitation(actors: Any) -> tuple[dict[str, Any], str]:
    invitation = _school(actors).invite(name=INVITEE)
    return {"pk": invitation.pk}, INVITEE


def _invitation_for_visitor(actors: Any) -> tuple[dict[str, Any], str]:
    invitation = _school(actors).invite(name=INVITEE)
    return {}, invitation.code


def _unit(actors: Any) -> tuple[dict[str, Any], str]:
    from visitors.models import Unit

    _school(actors)
    return {"pk": Unit.objects.create(name=UNIT).pk}, UNIT


def _group(actors: Any) -> tuple[dict[str, Any], str]:
    from visitors.models import ApproverGroup

    _school(actors)
    return {"pk": ApproverGroup.objects.create(name=GROUP).pk}, GROUP


def _step(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.models import StaffMember
    from visitors import services

    school = _school(actors)
    admin = StaffMember.objects.get(pk=actors.owner_a.pk)
    step = services.chain_step_save(actor=admin, name=STEP, approver_kind="person", person=school.host)
    return {"pk": step.pk}, STEP


def _on_site(actors: Any) -> tuple[dict[str, Any], str]:
    from visitors import services

    school = _school(actors)
    visit_pass = school.approve_all(school.submit(name=APPLICANT)).visit_pass
    services.gate_check(guard=school.guard, value=visit_pass.short_code, direction="entry")
    return {}, visit_pass.short_code


def _staff_viewer(phone: str) -> Any:
    def viewer(actors: Any) -> Any:
        from django_tenants.utils import schema_context

        from accounts.models import StaffMember
        from tests.actors import client_for

        with schema_context(actors.tenant_a.schema_name):
            staff = StaffMember.objects.get(phone=phone)
        return client_for(actors.tenant_a, staff)

    return viewer


def _visitor_viewer(actors: Any) -> Any:
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.models import Customer
    from tests.actors import host_of

    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    with schema_context(actors.tenant_a.schema_name):
        client.force_login(Customer.objects.get(phone="+8613700000301").user)
    return client


HOST = _staff_viewer("+8613800000201")
GUARD = _staff_viewer("+8613800000205")
VISITOR = _visitor_viewer


def _apply_data(actors: Any) -> dict[str, Any]:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.models import StaffMember
    from visitors.models import Unit
    from visitors.tests.helpers import later, resident_id

    with schema_context(actors.tenant_a.schema_name):
        unit = Unit.objects.get(name="信息学院")
        host = StaffMember.objects.get(phone="+8613800000201")
    return {
        "visit_start": timezone.localtime(later(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "visit_end": timezone.localtime(later(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "name": APPLICANT,
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13700000301",
        "unit": unit.pk,
        "host": host.pk,
        "visitor_type": "temporary",
        "reason": "交流",
    }


def _school_only(actors: Any) -> tuple[dict[str, Any], str]:
    _school(actors)
    return {}, actors.owner_a.phone


CASES: dict[str, Case] = {
    # Console (A's owner is an administrator).
    "console:visitors": Private(build=_school_only),
    "console:visitors-applications": Private(build=_marker_only(_application())),
    "console:visitors-application": Private(build=_application()),
    "console:visitors-pass-revoke": Private(build=_application(approved=True)),
    "console:visitors-invitations": Private(build=_marker_only(_invitation)),
    "console:visitors-invitation-new": Private(build=_school_only),
    "console:visitors-invitation-import": Private(build=_school_only),
    "console:visitors-invitation": Private(build=_invitation),
    "console:visitors-setup": Private(build=_marker_only(_unit)),
    "console:visitors-unit-new": Private(build=_school_only),
    "console:visitors-unit": Private(build=_unit),
    "console:visitors-group-new": Private(build=_school_only),
    "console:visitors-group": Private(build=_group),
    "console:visitors-step-new": Private(build=_school_only),
    "console:visitors-step": Private(build=_step),
    "console:visitors-step-action": Private(build=_step),
    "console:visitors-gate": Private(build=_marker_only(_on_site), viewer=GUARD),
    # The visitor's pages on the portal.
    "portal:visit-home": Public(),
    "portal:visit-codes": Private(build=_invitation_for_visitor, viewer=VISITOR),
    "portal:visit-apply": Private(build=_school_only, viewer=VISITOR),
    "portal:visit-applications": Private(build=_marker_only(_application()), viewer=VISITOR),
    "portal:visit-application": Private(build=_application(), viewer=VISITOR),
    "portal:visit-pass": Private(build=_application(approved=True), viewer=VISITOR),
    # API.
    "api-visitors-invitations": Private(build=_invitation_for_visitor, viewer=VISITOR),
    # The visitor lists and applies (201 with the application).
    "api-visitors-applications": Private(
        methods=("get", "post"), build=_marker_only(_application()), data=_apply_data, viewer=VISITOR
    ),
    "api-visitors-application": Private(build=_application(), viewer=VISITOR),
    "api-visitors-process": Private(build=_marker_only(_application()), viewer=HOST),
    "api-visitors-process-detail": Private(build=_application(), viewer=HOST),
    "api-visitors-decision": Private(
        methods=("post",), build=_application(), data={"decision": "approve"}, viewer=HOST
    ),
    "api-visitors-gate-check": Private(
        methods=("post",), build=_school_only, data={"code": "NOPE2345", "direction": "entry"}, viewer=GUARD
    ),
    "api-visitors-on-site": Private(build=_marker_only(_on_site), viewer=GUARD),
}
