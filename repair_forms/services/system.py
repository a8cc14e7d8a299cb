"""System steps: the overdue flag and statuses that arrive from an external asset system."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffMember
from repair_forms import lifecycle
from repair_forms.lifecycle import Actor, Role, TransitionNotAllowed, check
from repair_forms.models import (
    RepairOrder,
)
from repair_forms.services._common import (
    MAX_REASON,
    S,
    _event,
    _extra_payload,
    _lock,
    _now,
    _save,
)
from repair_forms.services.back_office import order_accept, order_dispatch
from repair_forms.services.completion import order_confirm_completion, order_reject_completion
from repair_forms.services.engineer import (
    order_approve_suspension,
    order_resume,
    order_start,
    order_submit_job_sheet,
)
from repair_forms.services.reporter import order_cancel

# --- System: overdue flag and external sync ----------------------------------------------------------


@transaction.atomic
def order_flag_overdue(*, order: RepairOrder, clock: str, now: datetime | None = None) -> RepairOrder:
    """超: set by ``jobs.flag_overdue_orders`` once an SLA clock (``waiting`` or ``repair``) runs
    out. The flag stays after completion: the order *was* late."""
    now = _now(now)
    order = _lock(order)
    actor = Actor.system()
    check("flag_overdue", order=order, actor=actor)
    if order.is_overdue:
        return order
    order.is_overdue = True
    _save(order)
    _event(order, "flag_overdue", actor, from_status=order.status, now=now, payload={"clock": clock})
    return order


EXTERNAL_SYNC_SERVICES = {
    "accept": "accept",
    "dispatch": "dispatch",
    "start": "start",
    "approve_suspension": "approve_suspension",
    "resume": "resume",
    "submit_job_sheet": "submit_job_sheet",
    "confirm_completion": "confirm_completion",
    "reject_completion": "reject_completion",
    "cancel": "cancel",
}


def external_transition_for(current: str, target: str) -> str | None:
    """The lifecycle transition an external status change maps to (None: no single step)."""
    for name, transition in lifecycle.TRANSITIONS.items():
        if (
            Role.ASSET_ADAPTER in transition.roles
            and current in transition.sources
            and transition.target == target
            and name in EXTERNAL_SYNC_SERVICES
        ):
            return name
    return None


@transaction.atomic
def order_apply_external_status(
    *,
    order: RepairOrder,
    status: str,
    external_status: str = "",
    note: str = "",
    engineer: StaffMember | None = None,
    actor: Actor | None = None,
    now: datetime | None = None,
) -> RepairOrder:
    """An asset-system adapter reports the order's status there (already mapped to ours). Runs the
    one transition that leads there from the current state, as ``Actor.asset_adapter()``, with the
    same event and notifications (the payload adds ``external_status``). Same status: no-op, so a
    repeated sync is harmless. No single step leads there: ``TransitionNotAllowed``."""
    actor = actor or Actor.asset_adapter()
    order = _lock(order)
    if order.status == status:
        return order
    name = external_transition_for(order.status, status)
    if name is None:
        reachable = sorted(
            {
                str(S(t.target).label)
                for n, t in lifecycle.TRANSITIONS.items()
                if n in EXTERNAL_SYNC_SERVICES and order.status in t.sources and t.target
            }
        )
        raise TransitionNotAllowed(
            _("Order %(number)s cannot go from “%(current)s” there in one step. Possible: %(allowed)s.")
            % {
                "number": order.number,
                "current": S(order.status).label,
                "allowed": _(", ").join(reachable) or _("nothing"),
            },
            transition="external_sync",
            code="no_mapped_transition",
        )
    text = note or external_status or _("Updated by the asset system")
    with _extra_payload(external_status=external_status, source="asset_adapter"):
        if name == "accept":
            order_accept(actor=actor, order=order, note=note, now=now)
        elif name == "dispatch":
            if engineer is None:
                raise TransitionNotAllowed(
                    _("Dispatching needs one of the provider's engineers."),
                    transition="dispatch",
                    code="needs_engineer",
                )
            order_dispatch(actor=actor, order=order, engineer=engineer, note=note, now=now)
        elif name == "start":
            order_start(actor=actor, order=order, now=now)
        elif name == "approve_suspension":
            order_approve_suspension(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "resume":
            order_resume(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "submit_job_sheet":
            order_submit_job_sheet(
                actor=actor, order=order, work_done=text, result=external_status or text, now=now
            )
        elif name == "confirm_completion":
            order_confirm_completion(actor=actor, order=order, note=note[:MAX_REASON], now=now)
        elif name == "reject_completion":
            order_reject_completion(actor=actor, order=order, reason=text, now=now)
        elif name == "cancel":
            order_cancel(actor=actor, order=order, reason=text, now=now)
    order.refresh_from_db()
    return order
