"""Mini-program subscribe messages (订阅消息) as the first try of a customer's WeChat and SMS notices.

A mini-program may message a user only after ``wx.requestSubscribeMessage``: each "accept" of a
one-time template allows exactly one message. The client reports the answers
(``POST /api/v1/miniprogram/subscriptions/``), which ``subscribe_results_record`` turns into
``SubscribeGrant.remaining``; sending takes one grant atomically. The provider maps our
notification slots to its mini-program templates (``MiniProgramAccount.subscribe_template_ids``),
choosing templates with the same keywords as the slot's fields, so the data already fitted to
WeChat's typed limits (``integrations.wechat.limits``: thing ≤ 20, character_string ≤ 32,
phrase ≤ 5, time …) is sent as it is.

``miniprogram_first(senders)`` wraps the official-account and SMS senders: a customer with a grant
for the slot's template gets the subscribe message; without one, or when WeChat refuses (43101
refused, 40003 …), the notice goes the way it would have — the official account, then SMS.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.db import transaction
from django.db.models import F
from wechatpy.exceptions import WeChatClientException

from integrations.miniprogram.client import miniprogram_client
from integrations.miniprogram.models import MiniProgramAccount, MiniProgramUser, SubscribeGrant
from integrations.wechat import tokens

logger = logging.getLogger(__name__)

ACCEPT = "accept"
MAX_GRANTS = 50  # WeChat keeps no more than this many pending one-time grants worth tracking


@transaction.atomic
def subscribe_results_record(*, user: MiniProgramUser, results: dict[str, str]) -> dict[str, int]:
    """Count the accepted templates (ours only); answer the grants now left per template."""
    account = MiniProgramAccount.objects.order_by("pk").first()
    ours = set((account.subscribe_template_ids or {}).values()) if account else set()
    for template_id, answer in results.items():
        if template_id not in ours or answer != ACCEPT:
            continue
        grant, _created = SubscribeGrant.objects.select_for_update().get_or_create(
            user=user, template_id=template_id
        )
        grant.remaining = min(MAX_GRANTS, grant.remaining + 1)
        grant.save(update_fields=["remaining", "updated_at"])
    return dict(SubscribeGrant.objects.filter(user=user).values_list("template_id", "remaining"))


def _grant_take(user: MiniProgramUser, template_id: str) -> bool:
    return bool(
        SubscribeGrant.objects.filter(user=user, template_id=template_id, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
    )


def _target(notification: Any) -> tuple[MiniProgramAccount, MiniProgramUser, str] | None:
    """(account, user, template) when this notice may go as a subscribe message."""
    if notification.customer_id is None:
        return None
    slot = str((notification.payload or {}).get("slot", ""))
    account = MiniProgramAccount.objects.order_by("pk").first()
    if not slot or account is None or not account.is_connected:
        return None
    template_id = str((account.subscribe_template_ids or {}).get(slot, ""))
    if not template_id:
        return None
    user = (
        MiniProgramUser.objects.filter(
            customer_id=notification.customer_id,
            subscribe_grants__template_id=template_id,
            subscribe_grants__remaining__gt=0,
        )
        .order_by("-last_sign_in_at")
        .first()
    )
    return (account, user, template_id) if user is not None else None


def send_subscribe(notification: Any) -> Any:
    """The subscribe message for ``notification``, or None when it cannot go that way."""
    from integrations.notifications.channels import Result

    target = _target(notification)
    if target is None:
        return None
    account, user, template_id = target
    if not _grant_take(user, template_id):
        return None
    data = (notification.payload or {}).get("wechat") or {}
    try:
        answer = miniprogram_client(account).wxa.send_subscribe_message(
            user.openid, template_id, data, page="pages/home/index"
        )
    except WeChatClientException as exc:
        if exc.errcode == 43101:  # the user withdrew: no grant is left whatever we counted
            SubscribeGrant.objects.filter(user=user, template_id=template_id).update(remaining=0)
        logger.info("mini-program subscribe message refused (%s); falling back", exc.errcode)
        return None
    except tokens.TokenUnavailable:
        return None
    msgid = answer.get("msgid", "") if isinstance(answer, dict) else ""
    return Result("sent", vendor_id=f"miniprogram:{msgid}"[:100])


K = TypeVar("K")
N = TypeVar("N")
R = TypeVar("R")


def miniprogram_first(
    senders: dict[K, Callable[[N], R]], channels: tuple[Any, ...]
) -> dict[K, Callable[[N], R]]:
    """``senders`` with the subscribe message tried first on ``channels``."""

    def wrap(sender: Callable[[N], R]) -> Callable[[N], R]:
        def send(notification: N) -> R:
            sent = send_subscribe(notification)
            return cast(R, sent) if sent is not None else sender(notification)

        send.__doc__ = f"mini-program subscribe message, else {getattr(sender, '__name__', 'the channel')}"
        return send

    return {channel: (wrap(s) if channel in channels else s) for channel, s in senders.items()}
