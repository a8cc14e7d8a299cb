"""Subscribe messages: the client reports wx.requestSubscribeMessage answers, each accept allows one
message of that template; a customer's notice goes as a mini-program subscribe message while a
grant lasts, and by SMS (as before) once none is left or WeChat refuses."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from integrations.miniprogram.models import MiniProgramAccount, SubscribeGrant
from integrations.models import Channel, Notification, NotificationStatus
from integrations.notifications.services import notifications_deliver, notifications_fan_out
from integrations.sms.gateway import DevBackend
from integrations.tests.fake_miniprogram import FakeMiniProgram
from portals.tests.miniprogram.fixtures import APPID_MP, bearer, sign_in
from repair_forms import services
from repair_forms.models import OrderEvent
from repair_forms.tests.helpers import Cast

TEMPLATE = "MPTPL_order_update_000001"


def _subscribed_reporter(fake: FakeMiniProgram, actors: Any, openid: str) -> Any:
    with schema_context(actors.tenant_a.schema_name):
        MiniProgramAccount.objects.update(subscribe_template_ids={"order_update": TEMPLATE})
    fake.templates[APPID_MP].add(TEMPLATE)
    fake.followers[APPID_MP].add(openid)
    pair = sign_in(fake, actors.tenant_a, openid)
    client = bearer(actors.tenant_a, pair["access_token"])
    client.post("/api/v1/auth/miniprogram/phone/", {"code": fake.phone_code("13700000101")}, format="json")
    return client


def _notify(event: OrderEvent, customer: Any) -> list[Notification]:
    """Fan the event out, deliver, and answer the customer's notices other than in-app."""
    ids = notifications_fan_out(event_id=event.pk)
    notifications_deliver(notification_ids=ids)
    return list(Notification.objects.filter(pk__in=ids, customer=customer).exclude(channel=Channel.INAPP))


def test_accepted_templates_are_counted_and_others_ignored(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    client = _subscribed_reporter(mp_a, actors, "o-sub-count")
    answer = client.post(
        "/api/v1/miniprogram/subscriptions/",
        {"results": {TEMPLATE: "accept", "SOMEONE_ELSES_TEMPLATE": "accept"}},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["remaining"] == {TEMPLATE: 1}
    rejected = client.post(
        "/api/v1/miniprogram/subscriptions/", {"results": {TEMPLATE: "reject"}}, format="json"
    )
    assert rejected.json()["remaining"] == {TEMPLATE: 1}
    assert (
        bearer(actors.tenant_a).post("/api/v1/miniprogram/subscriptions/", {}, format="json").status_code
        == 401
    )


def test_a_notice_goes_as_a_subscribe_message_while_a_grant_lasts_then_by_sms(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    client = _subscribed_reporter(mp_a, actors, "o-sub-send")
    client.post("/api/v1/miniprogram/subscriptions/", {"results": {TEMPLATE: "accept"}}, format="json")
    mp_a.subscribe("o-sub-send", TEMPLATE)
    DevBackend.outbox.clear()
    with schema_context(actors.tenant_a.schema_name):
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        services.order_accept(actor=cast.actor("admin"), order=order)
        accepted = OrderEvent.objects.get(order=order, transition="accept")
        [first] = _notify(accepted, cast.reporter)
        assert first.status == NotificationStatus.SENT and first.vendor_id.startswith("miniprogram:")
        assert SubscribeGrant.objects.get(template_id=TEMPLATE).remaining == 0
        sent = [s for s in mp_a.sent if s.kind == "miniprogram"]
        assert [s.touser for s in sent] == ["o-sub-send"]
        assert all(len(v["value"]) <= 20 for k, v in sent[0].data.items() if k.startswith("thing"))
        assert not [m for m in DevBackend.outbox if m.phone.endswith("13700000101")]

        services.order_dispatch(actor=cast.actor("admin"), order=order, engineer=cast.engineer)
        services.order_start(actor=cast.actor("engineer"), order=order)
        [later] = _notify(OrderEvent.objects.get(order=order, transition="start"), cast.reporter)
        assert later.channel == Channel.SMS and later.status == NotificationStatus.SENT
        assert not later.vendor_id.startswith("miniprogram:")  # no grant left: SMS as before
    assert len([s for s in mp_a.sent if s.kind == "miniprogram"]) == 1
    assert [m for m in DevBackend.outbox if m.phone.endswith("13700000101")]


def test_a_refused_subscribe_message_falls_back_to_sms(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    client = _subscribed_reporter(mp_a, actors, "o-sub-refused")
    client.post("/api/v1/miniprogram/subscriptions/", {"results": {TEMPLATE: "accept"}}, format="json")
    # The person switched subscriptions off in WeChat: WeChat answers 43101.
    DevBackend.outbox.clear()
    with schema_context(actors.tenant_a.schema_name):
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
        services.order_accept(actor=cast.actor("admin"), order=order)
        [notice] = _notify(OrderEvent.objects.get(order=order, transition="accept"), cast.reporter)
        assert notice.channel == Channel.SMS and notice.status == NotificationStatus.SENT
        assert not notice.vendor_id.startswith("miniprogram:")
        assert SubscribeGrant.objects.get(template_id=TEMPLATE).remaining == 0
    assert [m for m in DevBackend.outbox if m.phone.endswith("13700000101")]
