"""Delivering notifications: once per (event, recipient, channel), claimed before sending, retried
with backoff, permanent refusals recorded, unconfigured channels kept in the in-app log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from integrations.models import Channel, EventDispatch, Notification, NotificationStatus
from integrations.notifications import services
from integrations.notifications.tasks import sweep_tenant
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import APPID_A
from repair_forms import services as orders

S = NotificationStatus


def _submit(cast: Any, *, openid: str = "") -> Any:
    if openid:
        cast.reporter.wechat_openid = openid
        cast.reporter.save(update_fields=["wechat_openid"])
    order = orders.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    return order.events.get(transition="submit")


def _reporter_wechat(event: Any) -> Notification:
    return Notification.objects.get(event=event, audience="reporter", channel=Channel.WECHAT)


def test_fanning_an_event_out_twice_never_duplicates_a_message(wechat_a: Any, cast: Any) -> None:
    event = _submit(cast, openid="o_rep")
    first = services.notifications_fan_out(event_id=event.pk)
    count = Notification.objects.filter(event=event).count()
    EventDispatch.objects.filter(event=event).delete()  # as if the mark were lost: rows are still unique
    second = services.notifications_fan_out(event_id=event.pk)
    assert Notification.objects.filter(event=event).count() == count
    assert sorted(first) == sorted(second)
    assert Notification.objects.filter(event=event, channel=Channel.INAPP, status=S.SENT).count() == 4


def test_a_notification_is_sent_once_even_when_two_workers_deliver_it(wechat_a: Any, cast: Any) -> None:
    wechat_a.fake.followers[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    outcomes = [services.notification_deliver(notification_id=notification.pk) for _ in range(3)]
    assert [o.status for o in outcomes] == [S.SENT, "", ""]
    assert len(wechat_a.fake.sent_to("o_rep")) == 1


def test_a_notification_stuck_in_sending_past_its_lease_is_picked_up_again(wechat_a: Any, cast: Any) -> None:
    wechat_a.fake.followers[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    Notification.objects.filter(pk=notification.pk).update(
        status=S.SENDING, attempts=1, lease_until=timezone.now() + timedelta(minutes=1)
    )
    assert services.notification_deliver(notification_id=notification.pk).status == ""  # leased: not ours
    Notification.objects.filter(pk=notification.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert notification.pk in services.notifications_due(grace_seconds=0)
    assert services.notification_deliver(notification_id=notification.pk).status == S.SENT
    assert len(wechat_a.fake.sent_to("o_rep")) == 1


def test_quota_exhaustion_backs_off_for_long_and_then_delivers(wechat_a: Any, cast: Any) -> None:
    wechat_a.fake.followers[APPID_A].add("o_rep")
    wechat_a.fake.fail_next("/cgi-bin/message/template/send", 45009)
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    outcome = services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == S.PENDING
    assert outcome.retry_in is not None and outcome.retry_in >= 3600
    assert notification.next_attempt_at >= timezone.now() + timedelta(minutes=59)
    assert "45009" in notification.last_error
    assert notification.pk not in services.notifications_due(grace_seconds=0)  # not before its time
    later = timezone.now() + timedelta(hours=2)
    assert notification.pk in services.notifications_due(now=later, grace_seconds=0)
    assert services.notification_deliver(notification_id=notification.pk).status == S.SENT
    assert len(wechat_a.fake.sent_to("o_rep")) == 1


def test_busy_wechat_is_retried_with_exponential_backoff_then_given_up(
    wechat_a: Any, cast: Any, settings: Any
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 4
    wechat_a.fake.followers[APPID_A].add("o_rep")
    wechat_a.fake.fail_next("/cgi-bin/message/template/send", -1, times=10)
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    delays = []
    for _ in range(4):
        outcome = services.notification_deliver(notification_id=notification.pk)
        delays.append(outcome.retry_in)
    notification.refresh_from_db()
    assert delays == [30, 60, 120, None]
    assert notification.status == S.FAILED and notification.attempts == 4
    assert wechat_a.fake.sent_to("o_rep") == []


@pytest.mark.parametrize(("errcode", "openid_known"), [(47003, True), (43004, False)])
def test_permanent_refusals_are_recorded_failed_and_never_retried(
    wechat_a: Any, cast: Any, errcode: int, openid_known: bool
) -> None:
    fake = wechat_a.fake
    if openid_known:
        fake.followers[APPID_A].add("o_rep")
        fake.fail_next("/cgi-bin/message/template/send", errcode)
    else:
        fake.unfollowed[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    outcome = services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert outcome.retry_in is None
    assert notification.status == S.FAILED and notification.attempts == 1
    assert str(errcode) in notification.last_error
    assert notification.pk not in services.notifications_due(
        now=timezone.now() + timedelta(days=1), grace_seconds=0
    )


def test_a_customer_who_unfollowed_gets_the_notice_by_sms_instead(
    wechat_a: Any, cast: Any, sms_outbox: list[Any]
) -> None:
    wechat_a.fake.unfollowed[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    outcome = services.notification_deliver(notification_id=_reporter_wechat(event).pk)
    assert len(outcome.follow_up) == 1
    assert services.notification_deliver(notification_id=outcome.follow_up[0]).status == S.SENT
    assert [m.phone for m in sms_outbox] == [cast.reporter.phone]


def test_wechat_without_a_connection_keeps_the_message_in_the_in_app_log(fake_wechat: Any, cast: Any) -> None:
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    services.notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == S.LOGGED
    assert notification.last_error
    assert Notification.objects.filter(
        event=event, audience="reporter", channel=Channel.INAPP, status=S.SENT
    ).exists()


def test_wechat_without_a_template_id_for_the_message_is_logged_not_failed(wechat_a: Any, cast: Any) -> None:
    account = wechat_a.account
    account.template_ids = {}
    account.save()
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    services.notification_deliver(notification_id=_reporter_wechat(event).pk)
    assert _reporter_wechat(event).status == S.LOGGED
    assert wechat_a.fake.calls["/cgi-bin/message/template/send"] == 0


def test_sms_without_an_approved_template_id_is_logged(fake_wechat: Any, cast: Any, settings: Any) -> None:
    settings.SMS_BACKEND = "tencent"
    settings.TENCENT_SMS_TEMPLATES = {"verify_code": "1"}
    event = _submit(cast)
    services.notifications_fan_out(event_id=event.pk)
    sms = Notification.objects.get(event=event, audience="reporter", channel=Channel.SMS)
    services.notification_deliver(notification_id=sms.pk)
    sms.refresh_from_db()
    assert sms.status == S.LOGGED


def test_email_goes_through_djangos_mail_backend_only_when_one_is_configured(
    fake_wechat: Any, cast: Any
) -> None:
    user = cast.reporter.user
    user.email = "reporter@example.com"
    user.save(update_fields=["email"])
    event = _submit(cast)
    services.notifications_fan_out(event_id=event.pk)
    email = Notification.objects.get(event=event, audience="reporter", channel=Channel.EMAIL)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST=""):
        services.notification_deliver(notification_id=email.pk)
    email.refresh_from_db()
    assert email.status == S.LOGGED and len(mail.outbox) == 0
    Notification.objects.filter(pk=email.pk).update(status=S.PENDING)
    services.notification_deliver(notification_id=email.pk)  # the test mail backend is configured
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reporter@example.com"]
    assert event.order.number in mail.outbox[0].body


def test_the_sweeper_fans_out_events_nobody_enqueued_and_sends_whats_due(
    wechat_a: Any, cast: Any, sms_outbox: list[Any]
) -> None:
    wechat_a.fake.followers[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")  # no on_commit here: as if the broker had been down
    assert not Notification.objects.filter(event=event).exists()
    assert sweep_tenant(grace_seconds=60)["events"] == 0  # too fresh: the normal path may still run
    report = sweep_tenant(grace_seconds=0, deliver_inline=True)
    assert report["events"] == 1
    assert not Notification.objects.filter(event=event, status=S.PENDING).exists()
    assert len(wechat_a.fake.sent_to("o_rep")) == 1
    assert sweep_tenant(grace_seconds=0, deliver_inline=True) == {"events": 0, "notifications": 0}
    assert len(wechat_a.fake.sent_to("o_rep")) == 1


def test_resending_from_the_console_sends_again_with_a_fresh_budget(
    wechat_a: Any, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wechat_a.fake.unfollowed[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    notification = _reporter_wechat(event)
    services.notification_deliver(notification_id=notification.pk)
    wechat_a.fake.unfollowed[APPID_A].discard("o_rep")
    wechat_a.fake.followers[APPID_A].add("o_rep")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_resend(actor=cast.admin, notification=notification)
    notification.refresh_from_db()
    assert notification.status == S.SENT and notification.attempts == 1
    assert len(wechat_a.fake.sent_to("o_rep")) == 1


def test_only_the_back_office_may_resend(wechat_a: Any, cast: Any) -> None:
    from django.core.exceptions import PermissionDenied

    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    with pytest.raises(PermissionDenied):
        services.notification_resend(actor=cast.engineer, notification=_reporter_wechat(event))


def test_an_account_using_subscription_messages_sends_them_through_bizsend(wechat_a: Any, cast: Any) -> None:
    account = wechat_a.account
    account.message_style = "subscribe"
    account.save()
    wechat_a.fake.followers[APPID_A].add("o_rep")
    event = _submit(cast, openid="o_rep")
    services.notifications_fan_out(event_id=event.pk)
    assert services.notification_deliver(notification_id=_reporter_wechat(event).pk).status == S.SENT
    [sent] = wechat_a.fake.sent_to("o_rep")
    assert sent.kind == "subscribe"
    assert sent.data["character_string1"]["value"] == event.order.number
    assert sent.url.startswith("http://tenant-a.baoxiu.test:8000/")
