"""Staff: invitations, roles, deactivation.

What must stay true: the owner is never demoted or deactivated; at least one active admin always
remains; a member who may not sign in (invited, pending, rejected, deactivated) has an inactive
Django user, so any session they had ends at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole, StaffStatus
from accounts.services._common import (
    _clean_display_name,
    _ensure_free_seat,
    _require_admin,
    _set_password,
    _set_status,
    _staff_locked,
    _staff_locked_in,
)
from accounts.services.people import staff_create


def _ensure_another_admin_remains(staff: StaffMember) -> None:
    """Refuse when ``staff`` is the last active admin. Locks the admins so two admins demoting each
    other at the same moment cannot both succeed."""
    admins = list(
        StaffMember.objects.select_for_update()
        .filter(role=StaffRole.ADMIN, is_active=True)
        .values_list("pk", flat=True)
    )
    if staff.pk in admins and len(admins) <= 1:
        raise ValidationError(_("At least one active administrator must remain."), code="last_admin")


@transaction.atomic
def staff_invite(
    *, actor: StaffMember, phone: str, role: str, display_name: str, seats: int | None = None
) -> StaffMember:
    """A new staff member who cannot sign in until they set a password through the invitation
    link (``accounts.tokens.staff_invite_token``); the caller texts them the link after commit."""
    _require_admin(actor)
    display_name = _clean_display_name(display_name)
    _ensure_free_seat(seats)
    staff = staff_create(phone=phone, password=None, role=role, display_name=display_name)
    _set_status(staff, StaffStatus.INVITED)
    return staff


@transaction.atomic
def staff_invite_renew(*, actor: StaffMember, staff: StaffMember) -> StaffMember:
    """Before re-sending an invitation: rotates the unusable password so older links stop working."""
    _require_admin(actor)
    staff = _staff_locked_in(
        staff, StaffStatus.INVITED, _("Only an invitation that has not been accepted can be sent again.")
    )
    staff.user.set_unusable_password()
    staff.user.save(update_fields=["password"])
    return staff


@transaction.atomic
def staff_invite_accept(*, staff: StaffMember, password: str) -> StaffMember:
    """The invited member chose a password: they are active from now on."""
    staff = _staff_locked_in(
        staff, StaffStatus.INVITED, _("This invitation has already been used or was cancelled.")
    )
    _set_password(staff.user, password)
    staff.user.save(update_fields=["password"])
    _set_status(staff, StaffStatus.ACTIVE)
    return staff


@transaction.atomic
def staff_change_role(*, actor: StaffMember, staff: StaffMember, role: str) -> StaffMember:
    _require_admin(actor)
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    staff = _staff_locked(staff)
    if staff.role == role:
        return staff
    if staff.role == StaffRole.ADMIN:
        if staff.is_owner:
            raise ValidationError(_("The owner is always an administrator."), code="owner")
        _ensure_another_admin_remains(staff)
    staff.role = role
    staff.save(update_fields=["role"])
    return staff


@transaction.atomic
def staff_deactivate(*, actor: StaffMember, staff: StaffMember) -> StaffMember:
    """Ends the member's access (and their sessions). Nothing is deleted: their history stays."""
    _require_admin(actor)
    staff = _staff_locked(staff)
    if staff.is_owner:
        raise ValidationError(_("The owner cannot be deactivated."), code="owner")
    if staff.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."), code="self")
    if staff.status not in {StaffStatus.ACTIVE, StaffStatus.INVITED}:
        raise ValidationError(_("Only active or invited staff can be deactivated."))
    _ensure_another_admin_remains(staff)
    _set_status(staff, StaffStatus.DEACTIVATED)
    return staff


@transaction.atomic
def staff_reactivate(*, actor: StaffMember, staff: StaffMember, seats: int | None = None) -> StaffMember:
    """Back to active, or back to invited for someone who never chose a password."""
    _require_admin(actor)
    staff = _staff_locked_in(staff, StaffStatus.DEACTIVATED, _("Only deactivated staff can be reactivated."))
    _ensure_free_seat(seats)
    _set_status(staff, StaffStatus.ACTIVE if staff.user.has_usable_password() else StaffStatus.INVITED)
    return staff
