"""Visit applications (访客进校申请) and their approval.

``application_submit`` validates everything the visitor typed (extra fields with the form-template
machinery), seals the ID number, resolves the chain into ``ApplicationStep`` rows (conditions are
evaluated here, once) and activates the first step. ``application_decide`` lets one of the active
step's approvers approve (the next step becomes active, or the application is approved and its pass
issued) or reject with a reason (the chain ends). Each writes one ``VisitEvent`` in the same
transaction: the timeline and the notification source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.crypto import seal
from accounts.models import Customer, StaffMember, StaffRole
from accounts.validators import normalize_phone
from repair_forms.fields import validate_submission
from visitors.invitations import invitation_for_code
from visitors.models import (
    Application,
    ApplicationStatus,
    ApplicationStep,
    ApproverKind,
    ChainStep,
    EventKind,
    IdType,
    InvitationStatus,
    Notify,
    StepState,
    Unit,
    VisitEvent,
    VisitorType,
)
from visitors.organisation import chain_default_ensure, visitor_settings
from visitors.passes import pass_issue
from visitors.validators import (
    normalize_companions,
    normalize_id_number,
    normalize_plate,
    validate_window,
)


@dataclass
class ApplicationData:
    """What the form or the API hands over (strings as typed; the service cleans them)."""

    name: str = ""
    phone: str = ""
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""
    unit: Unit | None = None
    host: StaffMember | None = None
    visit_start: datetime | None = None
    visit_end: datetime | None = None
    visitor_type: str = ""
    companions: Any = None
    driving: bool = False
    plate_number: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    invitation_code: str = ""


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def _clean(data: ApplicationData, *, applicant: Customer, now: datetime) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = [_("Enter the visitor's name.")]
    elif len(name) > 40:
        errors["name"] = [_("A name can be at most 40 characters.")]
    values["name"] = name
    try:
        values["phone"] = normalize_phone(data.phone or applicant.phone)
    except ValidationError as exc:
        _collect(errors, exc)
    if data.id_type not in IdType.values:
        errors["id_type"] = [_("Choose an ID type.")]
    else:
        try:
            values["id_number"] = normalize_id_number(data.id_type, data.id_number)
        except ValidationError as exc:
            _collect(errors, exc)
    try:
        validate_window(data.visit_start, data.visit_end, now=now)
    except ValidationError as exc:
        _collect(errors, exc)
    if data.unit is None:
        errors["unit"] = [_("Choose the unit to visit.")]
    if data.host is None or not data.host.is_active:
        errors["host"] = [_("Choose the contact person.")]
    if data.visitor_type not in VisitorType.values:
        errors["visitor_type"] = [_("Choose a visitor type.")]
    try:
        values["companions"] = normalize_companions(data.companions)
    except ValidationError as exc:
        _collect(errors, exc)
    values["plate_number"] = ""
    if data.driving:
        try:
            values["plate_number"] = normalize_plate(data.plate_number)
        except ValidationError as exc:
            _collect(errors, exc)
    reason = (data.reason or "").strip()
    if not reason:
        errors["reason"] = [_("Say why you are visiting.")]
    elif len(reason) > 300:
        errors["reason"] = [_("The reason can be at most 300 characters.")]
    values["reason"] = reason
    definitions = visitor_settings().extra_fields
    values["extra_fields"] = definitions
    try:
        values["extra"] = (
            validate_submission(definitions, data.extra or {}, now=now).extra if definitions else {}
        )
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    return values


def _unit_head(application: Application) -> StaffMember | None:
    """The head of the contact person's unit (their first unit by name), else of the visited unit."""
    unit = Unit.objects.filter(members=application.host).select_related("head").order_by("name").first()
    if unit is None or unit.head is None:
        unit = application.unit
    return unit.head if unit.head and unit.head.is_active else None


def _approvers(step: ChainStep, application: Application) -> list[StaffMember]:
    people: list[StaffMember] = []
    if step.approver_kind == ApproverKind.CONTACT_PERSON:
        people = [application.host]
    elif step.approver_kind == ApproverKind.UNIT_HEAD:
        head = _unit_head(application)
        people = [head] if head else []
    elif step.approver_kind == ApproverKind.GROUP and step.group is not None:
        people = list(step.group.members.filter(is_active=True))
    elif step.approver_kind == ApproverKind.PERSON and step.person is not None:
        people = [step.person]
    people = [p for p in people if p.is_active]
    if not people:
        # A step nobody can decide would block the visitor for ever: administrators take it.
        people = list(StaffMember.objects.filter(role=StaffRole.ADMIN, is_active=True))
    return people


def _condition_holds(step: ChainStep, application: Application) -> bool:
    if not step.condition_field:
        return True
    if step.condition_field == "driving":
        actual: Any = "yes" if application.driving else "no"
        return str(step.condition_value).lower() in (
            {"yes", "true", "1", "是"} if actual == "yes" else {"no", "false", "0", "否"}
        )
    if step.condition_field in ("visitor_type", "id_type"):
        actual = getattr(application, step.condition_field)
    else:
        actual = (application.extra or {}).get(step.condition_field)
    if isinstance(actual, list):
        return step.condition_value in [str(a) for a in actual]
    return str(actual if actual is not None else "") == step.condition_value


def _resolve_chain(application: Application) -> list[ApplicationStep]:
    chain_default_ensure()
    steps: list[ApplicationStep] = []
    for config in ChainStep.objects.select_related("group", "person").order_by("position", "id"):
        applies = _condition_holds(config, application)
        step = ApplicationStep.objects.create(
            application=application,
            position=len(steps) + 1,
            name=config.name,
            approver_kind=config.approver_kind,
            state=StepState.WAITING if applies else StepState.SKIPPED,
        )
        if applies:
            step.approvers.set(_approvers(config, application))
        steps.append(step)
    return steps


@transaction.atomic
def application_submit(
    *, applicant: Customer, data: ApplicationData, now: datetime | None = None
) -> Application:
    """File an application for the signed-in visitor. With an invitation code (sent to the
    visitor's verified phone) the contact person, unit and visitor type come from the invitation
    and the invitation is used up; without one the tenant must allow walk-in applications."""
    now = now or timezone.now()
    invitation = None
    if (data.invitation_code or "").strip():
        invitation = invitation_for_code(code=data.invitation_code, phone=applicant.phone, now=now)
        invitation = type(invitation).objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.SENT:
            raise ValidationError({"invitation_code": [_("This invitation has already been used.")]})
        data.host, data.unit, data.visitor_type = invitation.host, invitation.unit, invitation.visitor_type
    elif not visitor_settings().walk_in_allowed:
        raise ValidationError(
            {"invitation_code": [_("Visits need an invitation code; ask your contact person.")]}
        )
    values = _clean(data, applicant=applicant, now=now)
    assert data.unit is not None and data.host is not None
    assert data.visit_start is not None and data.visit_end is not None
    id_number = values["id_number"]
    application = Application.objects.create(
        invitation=invitation,
        applicant=applicant,
        name=values["name"],
        phone=values["phone"],
        id_type=data.id_type,
        id_number_sealed=seal(id_number),
        id_number_tail=id_number[-4:],
        unit=data.unit,
        host=data.host,
        visit_start=data.visit_start,
        visit_end=data.visit_end,
        visitor_type=data.visitor_type,
        companions=values["companions"],
        driving=bool(data.driving),
        plate_number=values["plate_number"],
        reason=values["reason"],
        extra=values["extra"],
        extra_fields=values["extra_fields"],
        created_at=now,
    )
    if invitation is not None:
        invitation.status = InvitationStatus.USED
        invitation.used_at = now
        invitation.save(update_fields=["status", "used_at"])
    steps = _resolve_chain(application)
    following = _advance(application, steps, actor=None, now=now)
    VisitEvent.objects.create(
        application=application,
        step=following,
        kind=EventKind.SUBMITTED,
        actor_display=application.name,
        notify=[Notify.NEXT_APPROVERS] if following else [],
        created_at=now,
    )
    if following is None:
        _approved(application, actor=None, now=now)
    return application


def _advance(
    application: Application, steps: list[ApplicationStep], *, actor: StaffMember | None, now: datetime
) -> ApplicationStep | None:
    """Activate the next waiting step and return it; None when no step is left."""
    following = next((s for s in steps if s.state == StepState.WAITING), None)
    if following is not None:
        following.state = StepState.ACTIVE
        following.save(update_fields=["state"])
    return following


def _approved(application: Application, *, actor: StaffMember | None, now: datetime) -> None:
    """The last step approved (or nothing to approve): the application is approved, the pass issued."""
    application.status = ApplicationStatus.APPROVED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    pass_issue(application=application, now=now)
    VisitEvent.objects.create(
        application=application,
        kind=EventKind.APPROVED,
        actor_staff=actor,
        actor_display=str(actor) if actor else "",
        notify=[Notify.VISITOR],
        created_at=now,
    )


@transaction.atomic
def application_decide(
    *,
    actor: StaffMember,
    application: Application,
    approve: bool,
    reason: str = "",
    now: datetime | None = None,
) -> Application:
    """Approve or reject the active step. Only that step's approvers may (``PermissionDenied``
    for anyone else, administrators included: the chain names who decides)."""
    now = now or timezone.now()
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise ValidationError(
            _("This application is already %(status)s.") % {"status": application.get_status_display()}
        )
    steps = list(application.steps.select_for_update().order_by("position"))
    active = next((s for s in steps if s.state == StepState.ACTIVE), None)
    if active is None or not active.approvers.filter(pk=actor.pk, is_active=True).exists():
        raise PermissionDenied(_("This application is not waiting for your approval."))
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": [_("The reason can be at most 300 characters.")]})
    if not approve and not reason:
        raise ValidationError({"reason": [_("Say why you reject the application.")]})
    active.decided_by, active.decided_at, active.reason = actor, now, reason
    if approve:
        active.state = StepState.APPROVED
        active.save(update_fields=["state", "decided_by", "decided_at", "reason"])
        following = _advance(application, steps, actor=actor, now=now)
        VisitEvent.objects.create(
            application=application,
            step=active,
            kind=EventKind.STEP_APPROVED,
            actor_staff=actor,
            actor_display=str(actor),
            note=reason,
            notify=[Notify.NEXT_APPROVERS] if following else [],
            created_at=now,
        )
        if following is None:
            _approved(application, actor=actor, now=now)
        return application
    active.state = StepState.REJECTED
    active.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    application.steps.filter(state=StepState.WAITING).update(state=StepState.CLOSED)
    application.status = ApplicationStatus.REJECTED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    VisitEvent.objects.create(
        application=application,
        step=active,
        kind=EventKind.REJECTED,
        actor_staff=actor,
        actor_display=str(actor),
        note=reason,
        notify=[Notify.VISITOR],
        created_at=now,
    )
    return application
