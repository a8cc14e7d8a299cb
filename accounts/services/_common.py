"""Shared pieces of the people services: who may act, the staff row lock and status switch (the
Django user's ``is_active`` follows it), seats, and the checks of names and passwords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole, StaffStatus
from accounts.validators import validate_contact_phone

T = TypeVar("T")
Errors = dict[str, list[str]]


def _squash(text: str | None) -> str:
    """``text`` with its white space folded to single spaces (None: "")."""
    return " ".join((text or "").split())


def _checked(errors: Errors, field: str, check: Callable[[Any], T], value: Any, default: T) -> T:
    """``check(value)``, or ``default`` with its refusal noted under ``field`` in ``errors`` (so a
    form shows every bad field at once)."""
    try:
        return check(value)
    except ValidationError as exc:
        errors[field] = exc.messages
        return default


def _contact(errors: Errors, *, contact_person: str, contact_phone: str, address: str) -> dict[str, str]:
    """A contact (person, phone, address) folded and checked; refusals go to ``errors``."""
    contact_person, address = _squash(contact_person), _squash(address)
    if len(contact_person) > 60:
        errors["contact_person"] = [_("At most 60 characters.")]
    if len(address) > 200:
        errors["address"] = [_("At most 200 characters.")]
    contact_phone = _checked(errors, "contact_phone", validate_contact_phone, contact_phone, contact_phone)
    return {"contact_person": contact_person, "contact_phone": contact_phone, "address": address}


def _require_admin(actor: StaffMember) -> None:
    if not (actor.is_active and actor.role == StaffRole.ADMIN):
        raise PermissionDenied


def _staff_locked(staff: StaffMember) -> StaffMember:
    return StaffMember.objects.select_related("user").select_for_update().get(pk=staff.pk)


def _staff_locked_in(staff: StaffMember, status: str, refusal: str) -> StaffMember:
    """The member, locked, if their status is ``status``; else ``refusal`` (a sentence)."""
    staff = _staff_locked(staff)
    if staff.status != status:
        raise ValidationError(refusal)
    return staff


def _set_status(staff: StaffMember, status: str, *, extra_fields: tuple[str, ...] = ()) -> None:
    staff.status = status
    staff.is_active = status == StaffStatus.ACTIVE
    staff.save(update_fields=["status", "is_active", *extra_fields])
    user = staff.user
    if user.is_active != staff.is_active:
        user.is_active = staff.is_active
        user.save(update_fields=["is_active"])


def _set_password(user: Any, password: str) -> None:
    """Check ``password`` against the validators (refusals on the ``password`` field) and set it;
    the caller saves the user."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)


def _ensure_free_seat(seats: int | None) -> None:
    """``seats``: how many active or invited staff the provider's plan allows now (None: no limit;
    the caller reads it from billing's entitlements)."""
    if seats is None:
        return
    taken = StaffMember.objects.select_for_update().filter(
        status__in=[StaffStatus.ACTIVE, StaffStatus.INVITED]
    )
    if len(taken.values_list("pk", flat=True)) >= seats:
        if seats <= 0:
            raise ValidationError(
                _("Your account has expired. Renew it under My account to add staff."), code="no_seat"
            )
        raise ValidationError(
            _(
                "All %(seats)d staff seats of your plan are in use. Upgrade under My account, or "
                "deactivate someone first."
            )
            % {"seats": seats},
            code="no_seat",
        )


def _clean_display_name(display_name: str) -> str:
    name = _squash(display_name)
    if not name:
        raise ValidationError({"display_name": [_("Enter the person's name.")]})
    if len(name) > 60:
        raise ValidationError({"display_name": [_("A name has at most 60 characters.")]})
    return name
