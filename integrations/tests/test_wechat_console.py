"""The console's WeChat screens and message log: connect by hand, the menu editor (limits checked
before publishing, WeChat's refusals in words, publish / pull / delete against the loopback
WeChat), resend; the other tenant gets 404 and a role without the right 403."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from accounts.models import StaffMember
from integrations.models import Channel, Notification, NotificationStatus, WeChatAccount
from integrations.notifications.services import notifications_fan_out
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import APPID_A, SECRET_A, TOKEN_A, activate
from integrations.wechat.errors import describe
from integrations.wechat.menu import menu_get, menu_validate
from repair_forms import services
from tests.actors import client_for

MENU = "/console/wechat/menu/"


def _form(**buttons: Any) -> dict[str, str]:
    """POST data of the menu editor: ``b0=("名称", "kind", {extra})``, ``s0_1=(...)``."""
    data: dict[str, str] = {}
    for prefix, (name, kind, *rest) in buttons.items():
        data[f"{prefix}_name"] = name
        data[f"{prefix}_kind"] = kind
        for key, value in (rest[0] if rest else {}).items():
            data[f"{prefix}_{key}"] = value
    return data


def test_menu_limits_are_checked_in_bytes_before_anything_is_sent() -> None:
    with pytest.raises(Exception) as refused:
        menu_validate(
            [
                {"name": "微信扫码报修", "kind": "scan"},  # 6 Chinese characters = 18 bytes > 16
                {
                    "name": "服务",
                    "kind": "parent",
                    "sub": [{"name": f"子{i}", "kind": "scan"} for i in range(6)],
                },
                {"name": "Website", "kind": "view", "url": "ftp://example.com"},
            ]
        )
    errors = refused.value.message_dict  # type: ignore[attr-defined]
    assert set(errors) == {"0", "1", "2"}
    assert "16" in errors["0"][0]
    assert menu_validate([{"name": "报修", "kind": "scan"}]) == [{"name": "报修", "kind": "scan"}]
    with pytest.raises(Exception):  # noqa: B017
        menu_validate([{"name": f"b{i}", "kind": "scan"} for i in range(4)])


def test_an_admin_publishes_a_menu_and_wechat_shows_it(wechat_a: Any, actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    data = _form(
        b0=("报修", "scan"),
        b1=("服务", "parent"),
        s1_0=("我的报修", "page", {"page": "orders"}),
        s1_1=("热线", "reply", {"reply": "服务热线 400-000-0000"}),
        b2=("官网", "view", {"url": "https://example.com/"}),
    )
    response = owner.post(MENU, {**data, "action": "publish"})
    assert response.status_code == 302
    published = wechat_a.fake.menus[APPID_A]["button"]
    assert published[0] == {"type": "scancode_push", "name": "报修", "key": "scan_report"}
    assert published[1]["sub_button"][0]["url"].startswith(
        "http://tenant-a.baoxiu.test:8000/wechat/oauth/start/?next="
    )
    assert published[1]["sub_button"][1] == {"type": "click", "name": "热线", "key": "reply_1"}
    assert published[2] == {"type": "view", "name": "官网", "url": "https://example.com/"}
    activate(actors.tenant_a)
    assert menu_get().replies == {"reply_1": "服务热线 400-000-0000"}
    page = client_for(actors.tenant_a, actors.owner_a).get(MENU)
    assert "热线" in page.content.decode() and 'class="phone"' in page.content.decode()


def test_an_over_long_name_is_refused_in_words_and_nothing_is_published(wechat_a: Any, actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    response = owner.post(MENU, {**_form(b0=("微信扫码报修", "scan")), "action": "publish"})
    assert response.status_code == 200
    assert "一级菜单名称过长" in response.content.decode()
    assert APPID_A not in wechat_a.fake.menus


def test_wechats_own_refusal_is_shown_in_words(wechat_a: Any, actors: Any) -> None:
    wechat_a.fake.fail_next("/cgi-bin/menu/create", 48001)
    owner = client_for(actors.tenant_a, actors.owner_a)
    response = owner.post(MENU, {**_form(b0=("报修", "scan")), "action": "publish"})
    assert response.status_code == 200
    assert "公众号无权使用此接口" in response.content.decode()
    with translation.override("en"):
        assert describe(48001) == (
            "The official account is not allowed to use this API (check its type and verification). "
            "(WeChat error 48001)"
        )


def test_pulling_and_removing_the_menu_on_wechat(wechat_a: Any, actors: Any) -> None:
    wechat_a.fake.menus[APPID_A] = {
        "button": [
            {"type": "scancode_push", "name": "扫码", "key": "scan_report"},
            {"type": "view", "name": "官网", "url": "https://x.cn/"},
        ]
    }
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert owner.post(MENU, {"action": "pull"}).status_code == 302
    activate(actors.tenant_a)
    assert menu_get().draft == [
        {"name": "扫码", "kind": "scan"},
        {"name": "官网", "kind": "view", "url": "https://x.cn/"},
    ]
    assert owner.post(MENU, {"action": "delete"}).status_code == 302
    assert APPID_A not in wechat_a.fake.menus
    activate(actors.tenant_a)
    assert menu_get().draft  # the draft stays for later


def test_connecting_by_hand_checks_the_secret_with_wechat_and_never_shows_it_again(
    fake_wechat: Any, actors: Any
) -> None:
    fake_wechat.add_app(APPID_A, SECRET_A)
    owner = client_for(actors.tenant_a, actors.owner_a)
    wrong = owner.post(
        "/console/wechat/",
        {"action": "manual", "appid": APPID_A, "secret": "x" * 32, "token": TOKEN_A, "aes_key": ""},
    )
    assert wrong.status_code == 200 and "AppSecret 错误" in wrong.content.decode()
    right = owner.post(
        "/console/wechat/",
        {"action": "manual", "appid": APPID_A, "secret": SECRET_A, "token": TOKEN_A, "aes_key": ""},
    )
    assert right.status_code == 302
    page = client_for(actors.tenant_a, actors.owner_a).get("/console/wechat/").content.decode()
    assert SECRET_A not in page and TOKEN_A not in page
    assert "••••••" in page
    with schema_context(actors.tenant_a.schema_name):
        account = WeChatAccount.objects.get()
        assert account.secret == SECRET_A and SECRET_A not in account.secret_sealed


def test_the_message_log_lists_attempts_and_resends(
    wechat_a: Any, cast: Any, actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wechat_a.fake.unfollowed[APPID_A].add("o_gone")
    cast.reporter.wechat_openid = "o_gone"
    cast.reporter.save(update_fields=["wechat_openid"])
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    event = order.events.get()
    notifications_fan_out(event_id=event.pk)
    from integrations.notifications.services import notification_deliver

    failed = Notification.objects.get(event=event, channel=Channel.WECHAT)
    notification_deliver(notification_id=failed.pk)
    owner = client_for(actors.tenant_a, actors.owner_a)
    log = owner.get("/console/messages/log/?status=failed")
    body = log.content.decode()
    assert log.status_code == 200 and order.number in body and "43004" in body
    wechat_a.fake.unfollowed[APPID_A].discard("o_gone")
    wechat_a.fake.followers[APPID_A].add("o_gone")
    with django_capture_on_commit_callbacks(execute=True):
        resend = owner.post(f"/console/messages/{failed.pk}/")
    assert resend.status_code == 302
    activate(actors.tenant_a)
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.SENT


def test_the_message_log_needs_only_one_query_per_page(
    wechat_a: Any, cast: Any, actors: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(5):
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        notifications_fan_out(event_id=order.events.get().pk)
    owner = client_for(actors.tenant_a, actors.owner_a)
    owner.get("/console/messages/log/")  # warm the session and routing caches
    with django_assert_max_num_queries(12):
        assert owner.get("/console/messages/log/").status_code == 200
    with django_assert_max_num_queries(12):
        assert owner.get("/console/messages/").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/console/wechat/", "/console/wechat/menu/", "/console/wechat/authorize/", "/console/messages/log/"],
)
def test_an_engineer_may_not_open_the_admin_screens(actors: Any, path: str) -> None:
    assert client_for(actors.tenant_a, actors.engineer_a).get(path).status_code == 403


def test_every_staff_member_has_a_message_centre(actors: Any) -> None:
    engineer = client_for(actors.tenant_a, actors.engineer_a)
    assert engineer.get("/console/messages/").status_code == 200
    assert engineer.get("/console/wechat/me/").status_code == 200


def test_tenant_b_gets_404_for_tenant_as_message(wechat_a: Any, cast: Any, actors: Any) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    notifications_fan_out(event_id=order.events.get().pk)
    pk = Notification.objects.exclude(channel=Channel.INAPP).values_list("pk", flat=True).first()
    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/console/messages/{pk}/").status_code == 404
    assert outsider.post(f"/console/messages/{pk}/").status_code == 404


def test_a_customer_reads_their_messages_on_the_portal(wechat_a: Any, cast: Any, actors: Any) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    notifications_fan_out(event_id=order.events.get().pk)
    client = client_for(actors.tenant_a)
    with schema_context(actors.tenant_a.schema_name):
        client.force_login(cast.reporter.user)
    page = client.get("/messages/")
    assert page.status_code == 200
    assert "报修已提交" in page.content.decode() and "1 条未读" in page.content.decode()
    client.post("/messages/", {"action": "read_all"})
    assert "条未读" not in client.get("/messages/").content.decode()
    manager_sees = Notification.objects.filter(customer=cast.manager)
    with schema_context(actors.tenant_a.schema_name):
        assert manager_sees.filter(read_at__isnull=True).exists()  # only the reader's own were marked
    assert client_for(actors.tenant_a).get("/messages/")["Location"].startswith("/login/")


def test_staff_see_unread_counts_and_choose_their_notice_language(
    wechat_a: Any, cast: Any, actors: Any
) -> None:
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    notifications_fan_out(event_id=order.events.get().pk)
    owner = client_for(actors.tenant_a, actors.owner_a)
    assert "1 条未读" in owner.get("/console/messages/").content.decode()
    owner.post("/console/messages/", {"action": "language", "language": "en"})
    with schema_context(actors.tenant_a.schema_name):
        from integrations.models import NotificationPreference

        staff = StaffMember.objects.get(pk=actors.owner_a.pk)
        assert NotificationPreference.objects.get(staff=staff).language == "en"
