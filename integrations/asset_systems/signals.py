"""Listen to the order domain: a submitted order is linked to the bound system in its own
transaction and pushed after commit (``repair_forms`` writes events and knows nothing of us).

Nothing here may fail a customer's report: the link is made in a savepoint and any error is
logged; the push itself runs after commit, and the sweeper (``asset_systems.push_due``) sends
whatever a lost enqueue left pending."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from integrations.asset_systems.models import AssetSystemBinding
from repair_forms.models import OrderEvent
from tenants.tenant_cache import cached_for_tenant, forget

logger = logging.getLogger(__name__)
DISPATCH_UID = "integrations.asset_systems.order_submitted"
# Most providers bind no asset system: whether one is enabled is cached per tenant, so a submit
# makes no savepoint and no query for it (bench/README, "Submit speed").
BINDING_ENABLED_CACHE = "asset-binding-enabled"


def _any_binding_enabled() -> bool:
    return AssetSystemBinding.objects.filter(enabled=True).exists()


def binding_changed(sender: Any, **kwargs: Any) -> None:
    forget(BINDING_ENABLED_CACHE)


def order_event_saved(
    sender: Any, instance: OrderEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw or instance.transition != "submit":
        return
    if not cached_for_tenant(BINDING_ENABLED_CACHE, _any_binding_enabled):
        return
    from integrations.asset_systems.services import order_link_create
    from integrations.asset_systems.tasks import enqueue_push

    try:
        with transaction.atomic():
            link = order_link_create(order=instance.order)
    except Exception:
        logger.exception("could not queue order %s for the asset system", instance.order_id)
        return
    if link is not None:
        link_id, schema_name = link.pk, str(getattr(connection, "schema_name", ""))
        transaction.on_commit(lambda: enqueue_push([link_id], schema_name=schema_name), robust=True)


def connect() -> None:
    post_save.connect(order_event_saved, sender=OrderEvent, dispatch_uid=DISPATCH_UID)
    post_save.connect(binding_changed, sender=AssetSystemBinding, dispatch_uid=f"{DISPATCH_UID}.binding")
    post_delete.connect(
        binding_changed, sender=AssetSystemBinding, dispatch_uid=f"{DISPATCH_UID}.binding-del"
    )
