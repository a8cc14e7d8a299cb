"""受理并派单 in one step, and the bulk steps of the order list.

``order_accept_and_dispatch`` fires both lifecycle transitions (two events on the timeline, the
usual notifications) in one transaction: the order is either accepted *and* dispatched, or left
as it was. ``orders_bulk_step`` runs one step over many orders, each in its own transaction, and
reports each order's outcome — one refusal never undoes the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import StaffMember
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import RepairOrder, WorkOrder
from repair_forms.services.back_office import order_accept, order_dispatch

BULK_STEPS = ("accept", "dispatch", "accept-dispatch")


@transaction.atomic
def order_accept_and_dispatch(
    *,
    actor: Actor,
    order: RepairOrder,
    engineer: StaffMember,
    note: str = "",
    now: datetime | None = None,
) -> WorkOrder:
    """Accept a submitted order and dispatch it to ``engineer`` at once (``note`` goes to the
    engineer, as on a dispatch)."""
    order = order_accept(actor=actor, order=order, now=now)
    return order_dispatch(actor=actor, order=order, engineer=engineer, note=note, now=now)


@dataclass(frozen=True)
class BulkOutcome:
    order_id: int
    number: str
    ok: bool
    message: str = ""


def order_bulk_step(
    *, actor: Actor, order: RepairOrder, step: str, engineer: StaffMember | None = None
) -> BulkOutcome:
    """One order's share of a bulk step; refusals and bad input become the outcome's message."""
    if step not in BULK_STEPS:
        raise ValueError(f"Unknown bulk step {step!r}")
    try:
        if step == "accept":
            order_accept(actor=actor, order=order)
        elif engineer is None:
            raise ValidationError({"engineer": ["-"]})
        elif step == "dispatch":
            order_dispatch(actor=actor, order=order, engineer=engineer)
        else:
            order_accept_and_dispatch(actor=actor, order=order, engineer=engineer)
    except (TransitionNotAllowed, ValidationError) as exc:
        return BulkOutcome(order.pk, order.number, False, " ".join(exc.messages))
    return BulkOutcome(order.pk, order.number, True)


def orders_bulk_step(
    *, actor: Actor, orders: Iterable[RepairOrder], step: str, engineer: StaffMember | None = None
) -> list[BulkOutcome]:
    return [order_bulk_step(actor=actor, order=o, step=step, engineer=engineer) for o in orders]
