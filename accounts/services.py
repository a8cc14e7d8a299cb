"""Writes for people. Keyword-only, typed, atomic."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from accounts.validators import normalize_phone


@transaction.atomic
def staff_create(
    *, phone: str, password: str | None, role: str, display_name: str = "", is_owner: bool = False
) -> StaffMember:
    phone = normalize_phone(phone)
    if role not in StaffRole.values:
        raise ValidationError({"role": [_("Choose a valid role.")]})
    if StaffMember.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": [_("A staff member with this phone number already exists.")]})
    user_model = get_user_model()
    user = user_model(username=phone, first_name=display_name[:150])
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return StaffMember.objects.create(
        user=user, phone=phone, role=role, display_name=display_name, is_owner=is_owner
    )
