"""我的信息 and 设置: what the customer portal shows about the provider, and its settings (ratings,
free-form reporting, time limits, the origins allowed to embed the portal)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ProviderProfile, ProviderSettings, StaffMember
from accounts.services._common import Errors, _checked, _contact, _require_admin
from accounts.validators import normalize_embed_origins, normalize_rating_tags, normalize_star_descriptions


@transaction.atomic
def provider_profile_update(
    *, actor: StaffMember, contact_person: str, contact_phone: str, address: str, about: str
) -> ProviderProfile:
    """What the customer portal shows about the provider (its name lives on tenants.Provider)."""
    _require_admin(actor)
    errors: Errors = {}
    about = (about or "").strip()
    if len(about) > 2000:
        errors["about"] = [_("At most 2000 characters.")]
    contact = _contact(errors, contact_person=contact_person, contact_phone=contact_phone, address=address)
    if errors:
        raise ValidationError(errors)
    profile = ProviderProfile.objects.select_for_update().get_or_create(pk=1)[0]
    profile.contact_person, profile.contact_phone = contact["contact_person"], contact["contact_phone"]
    profile.address, profile.about = contact["address"], about
    profile.save()
    return profile


SETTINGS_LIMITS: dict[str, tuple[int, int]] = {
    "waiting_sla_hours": (1, 720),
    "repair_sla_hours": (1, 2160),
    "urge_after_hours": (1, 168),
    "auto_confirm_days": (1, 30),
}


@transaction.atomic
def provider_settings_update(
    *,
    actor: StaffMember,
    ratings_enabled: bool,
    free_form_reporting_enabled: bool,
    star_descriptions: dict[str, str],
    rating_tags: list[str],
    waiting_sla_hours: int,
    repair_sla_hours: int,
    urge_after_hours: int,
    auto_confirm_days: int,
    embed_allowed_origins: list[str],
) -> ProviderSettings:
    _require_admin(actor)
    errors: Errors = {}
    numbers: dict[str, int] = {
        "waiting_sla_hours": waiting_sla_hours,
        "repair_sla_hours": repair_sla_hours,
        "urge_after_hours": urge_after_hours,
        "auto_confirm_days": auto_confirm_days,
    }
    for field, value in numbers.items():
        low, high = SETTINGS_LIMITS[field]
        if not low <= value <= high:
            errors[field] = [_("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}]
    stars: dict[str, str] = _checked(
        errors, "star_descriptions", normalize_star_descriptions, star_descriptions, {}
    )
    tags: list[str] = _checked(errors, "rating_tags", normalize_rating_tags, rating_tags, [])
    if ratings_enabled and not tags and "rating_tags" not in errors:
        errors["rating_tags"] = [_("Add at least one rating tag, or switch ratings off.")]
    origins: list[str] = _checked(
        errors, "embed_allowed_origins", normalize_embed_origins, embed_allowed_origins, []
    )
    if errors:
        raise ValidationError(errors)
    row = ProviderSettings.objects.select_for_update().get_or_create(pk=1)[0]
    row.ratings_enabled = ratings_enabled
    row.free_form_reporting_enabled = free_form_reporting_enabled
    row.star_descriptions, row.rating_tags, row.embed_allowed_origins = stars, tags, origins
    row.waiting_sla_hours, row.repair_sla_hours = waiting_sla_hours, repair_sla_hours
    row.urge_after_hours, row.auto_confirm_days = urge_after_hours, auto_confirm_days
    row.save()
    return row
