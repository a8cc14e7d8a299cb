"""Phone numbers: parsed with ``phonenumbers`` (region CN by default), stored in E.164."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str, region: str = "CN") -> str:
    try:
        parsed = phonenumbers.parse((raw or "").strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": [_("Enter a valid phone number.")]}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError({"phone": [_("Enter a valid phone number.")]})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
