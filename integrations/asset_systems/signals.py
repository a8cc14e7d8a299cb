"""Listen to the order domain: a submitted order is linked to the bound system in its own
transaction and pushed after commit (``repair_forms`` writes events and knows nothing of us).

Nothing here may fail a customer's report: the link is made in a savepoint and any error is
logged; the push itself runs after commit, and the sweeper (``asset_systems.push_due``) sends
whatever a lost enqueue left pending."""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save

from repair_forms.models import OrderEvent

logger = logging.getLogger(__name__)
DISPATCH_UID = "integrations.asset_systems.order_submitted"


def order_event_saved(
    sender: Any, instance: OrderEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw or instance.transition != "submit":
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
