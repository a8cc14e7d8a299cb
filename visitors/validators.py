"""Checks on what a visitor types: ID numbers (the PRC resident ID's ISO 7064 MOD 11-2 check digit
and birth date; passports as free text), plate numbers and the visit window. Messages are translated
and name the field, so a form and the API show the same words."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from visitors.models import IdType

_RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_DIGITS = "10X98765432"
_PASSPORT_RE = re.compile(r"^[A-Z0-9]{5,20}$")
# Mainland plates: province, issuing-office letter, 5 characters (6 for new-energy vehicles).
_PLATE_RE = re.compile(
    r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领]"
    r"[A-Z][A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳]$"
)
MAX_VISIT_DAYS = 366
MAX_COMPANIONS = 20


def resident_id_check_digit(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_DIGITS[total % 11]


def normalize_id_number(id_type: str, raw: str) -> str:
    """The ID number as stored (upper case, no spaces); raises ``ValidationError({"id_number": …})``."""
    value = re.sub(r"\s+", "", raw or "").upper()
    if not value:
        raise ValidationError({"id_number": [_("Enter the ID number.")]})
    if id_type == IdType.RESIDENT_ID:
        if not _RESIDENT_ID_RE.match(value):
            raise ValidationError(
                {"id_number": [_("A resident ID number has 18 characters: 17 digits and a digit or X.")]}
            )
        try:
            born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        except ValueError as exc:
            raise ValidationError(
                {"id_number": [_("This resident ID number has an impossible birth date.")]}
            ) from exc
        if born.year < 1900 or born > date.today():
            raise ValidationError({"id_number": [_("This resident ID number has an impossible birth date.")]})
        if resident_id_check_digit(value[:17]) != value[17]:
            raise ValidationError(
                {"id_number": [_("This resident ID number's check digit is wrong; check it again.")]}
            )
        return value
    if id_type == IdType.PASSPORT:
        if not _PASSPORT_RE.match(value):
            raise ValidationError({"id_number": [_("A passport number has 5 to 20 letters and digits.")]})
        return value
    raise ValidationError({"id_type": [_("Choose an ID type.")]})


def normalize_plate(raw: str) -> str:
    value = re.sub(r"[\s·•-]+", "", raw or "").upper()
    if not _PLATE_RE.match(value):
        raise ValidationError({"plate_number": [_("Enter a plate number such as 粤A12345.")]})
    return value


def validate_window(start: datetime | None, end: datetime | None, *, now: datetime) -> None:
    """A visit window lies in the future (or has started today), ends after it starts, and is at
    most a year long."""
    if start is None or end is None:
        raise ValidationError({"visit_start": [_("Enter when the visit starts and ends.")]})
    if end <= start:
        raise ValidationError({"visit_end": [_("The visit must end after it starts.")]})
    if end <= now:
        raise ValidationError({"visit_end": [_("The visit window is already over.")]})
    if end - start > timedelta(days=MAX_VISIT_DAYS):
        raise ValidationError({"visit_end": [_("A visit window can be at most a year long.")]})


def normalize_companions(raw: object) -> list[str]:
    """Companions' names: a list, or text with one name per line or separated by commas."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = re.split(r"[\n,，、;；]+", raw)
    elif isinstance(raw, list | tuple):
        items = [str(i) for i in raw]
    else:
        raise ValidationError({"companions": [_("List the companions' names.")]})
    names = [" ".join(i.split())[:40] for i in items if i and i.strip()]
    if len(names) > MAX_COMPANIONS:
        raise ValidationError(
            {"companions": [_("At most %(max)d companions may come along.") % {"max": MAX_COMPANIONS}]}
        )
    return names
