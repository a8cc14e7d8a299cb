"""Work the WeChat callbacks hand off so they answer within 5 seconds.

- ``wechat_inbound_followup(inbound_id)``: after a ``subscribe``, fetch the follower's profile
  (``user/info``) and take its language for the notices of the customer or staff member bound to
  that openid;
- ``wechat_component_refresh(provider_id, auth_code)``: an authorized account changed its grant
  (``updateauthorized`` push): re-read its tokens and details in its provider's schema.
"""

from __future__ import annotations

import logging

from celery import shared_task
from wechatpy.exceptions import WeChatClientException

from accounts.models import Customer
from integrations.models import NotificationPreference, StaffWeChatBinding, WeChatInboundMessage
from integrations.wechat import tokens
from integrations.wechat.accounts import account_get
from integrations.wechat.client import account_client
from tenants.models import Provider
from tenants.services import in_tenant

logger = logging.getLogger(__name__)

WECHAT_LANGUAGES = {"zh_CN": "zh-hans", "zh_TW": "zh-hans", "zh_HK": "zh-hans", "en": "en"}


def enqueue_followup(inbound_id: int, *, schema: str) -> None:
    try:
        wechat_inbound_followup.apply_async(args=(inbound_id,), retry=False, headers={"_schema_name": schema})
    except Exception:  # noqa: BLE001 (nothing depends on it; the broker may be down)
        logger.warning("could not enqueue the follow-up of WeChat message %s", inbound_id, exc_info=True)


@shared_task(name="integrations.wechat_inbound_followup", ignore_result=True)
def wechat_inbound_followup(inbound_id: int) -> str:
    inbound = WeChatInboundMessage.objects.filter(pk=inbound_id).first()
    if inbound is None or inbound.event.lower() not in ("subscribe", "subscribe_scan"):
        return "skipped"
    customer = Customer.objects.filter(wechat_openid=inbound.from_user).first()
    binding = StaffWeChatBinding.objects.filter(openid=inbound.from_user).select_related("staff").first()
    if customer is None and binding is None:
        return "unknown"
    account = account_get()
    if not account.is_connected:
        return "not connected"
    try:
        info = account_client(account).user.get(inbound.from_user)
    except (WeChatClientException, tokens.TokenUnavailable):
        logger.info("could not fetch the WeChat profile of %s", inbound.from_user, exc_info=True)
        return "failed"
    language = WECHAT_LANGUAGES.get(str(info.get("language", "")), "")
    if not language:
        return "no language"
    if customer is not None:
        NotificationPreference.objects.get_or_create(customer=customer, defaults={"language": language})
    if binding is not None:
        NotificationPreference.objects.get_or_create(staff=binding.staff, defaults={"language": language})
    return language


@shared_task(name="integrations.wechat_component_refresh", ignore_result=True)
def wechat_component_refresh(provider_id: int, auth_code: str) -> str:
    from integrations.wechat.accounts import account_connect_component

    provider = Provider.objects.filter(pk=provider_id).first()
    if provider is None:
        return "no provider"
    with in_tenant(provider):
        try:
            account_connect_component(actor=None, provider=provider, auth_code=auth_code)
        except Exception:  # noqa: BLE001 (logged; the provider can re-authorize from the console)
            logger.warning(
                "refreshing the WeChat authorization of %s failed", provider.schema_name, exc_info=True
            )
            return "failed"
    return "ok"
