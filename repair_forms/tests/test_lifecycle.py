"""Every transition of ``lifecycle.TRANSITIONS`` from each of its source states, fired by every
role: the roles in the table succeed (and append the event the notifications read), every other
role gets ``TransitionNotAllowed``. Generated from the table, so a new row is tested at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from repair_forms import services
from repair_forms.lifecycle import TRANSITIONS, Actor, Role, TransitionNotAllowed
from repair_forms.models import OrderEvent, OrderStatus, RepairOrder
from repair_forms.tests.helpers import Cast, drive

S = OrderStatus
ROLES = [
    Role.REPORTER,
    Role.COMPANY_MANAGER,
    Role.ADMIN,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.ENGINEER,
    Role.SYSTEM,
    Role.ASSET_ADAPTER,
]
MANUAL_TARGET: dict[str, str] = {
    S.SUBMITTED: S.ACCEPTED,
    S.ACCEPTED: S.CANCELLED,
    S.DISPATCHED: S.IN_PROGRESS,
    S.IN_PROGRESS: S.AWAITING_CONFIRMATION,
    S.SUSPENDED: S.IN_PROGRESS,
    S.AWAITING_CONFIRMATION: S.COMPLETED,
}

Invoke = Callable[[Actor, RepairOrder, Cast], Any]
INVOKE: dict[str, Invoke] = {
    "edit": lambda a, o, c: services.order_edit(actor=a, order=o, data=c.form_data(fault_description="卡纸")),
    "cancel": lambda a, o, c: services.order_cancel(actor=a, order=o, reason="误报"),
    "urge": lambda a, o, c: services.order_urge(actor=a, order=o),
    "accept": lambda a, o, c: services.order_accept(actor=a, order=o),
    "dispatch": lambda a, o, c: services.order_dispatch(actor=a, order=o, engineer=c.engineer2),
    "start": lambda a, o, c: services.order_start(actor=a, order=o),
    "request_suspension": lambda a, o, c: services.order_request_suspension(actor=a, order=o, reason="缺件"),
    "approve_suspension": lambda a, o, c: services.order_approve_suspension(actor=a, order=o),
    "reject_suspension": lambda a, o, c: services.order_reject_suspension(actor=a, order=o, reason="先修"),
    "resume": lambda a, o, c: services.order_resume(actor=a, order=o),
    "submit_job_sheet": lambda a, o, c: services.order_submit_job_sheet(
        actor=a, order=o, work_done="更换定影器", result="已修复", parts=[{"name": "定影器", "quantity": 1}]
    ),
    "confirm_completion": lambda a, o, c: services.order_confirm_completion(actor=a, order=o),
    "reject_completion": lambda a, o, c: services.order_reject_completion(
        actor=a, order=o, reason="仍然卡纸"
    ),
    "rate": lambda a, o, c: services.order_rate(actor=a, order=o, stars=5, tags=["技术好"]),
    "set_progress": lambda a, o, c: services.order_set_progress(
        actor=a, order=o, status=MANUAL_TARGET.get(o.status, S.ACCEPTED), reason="电话确认"
    ),
    "add_note": lambda a, o, c: services.order_add_note(actor=a, order=o, note="客户要求下午上门"),
}
NEEDS_PENDING = {"approve_suspension", "reject_suspension"}


def actor_for(role: str, order: RepairOrder, cast: Cast) -> Actor:
    if role == Role.REPORTER:
        return Actor.for_customer(order.reporter)
    if role == Role.COMPANY_MANAGER:
        return Actor.for_customer(cast.manager)
    if role == Role.ENGINEER:
        return Actor.for_staff(order.engineer or cast.engineer)
    if role == Role.SYSTEM:
        return Actor.system()
    if role == Role.ASSET_ADAPTER:
        return Actor.asset_adapter("snipe-it")
    return cast.actor(role)


def _cases() -> list[Any]:
    cases = []
    for name in INVOKE:
        for source in sorted(TRANSITIONS[name].sources):
            for role in ROLES:
                cases.append(pytest.param(name, source, role, id=f"{name}-from-{source}-by-{role}"))
    return cases


@pytest.mark.parametrize(("name", "source", "role"), _cases())
def test_transition_is_allowed_exactly_for_the_roles_in_the_table(
    cast: Cast, name: str, source: str, role: str
) -> None:
    transition = TRANSITIONS[name]
    order = drive(cast, source, pending_suspension=name in NEEDS_PENDING)
    actor = actor_for(role, order, cast)
    # "engineer" means the engineer assigned to the order; before dispatch there is none.
    expected = role in transition.roles and (role != Role.ENGINEER or order.engineer_id is not None)
    events_before = OrderEvent.objects.filter(order=order).count()

    if expected:
        INVOKE[name](actor, order, cast)
        order.refresh_from_db()
        event = OrderEvent.objects.filter(order=order).latest("id")
        assert event.transition == name
        assert OrderEvent.objects.filter(order=order).count() == events_before + 1
        assert event.from_status == source
        assert event.to_status == order.status
        if transition.target is not None:
            assert order.status == transition.target
        if name != "set_progress":
            assert event.notify_roles == list(transition.notify)
    else:
        with pytest.raises(TransitionNotAllowed) as excinfo:
            INVOKE[name](actor, order, cast)
        assert excinfo.value.code == "wrong_role"
        order.refresh_from_db()
        assert order.status == source
        assert OrderEvent.objects.filter(order=order).count() == events_before


WRONG_STATE = {
    "edit": S.ACCEPTED,
    "cancel": S.DISPATCHED,
    "urge": S.IN_PROGRESS,
    "accept": S.ACCEPTED,
    "dispatch": S.SUBMITTED,
    "start": S.ACCEPTED,
    "request_suspension": S.DISPATCHED,
    "approve_suspension": S.SUSPENDED,
    "reject_suspension": S.AWAITING_CONFIRMATION,
    "resume": S.IN_PROGRESS,
    "submit_job_sheet": S.SUSPENDED,
    "confirm_completion": S.IN_PROGRESS,
    "reject_completion": S.COMPLETED,
    "rate": S.AWAITING_CONFIRMATION,
    "set_progress": S.COMPLETED,
}


@pytest.mark.parametrize("name", sorted(WRONG_STATE))
def test_transition_from_a_state_outside_its_sources_is_refused_naming_the_allowed_states(
    cast: Cast, name: str
) -> None:
    transition = TRANSITIONS[name]
    state = WRONG_STATE[name]
    assert state not in transition.sources
    order = drive(cast, state)
    role = sorted(transition.roles - {Role.ASSET_ADAPTER})[0]

    with pytest.raises(TransitionNotAllowed) as excinfo:
        INVOKE[name](actor_for(role, order, cast), order, cast)

    assert excinfo.value.code == "wrong_status"
    message = excinfo.value.messages[0]
    for source in transition.sources:
        assert str(S(source).label) in message
    order.refresh_from_db()
    assert order.status == state


def test_refusal_names_who_may_act_in_chinese_and_english(cast: Cast) -> None:
    order = drive(cast, S.SUBMITTED)
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as zh:
        services.order_accept(actor=Actor.for_customer(order.reporter), order=order)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as en:
        services.order_accept(actor=Actor.for_customer(order.reporter), order=order)

    assert "You may not accept order" in en.value.messages[0]
    assert "an administrator" in en.value.messages[0] and "a dispatcher" in en.value.messages[0]
    assert order.number in zh.value.messages[0]
    assert "管理员" in zh.value.messages[0] and "调度员" in zh.value.messages[0]


def test_wrong_state_refusal_reads_in_chinese(cast: Cast) -> None:
    order = drive(cast, S.ACCEPTED)
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as excinfo:
        services.order_cancel(actor=Actor.for_customer(order.reporter), order=order, reason="x")
    assert "已接单" in excinfo.value.messages[0] and "待接单" in excinfo.value.messages[0]


def test_transition_not_allowed_is_a_validation_error_the_api_can_map_to_409() -> None:
    from django.core.exceptions import ValidationError

    assert issubclass(TransitionNotAllowed, ValidationError)


def test_every_table_transition_has_a_service() -> None:
    for name in TRANSITIONS:
        assert hasattr(services, f"order_{name}"), name
