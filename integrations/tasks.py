"""Celery task modules of ``integrations`` (autodiscovery imports this module)."""

from integrations.notifications.tasks import (
    deliver_notification,
    deliver_notifications,
    fan_out_event,
    sweep_notifications,
)
from integrations.wechat.tasks import wechat_component_refresh, wechat_inbound_followup

__all__ = [
    "deliver_notification",
    "deliver_notifications",
    "fan_out_event",
    "sweep_notifications",
    "wechat_component_refresh",
    "wechat_inbound_followup",
]
