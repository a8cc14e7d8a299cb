"""The MangoIT flow (seed 000): submit → accept → dispatch → start → job sheet → manager confirms →
rating. At each step exactly the seed's parties are told, through their channels, in their
language — checked in the database, at the loopback WeChat and in the SMS inbox."""

from __future__ import annotations

from typing import Any

import pytest

from integrations.models import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationStatus,
    StaffWeChatBinding,
)
from integrations.tests.wechat_fixtures import *  # noqa: F403
from integrations.tests.wechat_fixtures import TEMPLATES
from integrations.wechat.limits import fit
from repair_forms import services

IN, WX, SMS = Channel.INAPP, Channel.WECHAT, Channel.SMS

# step → {person: (kind, channels)}; people: reporter, manager (customers with WeChat bound),
# admin + dispatcher (back office, no WeChat), engineer (WeChat bound).
FLOW: list[tuple[str, dict[str, tuple[str, tuple[str, ...]]]]] = [
    (
        "submit",  # 3. 呼叫IT: 呼叫本人自动回复、负责人收到呼叫提醒、后台收到报障提醒
        {
            "reporter": ("submit:reporter", (IN, WX)),
            "manager": ("submit:company_manager", (IN, WX)),
            "admin": ("submit:back_office", (IN, SMS)),
            "dispatcher": ("submit:back_office", (IN, SMS)),
        },
    ),
    (
        "accept",  # 4. 确认呼叫: 呼叫本人和负责人收到确认通知
        {
            "reporter": ("accept:reporter", (IN, WX)),
            "manager": ("accept:company_manager", (IN, WX)),
        },
    ),
    (
        "dispatch",  # 5. 委派任务: 负责人收到委派通知、工程师收到委派通知 (with the map route)
        {
            "manager": ("dispatch:company_manager", (IN, WX)),
            "engineer": ("dispatch:engineer", (IN, SMS, WX)),
        },
    ),
    ("start", {"reporter": ("start:reporter", (IN, WX))}),
    (
        "job_sheet",  # 6. 工程师提交派单: 负责人收到确认通知、工程师收到待确认通知; the reporter too
        {
            "reporter": ("submit_job_sheet:reporter", (IN, WX)),
            "manager": ("submit_job_sheet:company_manager", (IN, WX)),
            "engineer": ("submit_job_sheet:engineer", (IN, SMS, WX)),
        },
    ),
    # 7. 负责人确认派单: 工程师收到完成通知，可以离场
    ("confirm", {"engineer": ("confirm_completion:engineer", (IN, SMS, WX))}),
    (
        "rate",
        {
            "admin": ("rate:back_office", (IN, SMS)),
            "dispatcher": ("rate:back_office", (IN, SMS)),
        },
    ),
]

TITLES = {
    "zh-hans": {
        "submit:reporter": "报修已提交",
        "submit:company_manager": "用户申请事项提醒",
        "submit:back_office": "新增故障申报提醒",
        "accept:reporter": "报修单受理通知",
        "accept:company_manager": "报修单受理通知",
        "dispatch:company_manager": "新派单提醒",
        "dispatch:engineer": "新派单提醒",
        "start:reporter": "工程师已开始维修",
        "submit_job_sheet:company_manager": "服务完成确认通知",
        "submit_job_sheet:reporter": "服务完成确认通知",
        "submit_job_sheet:engineer": "派单待确认通知",
        "confirm_completion:engineer": "服务完成通知",
        "rate:back_office": "客户评价提醒",
    },
    "en": {
        "submit:reporter": "Report received",
        "submit:company_manager": "New request from your company",
        "submit:back_office": "New fault report",
        "accept:reporter": "Order accepted",
        "accept:company_manager": "Order accepted",
        "dispatch:company_manager": "New work order",
        "dispatch:engineer": "New work order",
        "start:reporter": "Repair started",
        "submit_job_sheet:company_manager": "Please confirm completion",
        "submit_job_sheet:reporter": "Please confirm completion",
        "submit_job_sheet:engineer": "Work order awaiting confirmation",
        "confirm_completion:engineer": "Service completed",
        "rate:back_office": "New rating",
    },
}
# Words the engineer's notices must carry in each language (leave the site / the route link).
ENGINEER_DONE = {"zh-hans": "可以离场", "en": "may leave"}
OPENIDS = {"reporter": "o_reporter_mango", "manager": "o_manager_mango", "engineer": "o_engineer_mango"}


def _people(cast: Any) -> dict[str, Any]:
    return {
        "reporter": cast.reporter,
        "manager": cast.manager,
        "admin": cast.admin,
        "dispatcher": cast.dispatcher,
        "engineer": cast.engineer,
        "supervisor": cast.supervisor,
        "engineer2": cast.engineer2,
    }


def _name_of(notification: Notification, people: dict[str, Any]) -> str:
    for name, person in people.items():
        is_customer = hasattr(person, "is_company_manager")
        if (is_customer and notification.customer_id == person.pk) or (
            not is_customer and notification.staff_id == person.pk
        ):
            return name
    return f"someone else ({notification.recipient_display})"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_mangoit_flow_tells_exactly_the_seed_parties_in_their_language(
    language: str, wechat_a: Any, cast: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    fake = wechat_a.fake
    people = _people(cast)
    for name in ("reporter", "manager"):
        person = people[name]
        person.wechat_openid = OPENIDS[name]
        person.save(update_fields=["wechat_openid"])
    StaffWeChatBinding.objects.create(staff=cast.engineer, openid=OPENIDS["engineer"])
    fake.followers[wechat_a.appid].update(OPENIDS.values())
    for person in people.values():
        key = "customer" if hasattr(person, "is_company_manager") else "staff"
        NotificationPreference.objects.create(**{key: person}, language=language)

    order: Any = None
    work_order: Any = None
    actions = {
        "submit": lambda: services.order_submit(
            actor=cast.actor("reporter"), data=cast.form_data(machine_no="NO000028")
        ),
        "accept": lambda: services.order_accept(actor=cast.actor("dispatcher"), order=order),
        "dispatch": lambda: services.order_dispatch(
            actor=cast.actor("dispatcher"), order=order, engineer=cast.engineer
        ),
        "start": lambda: services.order_start(actor=cast.actor("engineer"), order=order),
        "job_sheet": lambda: services.order_submit_job_sheet(
            actor=cast.actor("engineer"), order=order, work_done="更换硒鼓", result="已修复"
        ),
        "confirm": lambda: services.order_confirm_completion(actor=cast.actor("manager"), order=order),
        "rate": lambda: services.order_rate(actor=cast.actor("reporter"), order=order, stars=5),
    }
    for step, expected in FLOW:
        seen_before = set(Notification.objects.values_list("pk", flat=True))
        wechat_before, sms_before = len(fake.sent), len(sms_outbox)
        with django_capture_on_commit_callbacks(execute=True):
            result = actions[step]()
        if step == "submit":
            order = result
        elif step == "dispatch":
            work_order = result
        order.refresh_from_db()
        new = list(Notification.objects.exclude(pk__in=seen_before).order_by("pk"))

        got = {(_name_of(n, people), n.kind, n.channel) for n in new}
        want = {(who, kind, channel) for who, (kind, channels) in expected.items() for channel in channels}
        assert got == want, f"step {step}"
        assert len(new) == len(want), f"step {step}: duplicates"
        unsent = [(n.kind, n.channel, n.last_error) for n in new if n.status != NotificationStatus.SENT]
        assert not unsent, unsent
        for n in new:
            assert n.language == language
            assert n.title == TITLES[language][n.kind], (step, n.kind)
            assert order.number in n.body

        wechat_sent = fake.sent[wechat_before:]
        expected_wechat = sorted(OPENIDS[who] for who, (_k, channels) in expected.items() if WX in channels)
        assert sorted(s.touser for s in wechat_sent) == expected_wechat, f"step {step}"
        expected_sms = sorted(
            str(people[w].phone) for w, (_k, channels) in expected.items() if SMS in channels
        )
        assert sorted(m.phone for m in sms_outbox[sms_before:]) == expected_sms, f"step {step}"
        for sent in wechat_sent:
            kind = next(kind for who, (kind, _c) in expected.items() if OPENIDS.get(who) == sent.touser)
            assert sent.data["thing2"]["value"] == fit("thing", TITLES[language][kind])

        if step == "dispatch":
            engineer_note = next(n for n in new if n.staff_id == cast.engineer.pk and n.channel == IN)
            assert "apis.map.qq.com/uri/v1/" in engineer_note.body
            assert work_order.number in engineer_note.body
            engineer_wechat = next(s for s in wechat_sent if s.touser == OPENIDS["engineer"])
            assert engineer_wechat.template_id == TEMPLATES["work_order"]
            assert engineer_wechat.data["character_string1"]["value"] == work_order.number
        if step == "confirm":
            done = next(n for n in new if n.channel == IN)
            assert ENGINEER_DONE[language] in done.body
    # Nobody outside the seed's parties heard anything; running the outbox again adds nothing.
    assert not Notification.objects.filter(staff__in=[cast.supervisor, cast.engineer2]).exists()
    from integrations.notifications.tasks import sweep_tenant

    total = Notification.objects.count()
    sweep_tenant(grace_seconds=0, deliver_inline=True)
    assert Notification.objects.count() == total
