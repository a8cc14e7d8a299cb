"""The message callback: WeChat's own published sample for signature and AES decryption, forged
signatures, replayed MsgIds, the events we answer, and one tenant's callback never acting on
another tenant."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import pytest
import xmltodict
from django_tenants.utils import schema_context
from wechatpy.crypto import WeChatCrypto

from accounts.models import CustomerCompany
from integrations.models import NotificationPreference, WeChatAccount, WeChatInboundMessage
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import (
    AES_KEY_A,
    APPID_A,
    APPID_B,
    SECRET_B,
    TOKEN_A,
    TOKEN_B,
    activate,
    connect_manual,
)
from integrations.wechat import callback
from integrations.wechat.accounts import account_connect_manual, current_schema
from repair_forms import services
from tests.actors import client_for

# WeChat's published sample (消息加解密 demo, WXBizMsgCrypt): token, key, appid and one encrypted
# text message with its signatures.
SAMPLE_TOKEN = "spamtest"
SAMPLE_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_APPID = "wx2c2769f8efd9abc2"
SAMPLE_TIMESTAMP = "1409735669"
SAMPLE_NONCE = "1320562132"
SAMPLE_SIGNATURE = "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
SAMPLE_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFm"
    "OD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8d"
    "KOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5"
    "RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNP"
    "fUM669WuMyVWQLCzpu9GhglF2PE="
)
SAMPLE_BODY = (
    "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]>"
    "</FromUserName><CreateTime>1409735668</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abcdteT]]>"
    f"</Content><MsgId>6054768590064713728</MsgId><Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
)
SAMPLE_QUERY = {
    "signature": SAMPLE_SIGNATURE,
    "timestamp": SAMPLE_TIMESTAMP,
    "nonce": SAMPLE_NONCE,
    "encrypt_type": "aes",
    "msg_signature": SAMPLE_MSG_SIGNATURE,
}
CALLBACK = "/wechat/callback/"


def _connect_sample(actors: Any, *, appid: str = SAMPLE_APPID) -> WeChatAccount:
    from accounts.models import StaffMember

    admin = StaffMember.objects.get(is_owner=True)
    return account_connect_manual(
        actor=admin,
        provider=actors.tenant_a if current_schema() == actors.tenant_a.schema_name else actors.tenant_b,
        appid=appid,
        secret="S" * 32,
        token=SAMPLE_TOKEN,
        aes_key=SAMPLE_AES_KEY,
        verify=False,
    )


def _post(client: Any, query: dict[str, str], body: str, *, plain: bool = False) -> Any:
    """POST a callback. Accounts connected with an EncodingAESKey take only encrypted messages, so
    a plain body signed with A's token is sealed for A (as WeChat would) unless ``plain``."""
    from urllib.parse import urlencode

    query = dict(query)
    if not plain and "encrypt_type" not in query and "signature" in query:
        sealed = WeChatCrypto(TOKEN_A, AES_KEY_A, APPID_A).encrypt_message(
            body, query["nonce"], query["timestamp"]
        )
        query["encrypt_type"] = "aes"
        query["msg_signature"] = xmltodict.parse(sealed)["xml"]["MsgSignature"]
        body = sealed
    return client.generic(
        "POST", CALLBACK + "?" + urlencode(query), body.encode("utf-8"), content_type="text/xml"
    )


def _signed(token: str, **extra: str) -> dict[str, str]:
    timestamp, nonce = str(int(time.time())), secrets.token_hex(6)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce, **extra}


@pytest.fixture
def sample_clock(monkeypatch: Any) -> None:
    """WeChat's published sample was signed in 2014: run those tests at the sample's time."""
    monkeypatch.setattr(callback, "_now", lambda: float(SAMPLE_TIMESTAMP))


def _xml(**fields: Any) -> str:
    return xmltodict.unparse({"xml": fields}, full_document=False)


def _event(to: str, **fields: Any) -> str:
    return _xml(
        ToUserName=to,
        FromUserName=fields.pop("FromUserName", "o_follower"),
        CreateTime=fields.pop("CreateTime", str(int(time.time()))),
        MsgType="event",
        **fields,
    )


def _reply_text(response: Any) -> str:
    assert response.status_code == 200, response.content
    reply = xmltodict.parse(response.content)["xml"]
    if "Encrypt" in reply:
        crypto = WeChatCrypto(TOKEN_A, AES_KEY_A, APPID_A)
        plain = crypto.decrypt_message(
            response.content, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"]
        )
        reply = xmltodict.parse(plain)["xml"]
    return str(reply["Content"])


# --- WeChat's sample: signature and AES ------------------------------------------------------------


def test_url_verification_echoes_only_with_a_valid_signature(
    actors: Any, in_a: Any, sample_clock: None
) -> None:
    _connect_sample(actors)
    client = client_for(actors.tenant_a)
    query = {
        "signature": SAMPLE_SIGNATURE,
        "timestamp": SAMPLE_TIMESTAMP,
        "nonce": SAMPLE_NONCE,
        "echostr": "shr5ch",
    }
    assert client.get(CALLBACK, query).content == b"shr5ch"
    assert client.get(CALLBACK, {**query, "signature": "0" * 40}).status_code == 403


def test_wechats_published_sample_message_is_verified_decrypted_and_recorded(
    actors: Any, in_a: Any, sample_clock: None
) -> None:
    _connect_sample(actors)
    response = _post(client_for(actors.tenant_a), SAMPLE_QUERY, SAMPLE_BODY)
    assert response.status_code == 200
    activate(actors.tenant_a)
    inbound = WeChatInboundMessage.objects.get()
    assert inbound.dedupe_key == "msg:6054768590064713728"
    assert inbound.from_user == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert inbound.content == "abcdteT"
    assert WeChatAccount.objects.get().original_id == "gh_10f6c3c3ac5a"  # learned from a verified message


def test_a_replayed_msgid_is_answered_and_ignored(actors: Any, in_a: Any, sample_clock: None) -> None:
    _connect_sample(actors)
    client = client_for(actors.tenant_a)
    assert _post(client, SAMPLE_QUERY, SAMPLE_BODY).status_code == 200
    again = _post(client, SAMPLE_QUERY, SAMPLE_BODY)
    assert again.status_code == 200 and again.content == b"success"
    activate(actors.tenant_a)
    assert WeChatInboundMessage.objects.count() == 1


@pytest.mark.parametrize("forged", ["signature", "msg_signature"])
def test_forged_signatures_are_refused(actors: Any, in_a: Any, forged: str, sample_clock: None) -> None:
    _connect_sample(actors)
    response = _post(client_for(actors.tenant_a), {**SAMPLE_QUERY, forged: "f" * 40}, SAMPLE_BODY)
    assert response.status_code == 403
    activate(actors.tenant_a)
    assert not WeChatInboundMessage.objects.exists()


def test_another_tenants_callback_refuses_the_message(actors: Any, sample_clock: None) -> None:
    with schema_context(actors.tenant_a.schema_name):
        _connect_sample(actors)
    with schema_context(actors.tenant_b.schema_name):
        from accounts.models import StaffMember

        account_connect_manual(
            actor=StaffMember.objects.get(is_owner=True),
            provider=actors.tenant_b,
            appid=APPID_B,
            secret=SECRET_B,
            token=TOKEN_B,
            verify=False,
        )
    response = _post(client_for(actors.tenant_b), SAMPLE_QUERY, SAMPLE_BODY)
    assert response.status_code == 403
    with schema_context(actors.tenant_b.schema_name):
        assert not WeChatInboundMessage.objects.exists()
    with schema_context(actors.tenant_a.schema_name):
        assert not WeChatInboundMessage.objects.exists()


def test_a_message_sealed_for_another_appid_is_refused_even_with_the_same_token_and_key(
    actors: Any, sample_clock: None
) -> None:
    with schema_context(actors.tenant_b.schema_name):
        _connect_sample(actors, appid="wx" + "0123456789abcdef")
    response = _post(client_for(actors.tenant_b), SAMPLE_QUERY, SAMPLE_BODY)
    assert response.status_code == 403
    with schema_context(actors.tenant_b.schema_name):
        assert not WeChatInboundMessage.objects.exists()


def test_a_message_for_another_official_account_is_refused(wechat_a: Any, actors: Any) -> None:
    WeChatAccount.objects.update(original_id="gh_aaaaaaaaaaaa")
    body = _xml(
        ToUserName="gh_bbbbbbbbbbbb",
        FromUserName="o_x",
        CreateTime="1",
        MsgType="text",
        Content="hi",
        MsgId="1",
    )
    assert _post(client_for(actors.tenant_a), _signed(TOKEN_A), body).status_code == 403


def test_without_a_connection_the_callback_is_not_found(actors: Any, in_a: Any) -> None:
    assert client_for(actors.tenant_a).get(CALLBACK, _signed("whatever", echostr="x")).status_code == 404


# --- What the account answers ----------------------------------------------------------------------


def test_a_new_follower_is_welcomed_with_the_report_link(wechat_a: Any, actors: Any) -> None:
    text = _reply_text(
        _post(client_for(actors.tenant_a), _signed(TOKEN_A), _event("gh_a", Event="subscribe"))
    )
    assert "http://tenant-a.baoxiu.test:8000/report/" in text
    activate(actors.tenant_a)
    WeChatAccount.objects.update(welcome_text="欢迎！报修请点菜单。")
    body = _event("gh_a", Event="subscribe", FromUserName="o_other")
    assert _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body)) == "欢迎！报修请点菜单。"


def test_scanning_a_companys_registration_code_to_follow_answers_with_its_registration_link(
    wechat_a: Any, actors: Any
) -> None:
    company = CustomerCompany.objects.create(name="芒果科技", registration_token="reg-mango-1")
    body = _event("gh_a", Event="subscribe", EventKey="qrscene_company:reg-mango-1", Ticket="t")
    text = _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body))
    assert company.name in text and "/company/reg-mango-1/" in text
    again = _event("gh_a", Event="SCAN", EventKey="company:reg-mango-1", Ticket="t", FromUserName="o_2")
    assert "/company/reg-mango-1/" in _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), again))


def test_scan_to_report_with_an_asset_label_links_to_the_prefilled_report(
    wechat_a: Any, cast: Any, actors: Any
) -> None:
    label = f"http://tenant-a.baoxiu.test:8000/report/?asset={cast.asset.token}"
    body = _event(
        "gh_a",
        Event="scancode_push",
        EventKey="scan_report",
        ScanCodeInfo={"ScanType": "qrcode", "ScanResult": label},
    )
    text = _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body))
    assert f"/report/?asset={cast.asset.token}" in text
    assert "NO000028" in text


def test_scanning_a_bare_serial_links_to_the_report_with_that_serial(wechat_a: Any, actors: Any) -> None:
    body = _event(
        "gh_a",
        Event="scancode_waitmsg",
        EventKey="scan_report",
        ScanCodeInfo={"ScanType": "barcode", "ScanResult": "CODE_128,SN-00000168"},
    )
    text = _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body))
    assert "/report/?serial=SN-00000168" in text


def test_a_menu_click_answers_with_its_configured_reply(wechat_a: Any, actors: Any) -> None:
    from integrations.wechat.menu import menu_get

    menu = menu_get()
    menu.replies = {"reply_1": "服务热线 400-000-0000"}
    menu.save()
    body = _event("gh_a", Event="CLICK", EventKey="reply_1")
    assert _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body)) == "服务热线 400-000-0000"


def test_a_bound_customer_gets_the_status_of_an_order_number_they_send(
    wechat_a: Any, cast: Any, actors: Any
) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    cast.reporter.wechat_openid = "o_rep_text"
    cast.reporter.save(update_fields=["wechat_openid"])
    body = _xml(
        ToUserName="gh_a",
        FromUserName="o_rep_text",
        CreateTime="1",
        MsgType="text",
        Content=f"查一下 {order.number.lower()}",
        MsgId="77",
    )
    text = _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), body))
    assert order.number in text and "待接单" in text
    stranger = _xml(
        ToUserName="gh_a",
        FromUserName="o_x",
        CreateTime="2",
        MsgType="text",
        Content=order.number,
        MsgId="78",
    )
    text = _reply_text(_post(client_for(actors.tenant_a), _signed(TOKEN_A), stranger))
    assert order.number not in text and "/wechat/oauth/start/" in text


def test_replies_in_aes_mode_are_encrypted_for_the_account(wechat_a: Any, actors: Any) -> None:
    crypto = WeChatCrypto(TOKEN_A, AES_KEY_A, APPID_A)
    timestamp, nonce = str(int(time.time())), "99887766"
    sealed = crypto.encrypt_message(_event("gh_a", Event="subscribe"), nonce, timestamp)
    msg_signature = xmltodict.parse(sealed)["xml"]["MsgSignature"]
    query = {**_signed(TOKEN_A), "timestamp": timestamp, "nonce": nonce, "encrypt_type": "aes"}
    query["signature"] = hashlib.sha1("".join(sorted([TOKEN_A, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    query["msg_signature"] = msg_signature
    response = _post(client_for(actors.tenant_a), query, sealed)
    assert response.status_code == 200
    reply = xmltodict.parse(response.content)["xml"]
    plain = crypto.decrypt_message(
        response.content, reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"]
    )
    assert "/report/" in xmltodict.parse(plain)["xml"]["Content"]


def test_a_bound_follower_gets_notices_in_their_wechat_language(
    wechat_a: Any, cast: Any, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cast.reporter.wechat_openid = "o_en"
    cast.reporter.save(update_fields=["wechat_openid"])
    wechat_a.fake.followers[APPID_A].add("o_en")
    wechat_a.fake.languages["o_en"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            client_for(actors.tenant_a),
            _signed(TOKEN_A),
            _event("gh_a", Event="subscribe", FromUserName="o_en"),
        )
    activate(actors.tenant_a)
    assert NotificationPreference.objects.get(customer=cast.reporter).language == "en"


def test_tenant_b_connected_to_its_own_account_cannot_be_fed_tenant_as_messages(
    fake_wechat: Any, actors: Any
) -> None:
    with schema_context(actors.tenant_a.schema_name):
        connect_manual(fake_wechat, actors)
    with schema_context(actors.tenant_b.schema_name):
        connect_manual(fake_wechat, actors, appid=APPID_B, secret=SECRET_B, token=TOKEN_B)
    body = _event("gh_a", Event="subscribe")
    assert _post(client_for(actors.tenant_b), _signed(TOKEN_A), body).status_code == 403
    assert _post(client_for(actors.tenant_a), _signed(TOKEN_A), body).status_code == 200
    with schema_context(actors.tenant_b.schema_name):
        assert not WeChatInboundMessage.objects.exists()


# --- Replays, AES-only and malformed bodies ---------------------------------------------------------


def _signed_at(token: str, timestamp: str) -> dict[str, str]:
    nonce = secrets.token_hex(6)
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324
    return {"signature": signature, "timestamp": timestamp, "nonce": nonce}


def test_a_signature_set_from_a_30_day_old_callback_url_is_refused(wechat_a: Any, actors: Any) -> None:
    old = _signed_at(TOKEN_A, str(int(time.time()) - 30 * 86400))
    response = _post(client_for(actors.tenant_a), old, _event("gh_a", Event="subscribe"))
    assert response.status_code == 403
    assert client_for(actors.tenant_a).get(CALLBACK, {**old, "echostr": "x"}).status_code == 403
    activate(actors.tenant_a)
    assert not WeChatInboundMessage.objects.exists()


def test_a_fresh_signature_set_works_once_even_with_another_body(wechat_a: Any, actors: Any) -> None:
    query = _signed(TOKEN_A)
    client = client_for(actors.tenant_a)
    first = _post(client, query, _event("gh_a", Event="subscribe", FromUserName="o_first"))
    assert first.status_code == 200 and first.content != b"success"
    again = _post(client, query, _event("gh_a", Event="subscribe", FromUserName="o_second"))
    assert again.content == b"success"
    activate(actors.tenant_a)
    assert list(WeChatInboundMessage.objects.values_list("from_user", flat=True)) == ["o_first"]


def test_a_plain_text_message_is_refused_when_the_account_is_in_aes_mode(wechat_a: Any, actors: Any) -> None:
    body = _xml(
        ToUserName="gh_a", FromUserName="o_victim", CreateTime="1", MsgType="text", Content="查询", MsgId="9"
    )
    response = _post(client_for(actors.tenant_a), _signed(TOKEN_A), body, plain=True)
    assert response.status_code == 403
    activate(actors.tenant_a)
    assert not WeChatInboundMessage.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>gh_a</ToUserName><Encrypt><![CDATA[not-base64!!]]></Encrypt></xml>",
        "<xml><Encrypt>",
        "plain words",
        "<xml>just text</xml>",
    ],
)
def test_a_malformed_encrypted_body_is_a_400_with_a_log_line(
    wechat_a: Any, actors: Any, body: str, caplog: Any
) -> None:
    query = _signed(TOKEN_A, encrypt_type="aes")
    query["msg_signature"] = hashlib.sha1(  # noqa: S324
        "".join(sorted([TOKEN_A, query["timestamp"], query["nonce"], "not-base64!!"])).encode()
    ).hexdigest()
    response = _post(client_for(actors.tenant_a), query, body)
    assert response.status_code == 400
    assert "was refused" in caplog.text
    activate(actors.tenant_a)
    assert not WeChatInboundMessage.objects.exists()
