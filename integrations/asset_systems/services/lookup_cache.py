"""The lookup cache: an asset found in the external system is kept as a ``source=external`` asset."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from integrations.asset_systems.adapters import adapter_for
from integrations.asset_systems.adapters.base import (
    AdapterError,
    ExternalAsset,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.services._common import (
    adapter_actor,
    log_entry,
)
from repair_forms.asset_services import (
    AssetData,
    apply_asset_data,
    asset_create,
    asset_data_errors,
    catalog_path_get_or_create,
    company_by_name,
)
from repair_forms.models import Asset, AssetSource

logger = logging.getLogger(__name__)


# --- Lookup cache -------------------------------------------------------------------------------------


def _asset_data(found: ExternalAsset, *, existing: Asset | None) -> AssetData:
    brand, category, model = catalog_path_get_or_create(
        brand=found.brand,
        category=found.category if found.brand else "",
        model=found.model if found.category else "",
    )
    company = company_by_name(found.company) if found.company else None
    return AssetData(
        machine_no=found.machine_no[:60],
        serials=[s[:80] for s in found.serials if s][:10],
        brand=brand,
        category=category,
        model=model,
        company=company or (existing.company if existing else None),
        location_plot=found.location_plot[:60],
        location_building=found.location_building[:60],
        location_room=found.location_room[:60],
        location_address=found.location_address[:200],
        warranty_status=existing.warranty_status if existing else "unknown",
        warranty_ends_on=found.warranty_ends_on,
        notes=found.notes[:500],
        source=AssetSource.EXTERNAL,
        external_id=found.external_id[:80],
    )


def external_asset_lookup(*, binding: AssetSystemBinding, query: str) -> Asset | None:
    """Ask the bound system for ``query``; a hit is saved (or refreshed) here as an external asset.
    Returns None on a miss, on any failure (logged) and for a machine deactivated here."""
    adapter = adapter_for(binding)
    adapter.client.timeout = float(settings.ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS)
    try:
        found = adapter.lookup_asset(query)
    except AdapterError as exc:
        logger.warning("external lookup of %r failed: %s", query[:20], exc.message)
        return None
    if found is None or not found.external_id:
        return None
    return asset_cache_external(binding=binding, found=found)


def asset_cache_external(*, binding: AssetSystemBinding, found: ExternalAsset) -> Asset | None:
    """Save ``found`` as a local asset (source external), or refresh the one saved before."""
    actor = adapter_actor(binding)
    try:
        with transaction.atomic():
            existing = (
                Asset.objects.select_for_update()
                .filter(source=AssetSource.EXTERNAL, external_id=found.external_id[:80])
                .first()
            )
            if existing is not None and not existing.is_active:
                return None  # the provider switched this machine off here
            data = _asset_data(found, existing=existing)
            if existing is None:
                return asset_create(actor=actor, data=data)
            errors = asset_data_errors(data, exclude_pk=existing.pk)
            if errors:
                raise ValidationError(errors)
            apply_asset_data(existing, data)
            existing.save()
            return existing
    except IntegrityError:
        # Another lookup saved it a moment ago.
        return Asset.objects.filter(
            source=AssetSource.EXTERNAL, external_id=found.external_id[:80], is_active=True
        ).first()
    except ValidationError as exc:
        detail = "; ".join(str(m) for messages in exc.message_dict.values() for m in messages)
        log_entry(
            binding=binding,
            operation=SyncOperation.LOOKUP,
            result=SyncResult.FAILED,
            error=_("The machine was found but cannot be saved here: %(detail)s") % {"detail": detail},
            summary=f"asset {found.external_id[:40]}",
        )
        return None
