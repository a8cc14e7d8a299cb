"""WeChat sign-in on the portal: silent snsapi_base inside WeChat's browser, the one-time phone
binding for an unknown openid, snsapi_userinfo only when asked, single-use state, staff binding."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import Customer
from integrations.models import StaffWeChatBinding
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import activate
from tests.actors import client_for, host_of

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47"
)


def _wechat_browser(actors: Any) -> Client:
    return Client(HTTP_HOST=host_of(actors.tenant_a), HTTP_USER_AGENT=WECHAT_UA)


def _through_wechat(client: Client, response: Any) -> Any:
    """Follow our redirect to WeChat's authorize page; WeChat redirects back with a code."""
    assert response.status_code == 302, response.content
    authorize = response["Location"]
    assert "/open/connect/oauth2/authorize?" in authorize
    back = requests.get(authorize, allow_redirects=False, timeout=5)
    landing = urlsplit(back.headers["Location"])
    return client.get(landing.path + "?" + landing.query), authorize


def _sms_code(sms_outbox: list[Any]) -> str:
    return str(sms_outbox[-1].params["code"])


def test_an_unknown_wechat_user_binds_a_phone_once_and_lands_signed_in(
    wechat_a: Any, actors: Any, sms_outbox: list[Any]
) -> None:
    wechat_a.fake.oauth_openid = "o_new_customer"
    client = _wechat_browser(actors)
    first = client.get("/")  # any portal page inside WeChat
    assert first.status_code == 302 and first["Location"].startswith("/wechat/oauth/start/?next=%2F")
    callback, authorize = _through_wechat(client, client.get(first["Location"]))
    assert "scope=snsapi_base" in authorize
    assert callback.status_code == 302 and callback["Location"].startswith("/wechat/bind/")
    bind_url = callback["Location"]
    page = client.get(bind_url)
    assert page.status_code == 200
    client.post(bind_url, {"action": "send", "phone": "13700005555"})
    done = client.post(
        bind_url, {"action": "submit", "phone": "13700005555", "code": _sms_code(sms_outbox), "name": "小钱"}
    )
    assert done.status_code == 302 and done["Location"] == "/"
    activate(actors.tenant_a)
    customer = Customer.objects.get(phone="+8613700005555")
    assert customer.wechat_openid == "o_new_customer"
    assert client.session["_auth_user_id"] == str(customer.user_id)


def test_a_known_wechat_user_is_signed_in_silently(wechat_a: Any, cast: Any, actors: Any) -> None:
    cast.reporter.wechat_openid = "o_known"
    cast.reporter.save(update_fields=["wechat_openid"])
    wechat_a.fake.oauth_openid = "o_known"
    client = _wechat_browser(actors)
    callback, _authorize = _through_wechat(client, client.get("/wechat/oauth/start/?next=/messages/"))
    assert callback.status_code == 302 and callback["Location"] == "/messages/"
    activate(actors.tenant_a)  # sessions live in the tenant's schema
    assert client.session["_auth_user_id"] == str(cast.reporter.user_id)
    assert client.get("/messages/").status_code == 200


def test_a_callback_url_works_once_and_only_in_the_browser_that_started_it(
    wechat_a: Any, cast: Any, actors: Any
) -> None:
    cast.reporter.wechat_openid = "o_known"
    cast.reporter.save(update_fields=["wechat_openid"])
    wechat_a.fake.oauth_openid = "o_known"
    client = _wechat_browser(actors)
    start = client.get("/wechat/oauth/start/?next=/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=5)
    landing = urlsplit(back.headers["Location"])
    callback = landing.path + "?" + landing.query
    stranger = _wechat_browser(actors)
    assert stranger.get(callback).status_code == 400  # the state was issued to another session
    activate(actors.tenant_a)
    assert "_auth_user_id" not in stranger.session
    assert client.get(callback).status_code == 302
    state = parse_qs(landing.query)["state"][0]
    replay = client.get("/wechat/oauth/callback/?" + f"code=whatever&state={state}")
    assert replay.status_code == 400


def test_the_nickname_is_asked_for_only_when_the_user_chooses_it(wechat_a: Any, actors: Any) -> None:
    wechat_a.fake.oauth_openid = "o_profile"
    wechat_a.fake.oauth_nickname = "芒果小钱"
    client = _wechat_browser(actors)
    callback, authorize = _through_wechat(client, client.get("/wechat/oauth/start/?next=/&profile=1"))
    assert "scope=snsapi_userinfo" in authorize
    page = client.get(callback["Location"])
    assert "芒果小钱" in page.content.decode()


def test_outside_wechat_the_portal_uses_its_sms_sign_in(wechat_a: Any, actors: Any) -> None:
    client = client_for(actors.tenant_a)
    assert client.get("/").status_code == 200  # no silent redirect for ordinary browsers
    start = client.get("/wechat/oauth/start/?next=/messages/")
    assert start.status_code == 302 and start["Location"].startswith("/login/?next=%2Fmessages%2F")


def test_without_a_connected_account_wechat_visitors_are_not_redirected(
    fake_wechat: Any, actors: Any
) -> None:
    assert _wechat_browser(actors).get("/").status_code == 200


def test_a_staff_member_binds_his_wechat_by_scanning_the_console_code(wechat_a: Any, actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    page = owner.get("/console/wechat/me/")
    assert page.status_code == 200
    link = page.context["bind_link"]
    assert owner.get("/console/wechat/me/qr.svg").status_code == 200
    wechat_a.fake.oauth_openid = "o_owner"
    phone = _wechat_browser(actors)
    path = urlsplit(link).path
    callback, _authorize = _through_wechat(phone, phone.get(path))
    assert callback.status_code == 200
    with schema_context(actors.tenant_a.schema_name):
        assert StaffWeChatBinding.objects.get(staff_id=actors.owner_a.pk).openid == "o_owner"
    # The same link on tenant B's host binds nobody there.
    other = Client(HTTP_HOST=host_of(actors.tenant_b), HTTP_USER_AGENT=WECHAT_UA)
    assert other.get(path).status_code == 404
