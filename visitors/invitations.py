"""Invitation codes (邀请码): created by staff for one phone number, sent (the invitee can then find
it after verifying that phone), revoked, used once by an application.

Who may: any active staff member except gate guards creates invitations; the creator, the contact
person and administrators send or revoke them. Sending writes a ``VisitEvent`` for the invitee;
``integrations`` turns it into the SMS (with the link) or the WeChat message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from accounts.validators import normalize_phone
from visitors.models import EventKind, Invitation, InvitationStatus, Notify, Unit, VisitEvent, VisitorType
from visitors.validators import validate_window

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on phones
CODE_LENGTH = 8
MAX_VISITORS = 50


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def may_invite(actor: StaffMember) -> bool:
    return actor.is_active and actor.role != StaffRole.GUARD


def may_manage_invitation(actor: StaffMember, invitation: Invitation) -> bool:
    return actor.is_active and (
        actor.role == StaffRole.ADMIN or actor.pk in (invitation.created_by_id, invitation.host_id)
    )


@dataclass
class InvitationData:
    name: str
    phone: str
    visit_start: datetime | None
    visit_end: datetime | None
    host: StaffMember | None
    unit: Unit | None
    visitor_type: str
    visitors_count: int = 1
    note: str = ""


def _clean(data: InvitationData, *, now: datetime) -> InvitationData:
    errors: dict[str, list[str]] = {}
    name = " ".join((data.name or "").split())
    if not name:
        errors["name"] = [_("Enter the invitee's name.")]
    elif len(name) > 40:
        errors["name"] = [_("A name can be at most 40 characters.")]
    phone = ""
    try:
        phone = normalize_phone(data.phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        validate_window(data.visit_start, data.visit_end, now=now)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if data.host is None or not data.host.is_active:
        errors["host"] = [_("Choose the contact person.")]
    if data.unit is None:
        errors["unit"] = [_("Choose the unit to visit.")]
    if data.visitor_type not in VisitorType.values:
        errors["visitor_type"] = [_("Choose a visitor type.")]
    if not 1 <= int(data.visitors_count or 0) <= MAX_VISITORS:
        errors["visitors_count"] = [
            _("The number of visitors is between 1 and %(max)d.") % {"max": MAX_VISITORS}
        ]
    note = (data.note or "").strip()
    if len(note) > 200:
        errors["note"] = [_("A note can be at most 200 characters.")]
    if errors:
        raise ValidationError(errors)
    return InvitationData(
        name=name,
        phone=phone,
        visit_start=data.visit_start,
        visit_end=data.visit_end,
        host=data.host,
        unit=data.unit,
        visitor_type=data.visitor_type,
        visitors_count=int(data.visitors_count),
        note=note,
    )


@transaction.atomic
def invitation_create(*, actor: StaffMember, data: InvitationData, now: datetime | None = None) -> Invitation:
    if not may_invite(actor):
        raise PermissionDenied(_("Gate guards cannot invite visitors."))
    clean = _clean(data, now=now or timezone.now())
    assert clean.host is not None and clean.unit is not None
    assert clean.visit_start is not None and clean.visit_end is not None
    code = new_code()
    while Invitation.objects.filter(code=code).exists():
        code = new_code()
    return Invitation.objects.create(
        code=code,
        phone=clean.phone,
        name=clean.name,
        visit_start=clean.visit_start,
        visit_end=clean.visit_end,
        host=clean.host,
        unit=clean.unit,
        visitor_type=clean.visitor_type,
        visitors_count=clean.visitors_count,
        note=clean.note,
        created_by=actor,
    )


@transaction.atomic
def invitation_send(*, actor: StaffMember, invitation: Invitation) -> Invitation:
    """Make the code findable by its phone and tell the invitee (again, when already sent)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_manage_invitation(actor, invitation):
        raise PermissionDenied(_("Only its creator, the contact person or an administrator may send it."))
    if invitation.current_status not in (InvitationStatus.CREATED, InvitationStatus.SENT):
        raise ValidationError(
            _("This invitation is %(status)s and cannot be sent.")
            % {"status": invitation.get_current_status_display()}
        )
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["status", "sent_at"])
    VisitEvent.objects.create(
        invitation=invitation,
        kind=EventKind.INVITATION_SENT,
        actor_staff=actor,
        actor_display=str(actor),
        notify=[Notify.INVITEE],
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: StaffMember, invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_manage_invitation(actor, invitation):
        raise PermissionDenied(_("Only its creator, the contact person or an administrator may revoke it."))
    if invitation.status in (InvitationStatus.USED, InvitationStatus.REVOKED):
        raise ValidationError(
            _("This invitation is %(status)s and cannot be revoked.")
            % {"status": invitation.get_current_status_display()}
        )
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["status", "revoked_at"])
    return invitation


def invitation_for_code(*, code: str, phone: str, now: datetime | None = None) -> Invitation:
    """The usable invitation with ``code`` for ``phone`` (the verified phone of the visitor).
    One message for every refusal of a code that is not this person's, so codes cannot be probed."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_related("host", "unit")
        .filter(code=(code or "").strip().upper(), phone=phone, sent_at__isnull=False)
        .first()
    )
    if invitation is None:
        raise ValidationError(
            {"invitation_code": [_("No invitation with this code was sent to your phone.")]}
        )
    status = invitation.current_status
    if status != InvitationStatus.SENT:
        raise ValidationError(
            {
                "invitation_code": [
                    _("This invitation is %(status)s.") % {"status": invitation.get_current_status_display()}
                ]
            }
        )
    return invitation
