"""Phone numbers (parsed with ``phonenumbers``, region CN by default, stored in E.164) and the
checks on what a provider types into its settings (contact numbers, embed origins, rating tags)."""

from __future__ import annotations

import re

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


# --- Provider-entered settings -------------------------------------------------------------------

_CONTACT_PHONE_RE = re.compile(r"^[0-9+()\- ]{5,30}$")
_ORIGIN_RE = re.compile(
    r"^(?P<scheme>https?)://(?P<wildcard>\*\.)?(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)(?P<port>:\d{1,5})?$"
)
MAX_EMBED_ORIGINS = 10
MAX_RATING_TAGS = 12
MAX_RATING_TAG_LENGTH = 10
MAX_STAR_DESCRIPTION_LENGTH = 20


def validate_contact_phone(raw: str) -> str:
    """A phone number customers can call: mobile, landline with area code, or a 400/800 hotline."""
    value = " ".join((raw or "").split())
    if not value:
        return ""
    if not _CONTACT_PHONE_RE.match(value) or sum(ch.isdigit() for ch in value) < 5:
        raise ValidationError(
            _("Enter a phone number customers can call, e.g. 0571-88886666 or 400-123-4567.")
        )
    return value


def tel_href(phone: str) -> str:
    """The ``tel:`` form of a contact number (digits and a leading +), safe inside an href."""
    digits = re.sub(r"[^0-9+]", "", phone or "")
    return digits[:1] + digits[1:].replace("+", "") if digits else ""


def normalize_embed_origin(raw: str) -> str:
    """``https://www.example.com`` (scheme and host, optional port and ``*.`` wildcard, no path)."""
    value = (raw or "").strip().rstrip("/")
    scheme, sep, rest = value.partition("://")
    if sep and rest:
        wildcard = rest.startswith("*.")
        host, colon, port = rest.removeprefix("*.").partition(":")
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = "\x00"
        value = f"{scheme.lower()}://{'*.' if wildcard else ''}{host.lower()}{colon}{port}"
    match = _ORIGIN_RE.match(value)
    if match is None or (match["port"] and not 0 < int(match["port"][1:]) < 65536):
        raise ValidationError(
            _("“%(origin)s” is not a site address like https://www.example.com (no path)."),
            params={"origin": (raw or "").strip()[:80]},
        )
    return value


def normalize_embed_origins(values: list[str]) -> list[str]:
    origins: list[str] = []
    errors: list[ValidationError] = []
    for raw in values:
        if not (raw or "").strip():
            continue
        try:
            origin = normalize_embed_origin(raw)
        except ValidationError as exc:
            errors.append(exc)
            continue
        if origin not in origins:
            origins.append(origin)
    if errors:
        raise ValidationError(errors)
    if len(origins) > MAX_EMBED_ORIGINS:
        raise ValidationError(
            _("List at most %(limit)d sites."), params={"limit": MAX_EMBED_ORIGINS}, code="too_many"
        )
    return origins


def normalize_rating_tags(values: list[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = " ".join((raw or "").split())
        if not tag:
            continue
        if len(tag) > MAX_RATING_TAG_LENGTH:
            raise ValidationError(
                _("The tag “%(tag)s” is too long: at most %(limit)d characters."),
                params={"tag": tag[:40], "limit": MAX_RATING_TAG_LENGTH},
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_RATING_TAGS:
        raise ValidationError(_("Use at most %(limit)d rating tags."), params={"limit": MAX_RATING_TAGS})
    return tags


def normalize_star_descriptions(values: dict[str, str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for star in ("1", "2", "3", "4", "5"):
        text = " ".join(str(values.get(star) or "").split())
        if not text:
            raise ValidationError(
                _("Describe what %(stars)s stars mean."), params={"stars": star}, code="required"
            )
        if len(text) > MAX_STAR_DESCRIPTION_LENGTH:
            raise ValidationError(
                _("The description of %(stars)s stars is too long: at most %(limit)d characters."),
                params={"stars": star, "limit": MAX_STAR_DESCRIPTION_LENGTH},
            )
        result[star] = text
    return result
