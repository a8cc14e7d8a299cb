"""Our WeChat third-party platform's endpoints on the public host (授权事件接收 / 消息与事件接收).

- ``component_events``: WeChat pushes the ``component_verify_ticket`` every 10 minutes and the
  authorized / updateauthorized / unauthorized notices. Each push is signed (``msg_signature``) and
  AES-encrypted with the platform's token and key; the ticket is stored, an un-authorization
  disconnects the provider that held the account, an update re-reads its grant in a task.
  WeChat expects the literal answer "success".
- ``component_callback``: messages and events of every authorized account arrive here with the
  account's appid in the path; the appid routes (public table) to one provider, whose schema then
  handles the message exactly like its own callback would (``callback.handle``) — so the platform's
  token/key verify it and the account's ``ToUserName`` must match that provider's account.
"""

from __future__ import annotations

import logging

import xmltodict
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException

from integrations.wechat import callback as wechat_callback
from integrations.wechat.accounts import account_disconnect, account_get
from integrations.wechat.client import platform_component, platform_store
from tenants.models import Provider
from tenants.services import in_tenant

logger = logging.getLogger(__name__)


def _provider_for(appid: str) -> Provider | None:
    provider_id = platform_store("authorizer_provider_id")(authorizer_appid=appid)
    return Provider.objects.filter(pk=provider_id).first() if provider_id else None


@csrf_exempt
@require_POST
def component_events(request: HttpRequest) -> HttpResponse:
    component = platform_component()
    if component is None:
        return HttpResponse("not configured", status=404)
    query = request.GET
    try:
        xml = component.crypto.decrypt_message(
            request.body, query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", "")
        )
        message = xmltodict.parse(xml)["xml"]
    except (InvalidSignatureException, InvalidAppIdException, ValueError, KeyError):
        return HttpResponse("invalid signature", status=403)
    except Exception:  # noqa: BLE001 (malformed XML under a valid signature)
        return HttpResponse("bad message", status=400)
    info_type = str(message.get("InfoType", "")).lower()
    if info_type == "component_verify_ticket":
        platform_store("ticket_save")(
            component_appid=component.component_appid, ticket=str(message.get("ComponentVerifyTicket", ""))
        )
    elif info_type in ("unauthorized", "authorized", "updateauthorized"):
        appid = str(message.get("AuthorizerAppid", ""))
        provider = _provider_for(appid)
        if provider is not None and info_type == "unauthorized":
            with in_tenant(provider):
                account_disconnect(actor=None, provider=provider, appid=appid)
        elif provider is not None:
            from integrations.wechat.tasks import wechat_component_refresh

            try:
                wechat_component_refresh.apply_async(
                    args=(provider.pk, str(message.get("AuthorizationCode", ""))), retry=False
                )
            except Exception:  # noqa: BLE001 (the console's re-authorization does the same)
                logger.warning("could not enqueue the WeChat grant refresh for %s", appid, exc_info=True)
    return HttpResponse("success", content_type="text/plain")


@csrf_exempt
def component_callback(request: HttpRequest, appid: str) -> HttpResponse:
    if request.method not in ("GET", "POST") or platform_component() is None:
        return HttpResponse(status=404)
    provider = _provider_for(appid)
    if provider is None:
        return HttpResponse("unknown account", status=404)
    query = {key: str(value) for key, value in request.GET.items()}
    with in_tenant(provider):
        account = account_get()
        if account.appid != appid:
            return HttpResponse("unknown account", status=404)
        answer = wechat_callback.handle(
            account=account, method=request.method, query=query, body=request.body, host=provider.primary_host
        )
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
