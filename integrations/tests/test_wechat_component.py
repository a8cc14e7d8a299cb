"""The third-party platform: ticket push, the console's 授权 flow through WeChat's authorization page,
authorizer tokens from the refresh token, un-authorization, and messages routed by appid."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
import xmltodict
from django.db import connection
from django_tenants.utils import schema_context
from wechatpy.crypto import WeChatCrypto

from integrations.models import WeChatAccount, WeChatConnection
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.wechat import tokens
from integrations.wechat.accounts import account_get
from integrations.wechat.client import account_client, platform_store
from tests.actors import client_for

COMPONENT_APPID = "wx" + "c0" * 8
COMPONENT_SECRET = "C" * 32
COMPONENT_TOKEN = "componenttoken"
COMPONENT_KEY = "Z" * 43
AUTHORIZER = "wx" + "d4" * 8


@pytest.fixture
def platform(fake_wechat: Any, settings: Any, actors: Any) -> Any:
    settings.WECHAT_COMPONENT_APPID = COMPONENT_APPID
    settings.WECHAT_COMPONENT_SECRET = COMPONENT_SECRET
    settings.WECHAT_COMPONENT_TOKEN = COMPONENT_TOKEN
    settings.WECHAT_COMPONENT_AES_KEY = COMPONENT_KEY
    fake_wechat.component_appid = COMPONENT_APPID
    fake_wechat.component_secret = COMPONENT_SECRET
    fake_wechat.add_authorizer(
        AUTHORIZER, nick_name="芒果IT服务", user_name="gh_mango00001", followers=("o_fan",)
    )
    fake_wechat.templates[AUTHORIZER].add("TPL_order_update_0001")
    fake_wechat.next_authorizer = AUTHORIZER
    return fake_wechat


def _push(
    public_client: Any, inner_xml: str, *, path: str = "/wechat/component/events/", forge: bool = False
) -> Any:
    crypto = WeChatCrypto(COMPONENT_TOKEN, COMPONENT_KEY, COMPONENT_APPID)
    # WeChat sends a fresh nonce with every push; the callback remembers each signed set as a replay.
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**9))
    sealed = crypto.encrypt_message(inner_xml, nonce, timestamp)
    msg_signature = xmltodict.parse(sealed)["xml"]["MsgSignature"]
    signature = hashlib.sha1("".join(sorted([COMPONENT_TOKEN, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    query = {
        "timestamp": timestamp,
        "nonce": nonce,
        "encrypt_type": "aes",
        "msg_signature": "0" * 40 if forge else msg_signature,
        "signature": signature,
    }
    return public_client.generic(
        "POST", path + "?" + urlencode(query), sealed.encode(), content_type="text/xml"
    )


def _ticket_xml(ticket: str) -> str:
    return (
        f"<xml><AppId><![CDATA[{COMPONENT_APPID}]]></AppId><CreateTime>{int(time.time())}</CreateTime>"
        f"<InfoType><![CDATA[component_verify_ticket]]></InfoType>"
        f"<ComponentVerifyTicket><![CDATA[{ticket}]]></ComponentVerifyTicket></xml>"
    )


def _authorize_through_console(actors: Any, platform: Any, public_client: Any) -> Any:
    """The admin presses 授权, scans on WeChat's page, and WeChat sends him back."""
    platform.component_ticket = "ticket@@@live"
    assert _push(public_client, _ticket_xml("ticket@@@live")).content == b"success"
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.get("/console/wechat/authorize/").status_code == 200
    start = owner.post("/console/wechat/authorize/")
    assert start.status_code == 302
    wechat_page = start["Location"]
    assert wechat_page.startswith(
        platform.base_url + "mp/cgi-bin/componentloginpage?component_appid=" + COMPONENT_APPID
    )
    back = requests.get(wechat_page, allow_redirects=False, timeout=5)  # the admin confirms on WeChat
    assert back.status_code == 302
    landing = urlsplit(back.headers["Location"])
    assert landing.netloc.startswith("tenant-a.")
    return owner.get(landing.path + "?" + landing.query)


def test_the_verify_ticket_push_is_decrypted_and_stored(platform: Any, public_client: Any) -> None:
    assert _push(public_client, _ticket_xml("ticket@@@one")).content == b"success"
    assert _push(public_client, _ticket_xml("ticket@@@two")).content == b"success"
    assert platform_store("ticket_get")(component_appid=COMPONENT_APPID) == "ticket@@@two"


def test_a_forged_push_is_refused(platform: Any, public_client: Any) -> None:
    assert _push(public_client, _ticket_xml("ticket@@@evil"), forge=True).status_code == 403
    assert platform_store("ticket_get")(component_appid=COMPONENT_APPID) == ""


def test_the_console_authorization_connects_the_account_with_a_sealed_refresh_token(
    platform: Any, public_client: Any, actors: Any
) -> None:
    done = _authorize_through_console(actors, platform, public_client)
    assert done.status_code == 302 and done["Location"].endswith("/console/wechat/")
    with schema_context(actors.tenant_a.schema_name):
        account = WeChatAccount.objects.get()
        assert account.connection == WeChatConnection.COMPONENT
        assert account.appid == AUTHORIZER
        assert account.nickname == "芒果IT服务" and account.original_id == "gh_mango00001"
        assert account.refresh_token.startswith("refreshtoken@@@")
        assert "refreshtoken" not in account.refresh_token_sealed
    assert platform_store("authorizer_provider_id")(authorizer_appid=AUTHORIZER) == actors.tenant_a.pk


def test_an_authorization_not_started_in_this_browser_is_refused(platform: Any, actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    response = owner.get("/console/wechat/authorized/?auth_code=queryauthcode@@@stolen&state=x")
    assert response.status_code == 200 and "授权未完成" in response.content.decode()
    with schema_context(actors.tenant_a.schema_name):
        assert not account_get().is_connected


def test_authorizer_tokens_come_from_the_refresh_token_which_is_rotated(
    platform: Any, public_client: Any, actors: Any
) -> None:
    _authorize_through_console(actors, platform, public_client)
    with schema_context(actors.tenant_a.schema_name):
        account = account_get()
        first_refresh = account.refresh_token
        tokens.forget(AUTHORIZER)
        account_client(account).message.send_template(
            "o_fan", "TPL_order_update_0001", {"thing2": {"value": "hi"}}
        )
        assert account_get().refresh_token != first_refresh  # WeChat handed a new one: kept, sealed
    assert [s.touser for s in platform.sent] == ["o_fan"]


def test_unauthorizing_on_wechat_disconnects_the_provider(
    platform: Any, public_client: Any, actors: Any
) -> None:
    _authorize_through_console(actors, platform, public_client)
    push = (
        f"<xml><AppId><![CDATA[{COMPONENT_APPID}]]></AppId><CreateTime>1</CreateTime>"
        f"<InfoType><![CDATA[unauthorized]]></InfoType><AuthorizerAppid><![CDATA[{AUTHORIZER}]]></AuthorizerAppid></xml>"
    )
    assert _push(public_client, push).content == b"success"
    with schema_context(actors.tenant_a.schema_name):
        assert not account_get().is_connected
    assert platform_store("authorizer_provider_id")(authorizer_appid=AUTHORIZER) is None


def test_messages_of_an_authorized_account_reach_only_its_provider(
    platform: Any, public_client: Any, actors: Any
) -> None:
    _authorize_through_console(actors, platform, public_client)
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    event = (
        "<xml><ToUserName><![CDATA[gh_mango00001]]></ToUserName><FromUserName><![CDATA[o_fan]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        "<Event><![CDATA[subscribe]]></Event></xml>"
    )
    response = _push(public_client, event, path=f"/wechat/component/{AUTHORIZER}/callback/")
    assert response.status_code == 200
    reply = xmltodict.parse(response.content)["xml"]
    crypto = WeChatCrypto(COMPONENT_TOKEN, COMPONENT_KEY, COMPONENT_APPID)
    text = xmltodict.parse(
        crypto.decrypt_message(response.content, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"])
    )
    assert "tenant-a.baoxiu.test" in text["xml"]["Content"]
    # Another account's appid is unknown here; a message for another ToUserName is refused.
    assert (
        _push(public_client, event, path="/wechat/component/wx0000000000000000/callback/").status_code == 404
    )
    foreign = event.replace("gh_mango00001", "gh_someone_else")
    assert _push(public_client, foreign, path=f"/wechat/component/{AUTHORIZER}/callback/").status_code == 403
