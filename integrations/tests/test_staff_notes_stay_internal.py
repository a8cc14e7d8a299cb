"""Staff notes on accept and dispatch (给工程师的备注) are for staff and the engineer unless the writer
shows them to the customer: the customer's timeline, notifications and API never carry them. The
customer's 维修已挂起 notice quotes the engineer's reason, not the supervisor's approval note."""

from __future__ import annotations

from typing import Any

from integrations.models import Channel, Notification
from integrations.tests.wechat_fixtures import *  # noqa: F403
from repair_forms import services
from repair_forms.lifecycle import Actor
from repair_forms.selectors import order_suspensions, order_timeline

INTERNAL = "门禁密码 4321，客户脾气急"
SHOWN = "工程师明早九点上门"


def _walk(cast: Any, capture: Any, *, shown: bool = False) -> Any:
    with capture(execute=True):
        order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    with capture(execute=True):
        services.order_accept(
            actor=cast.actor("dispatcher"),
            order=order,
            note=SHOWN if shown else INTERNAL,
            note_visible_to_customer=shown,
        )
    with capture(execute=True):
        services.order_dispatch(
            actor=cast.actor("dispatcher"), order=order, engineer=cast.engineer, note=INTERNAL
        )
    order.refresh_from_db()
    return order


def test_a_dispatch_note_reaches_the_engineer_but_never_the_customer(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = _walk(cast, django_capture_on_commit_callbacks)
    customers = Notification.objects.filter(event__order=order, customer__isnull=False)
    assert customers.filter(kind="accept:reporter").exists()
    assert not [n.body for n in customers if INTERNAL in n.body or INTERNAL in str(n.payload)]
    engineer = Notification.objects.get(event__order=order, staff=cast.engineer, channel=Channel.INAPP)
    assert INTERNAL in engineer.body

    customer_view = order_timeline(actor=cast.actor("reporter"), order=order)
    assert [e.transition for e in customer_view] == ["submit", "accept", "dispatch"]
    assert all(INTERNAL not in e.note for e in customer_view)
    staff_view = order_timeline(actor=cast.actor("dispatcher"), order=order)
    assert [e.note for e in staff_view if e.transition == "dispatch"] == [INTERNAL]


def test_a_note_the_writer_shows_to_the_customer_is_shown(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = _walk(cast, django_capture_on_commit_callbacks, shown=True)
    customer_view = order_timeline(actor=Actor.for_customer(cast.reporter), order=order)
    assert [e.note for e in customer_view if e.transition == "accept"] == [SHOWN]
    assert [e.note for e in customer_view if e.transition == "dispatch"] == [""]


def test_the_suspension_notice_quotes_the_engineers_reason_not_the_approval_note(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    order = _walk(cast, django_capture_on_commit_callbacks)
    capture = django_capture_on_commit_callbacks
    with capture(execute=True):
        services.order_start(actor=cast.actor("engineer"), order=order)
    with capture(execute=True):
        services.order_request_suspension(actor=cast.actor("engineer"), order=order, reason="等待硒鼓到货")
    with capture(execute=True):
        services.order_approve_suspension(
            actor=cast.actor("supervisor"), order=order, note="同意，催一下采购"
        )
    notice = Notification.objects.get(
        event__order=order, kind="approve_suspension:reporter", channel=Channel.INAPP
    )
    assert "等待硒鼓到货" in notice.body and "催一下采购" not in notice.body
    suspensions = order_suspensions(order=order, actor=cast.actor("reporter"))
    assert [s.reason for s in suspensions] == ["等待硒鼓到货"]
    assert [s.decision_note for s in suspensions] == [""]
