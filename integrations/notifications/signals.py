"""Listen to the order domain: every new ``OrderEvent`` that notifies someone is fanned out after
its transaction commits (``repair_forms`` writes events and knows nothing of us).

The enqueue never raises into the request: if the broker is down the event stays un-fanned and the
sweeper (``integrations.sweep_notifications``) picks it up later."""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models.signals import post_save

from repair_forms.models import OrderEvent

DISPATCH_UID = "integrations.notifications.order_event_saved"


def order_event_saved(
    sender: Any, instance: OrderEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw or not instance.notify_roles:
        return
    from integrations.notifications.tasks import enqueue_fan_out

    event_id = instance.pk
    schema = str(getattr(connection, "schema_name", "public"))  # the event's schema, not the one at commit
    transaction.on_commit(lambda: enqueue_fan_out(event_id, schema=schema), robust=True)


def connect() -> None:
    from integrations.models import WeChatAccount
    from integrations.wechat.accounts import account_saved

    post_save.connect(order_event_saved, sender=OrderEvent, dispatch_uid=DISPATCH_UID)
    post_save.connect(account_saved, sender=WeChatAccount, dispatch_uid="integrations.wechat.account_saved")
