"""Writes for the brand → category → model catalog and for assets. Staff only (admins, dispatchers
and supervisors); ``PermissionDenied`` otherwise. Names are unique per parent; a machine number and
every serial number identify at most one asset (``Asset.lookup_keys`` keeps them normalised).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import CustomerCompany, StaffRole
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, AssetSource, Brand, Category, MachineModel, WarrantyStatus
from repair_forms.selectors import normalize_lookup_key

CATALOG_ROLES = frozenset({StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR})


def _require_staff(actor: Actor) -> None:
    if not (actor.is_staff and actor.role in CATALOG_ROLES) and actor.role != "asset_adapter":
        raise PermissionDenied(_("Only the provider's office staff can change assets and the catalog."))


def _name(value: str, *, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({"name": [_("Enter a name.")]})
    if len(text) > limit:
        raise ValidationError({"name": [_("The name can be at most %(max)d characters.") % {"max": limit}]})
    return text


# --- Catalog ----------------------------------------------------------------------------------------


@transaction.atomic
def brand_save(*, actor: Actor, name: str, brand: Brand | None = None, is_active: bool = True) -> Brand:
    _require_staff(actor)
    name = _name(name, limit=60)
    if Brand.objects.filter(name=name).exclude(pk=brand.pk if brand else -1).exists():
        raise ValidationError({"name": [_("This brand already exists.")]})
    brand = brand or Brand()
    brand.name, brand.is_active = name, is_active
    brand.save()
    return brand


@transaction.atomic
def category_save(
    *, actor: Actor, brand: Brand, name: str, category: Category | None = None, is_active: bool = True
) -> Category:
    _require_staff(actor)
    name = _name(name, limit=60)
    if Category.objects.filter(brand=brand, name=name).exclude(pk=category.pk if category else -1).exists():
        raise ValidationError({"name": [_("This brand already has this category.")]})
    category = category or Category()
    category.brand, category.name, category.is_active = brand, name, is_active
    category.save()
    return category


@transaction.atomic
def machine_model_save(
    *, actor: Actor, category: Category, name: str, model: MachineModel | None = None, is_active: bool = True
) -> MachineModel:
    _require_staff(actor)
    name = _name(name, limit=80)
    if (
        MachineModel.objects.filter(category=category, name=name)
        .exclude(pk=model.pk if model else -1)
        .exists()
    ):
        raise ValidationError({"name": [_("This category already has this model.")]})
    model = model or MachineModel()
    model.category, model.name, model.is_active = category, name, is_active
    model.save()
    return model


@transaction.atomic
def catalog_path_get_or_create(*, brand: str, category: str = "", model: str = "") -> tuple[Any, Any, Any]:
    """The catalog entries for these names, created when missing (imports, adapters, demo data)."""
    brand_obj = category_obj = model_obj = None
    if brand.strip():
        brand_obj, _created = Brand.objects.get_or_create(name=brand.strip()[:60])
        if category.strip():
            category_obj, _created = Category.objects.get_or_create(
                brand=brand_obj, name=category.strip()[:60]
            )
            if model.strip():
                model_obj, _created = MachineModel.objects.get_or_create(
                    category=category_obj, name=model.strip()[:80]
                )
    return brand_obj, category_obj, model_obj


@transaction.atomic
def catalog_entry_delete(*, actor: Actor, entry: Brand | Category | MachineModel) -> None:
    """Delete an unused entry; one in use (by assets, orders or children) is deactivated instead."""
    _require_staff(actor)
    from django.db.models import ProtectedError

    try:
        with transaction.atomic():
            entry.delete()
    except ProtectedError:
        entry.is_active = False
        entry.save(update_fields=["is_active"])


# --- Assets -----------------------------------------------------------------------------------------


@dataclass
class AssetData:
    """Everything an asset holds besides its identity; used by the console form, imports and adapters."""

    machine_no: str = ""
    serials: Sequence[str] = field(default_factory=list)
    brand: Brand | None = None
    category: Category | None = None
    model: MachineModel | None = None
    company: CustomerCompany | None = None
    location_plot: str = ""
    location_building: str = ""
    location_room: str = ""
    location_address: str = ""
    warranty_status: str = WarrantyStatus.UNKNOWN
    warranty_ends_on: date | None = None
    notes: str = ""
    source: str = AssetSource.LOCAL
    external_id: str = ""


def asset_data_errors(data: AssetData, *, exclude_pk: int | None = None) -> dict[str, list[str]]:
    """Everything wrong with ``data`` (empty dict when valid); shared with the importer."""
    errors: dict[str, list[str]] = {}
    machine_no = data.machine_no.strip()
    serials = [s.strip() for s in data.serials if s and s.strip()]
    if not machine_no and not serials:
        errors["machine_no"] = [_("Enter a machine number or at least one serial number.")]
    if len(machine_no) > 60:
        errors["machine_no"] = [_("The machine number can be at most %(max)d characters.") % {"max": 60}]
    if any(len(s) > 80 for s in serials):
        errors["serials"] = [_("A serial number can be at most %(max)d characters.") % {"max": 80}]
    if len(serials) > 10:
        errors["serials"] = [_("At most %(max)d serial numbers.") % {"max": 10}]
    if data.category is not None and (data.brand is None or data.category.brand_id != data.brand.pk):
        errors["category"] = [_("The category does not belong to the chosen brand.")]
    if data.model is not None and (data.category is None or data.model.category_id != data.category.pk):
        errors["model"] = [_("The model does not belong to the chosen category.")]
    if data.warranty_status not in WarrantyStatus.values:
        errors["warranty_status"] = [_("Choose a valid warranty status.")]
    for name, limit in (
        ("location_plot", 60),
        ("location_building", 60),
        ("location_room", 60),
        ("location_address", 200),
        ("notes", 500),
    ):
        if len(getattr(data, name) or "") > limit:
            errors[name] = [_("At most %(max)d characters.") % {"max": limit}]
    keys = lookup_keys_for(machine_no, serials)
    if len(set(keys)) != len(keys):
        errors.setdefault("serials", []).append(_("The same number is entered twice."))
    if keys and "machine_no" not in errors:
        clash = Asset.objects.filter(lookup_keys__overlap=keys).exclude(pk=exclude_pk or -1).first()
        if clash is not None:
            errors.setdefault("machine_no", []).append(
                _("Another machine (%(other)s) already has this machine or serial number.")
                % {"other": str(clash)}
            )
    return errors


def lookup_keys_for(machine_no: str, serials: Sequence[str]) -> list[str]:
    keys = [normalize_lookup_key(machine_no)] if machine_no.strip() else []
    keys += [normalize_lookup_key(s) for s in serials if s and s.strip()]
    return keys


def apply_asset_data(asset: Asset, data: AssetData) -> None:
    asset.machine_no = data.machine_no.strip()
    asset.serials = [s.strip() for s in data.serials if s and s.strip()]
    asset.lookup_keys = lookup_keys_for(asset.machine_no, asset.serials)
    asset.brand, asset.category, asset.model = data.brand, data.category, data.model
    asset.company = data.company
    asset.location_plot = data.location_plot.strip()
    asset.location_building = data.location_building.strip()
    asset.location_room = data.location_room.strip()
    asset.location_address = data.location_address.strip()
    asset.warranty_status = data.warranty_status
    asset.warranty_ends_on = data.warranty_ends_on
    asset.notes = data.notes.strip()
    asset.source = data.source
    asset.external_id = data.external_id.strip()


@transaction.atomic
def asset_create(*, actor: Actor, data: AssetData) -> Asset:
    _require_staff(actor)
    errors = asset_data_errors(data)
    if errors:
        raise ValidationError(errors)
    asset = Asset()
    apply_asset_data(asset, data)
    asset.save()
    return asset


@transaction.atomic
def asset_update(*, actor: Actor, asset: Asset, data: AssetData) -> Asset:
    _require_staff(actor)
    asset = Asset.objects.select_for_update().get(pk=asset.pk)
    errors = asset_data_errors(data, exclude_pk=asset.pk)
    if errors:
        raise ValidationError(errors)
    apply_asset_data(asset, data)
    asset.save()
    return asset


@transaction.atomic
def asset_deactivate(*, actor: Actor, asset: Asset) -> Asset:
    """Assets are never deleted (orders point at them); a deactivated one is not found by lookups."""
    _require_staff(actor)
    asset.is_active = False
    asset.save(update_fields=["is_active", "updated_at"])
    return asset


@transaction.atomic
def asset_regenerate_token(*, actor: Actor, asset: Asset) -> Asset:
    """A new QR token (old printed labels stop working), e.g. after labels were misused."""
    from repair_forms.models import new_asset_token

    _require_staff(actor)
    asset.token = new_asset_token()
    asset.save(update_fields=["token", "updated_at"])
    return asset


def company_by_name(name: str) -> CustomerCompany | None:
    return CustomerCompany.objects.filter(Q(name=name.strip())).first() if name.strip() else None
