"""Engineer self-registration (MangoIT: engineers register through the provider's link, an admin
approves or rejects them)."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ProviderSettings, StaffMember, StaffRole, StaffStatus
from accounts.services._common import (
    _clean_display_name,
    _ensure_free_seat,
    _require_admin,
    _set_password,
    _set_status,
    _squash,
    _staff_locked_in,
)
from accounts.services.people import staff_create
from accounts.validators import normalize_phone


def _join_token_set(actor: StaffMember, token: str) -> ProviderSettings:
    _require_admin(actor)
    settings_row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    settings_row.engineer_join_token = token
    settings_row.save(update_fields=["engineer_join_token", "updated_at"])
    return settings_row


@transaction.atomic
def engineer_join_link_renew(*, actor: StaffMember) -> ProviderSettings:
    """Switches the registration link on, or replaces it (old links and printed QR codes die)."""
    return _join_token_set(actor, secrets.token_urlsafe(18))


@transaction.atomic
def engineer_join_link_disable(*, actor: StaffMember) -> ProviderSettings:
    return _join_token_set(actor, "")


@transaction.atomic
def engineer_register(
    *, join_token: str, phone: str, display_name: str, password: str, skills: str = "", region: str = ""
) -> StaffMember:
    """A pending engineer from the registration link. The caller has verified the SMS code.

    Someone whose earlier registration was rejected may register again; any other existing staff
    member with this phone is refused."""
    settings_row = ProviderSettings.objects.filter(pk=1).first()
    if not join_token or settings_row is None or settings_row.engineer_join_token != join_token:
        raise ValidationError(
            _("This registration link is no longer valid. Ask the administrator for a new one."),
            code="token",
        )
    name = _clean_display_name(display_name)
    skills = _squash(skills)
    region = _squash(region)
    if len(skills) > 200:
        raise ValidationError({"skills": [_("Skills have at most 200 characters.")]})
    if len(region) > 100:
        raise ValidationError({"region": [_("The service region has at most 100 characters.")]})
    phone = normalize_phone(phone)
    staff = StaffMember.objects.select_related("user").select_for_update().filter(phone=phone).first()
    if staff is None:
        staff = staff_create(phone=phone, password=password, role=StaffRole.ENGINEER, display_name=name)
    elif staff.status == StaffStatus.REJECTED:
        _set_password(staff.user, password)
        staff.user.first_name = name[:150]
        staff.user.save(update_fields=["password", "first_name"])
        staff.role = StaffRole.ENGINEER
        staff.display_name = name
    else:
        raise ValidationError({"phone": [_("This phone number is already registered with this provider.")]})
    staff.skills, staff.region, staff.rejection_reason = skills, region, ""
    staff.save(update_fields=["role", "display_name", "skills", "region", "rejection_reason"])
    _set_status(staff, StaffStatus.PENDING)
    return staff


@transaction.atomic
def engineer_approve(*, actor: StaffMember, staff: StaffMember, seats: int | None = None) -> StaffMember:
    _require_admin(actor)
    staff = _staff_locked_in(
        staff, StaffStatus.PENDING, _("Only a registration awaiting approval can be approved.")
    )
    _ensure_free_seat(seats)
    _set_status(staff, StaffStatus.ACTIVE)
    return staff


@transaction.atomic
def engineer_reject(*, actor: StaffMember, staff: StaffMember, reason: str) -> StaffMember:
    _require_admin(actor)
    reason = _squash(reason)
    if not reason:
        raise ValidationError({"reason": [_("Give a reason: the engineer receives it by text message.")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("The reason has at most 200 characters.")]})
    staff = _staff_locked_in(
        staff, StaffStatus.PENDING, _("Only a registration awaiting approval can be rejected.")
    )
    staff.rejection_reason = reason
    _set_status(staff, StaffStatus.REJECTED, extra_fields=("rejection_reason",))
    return staff
