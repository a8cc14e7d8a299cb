"""Confirm or reject completion, and rating: the reporter's or company manager's closing steps."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffMember
from accounts.selectors import provider_settings
from repair_forms.lifecycle import Actor, Role, TransitionNotAllowed, check
from repair_forms.models import (
    Rating,
    RepairOrder,
)
from repair_forms.services._common import (
    S,
    _apply_status,
    _event,
    _lock,
    _now,
    _save,
    _text,
)

# --- Reporter / company manager confirms; rating ----------------------------------------------------


@transaction.atomic
def order_confirm_completion(
    *, actor: Actor, order: RepairOrder, note: str = "", now: datetime | None = None
) -> RepairOrder:
    """确认: by the reporter or the company's manager (or ``Actor.system()`` after the provider's
    auto-confirm days). The engineer who did the job can never confirm it, even if he also filed it."""
    now = _now(now)
    order = _lock(order)
    check("confirm_completion", order=order, actor=actor)
    note = _text(note, field="note", label=_("note"), required=False)
    if actor.customer is not None and order.engineer_id is not None:
        # Customers and staff are separate users; the same person has the same phone in both.
        engineer_phone = (
            StaffMember.objects.filter(pk=order.engineer_id).values_list("phone", flat=True).first()
        )
        if engineer_phone == actor.customer.phone:
            raise TransitionNotAllowed(
                _("The engineer who did the job cannot confirm it; the reporter or company manager must."),
                transition="confirm_completion",
                code="own_job",
            )
    before = order.status
    _apply_status(order, S.COMPLETED, now)
    _save(order)
    _event(
        order,
        "confirm_completion",
        actor,
        from_status=before,
        note=note,
        now=now,
        payload={"auto": actor.role == Role.SYSTEM},
    )
    return order


@transaction.atomic
def order_reject_completion(
    *, actor: Actor, order: RepairOrder, reason: str, now: datetime | None = None
) -> RepairOrder:
    """Not fixed: back to repair with the reason; the engineer is told."""
    now = _now(now)
    order = _lock(order)
    check("reject_completion", order=order, actor=actor)
    reason = _text(reason, field="reason", label=_("reason"))
    before = order.status
    _apply_status(order, S.IN_PROGRESS, now)
    _save(order)
    _event(order, "reject_completion", actor, from_status=before, note=reason, now=now)
    return order


@transaction.atomic
def order_rate(
    *,
    actor: Actor,
    order: RepairOrder,
    stars: int,
    tags: Sequence[str] = (),
    comment: str = "",
    now: datetime | None = None,
) -> Rating:
    """评价: once, by the reporter, on a completed order, when the provider has ratings on.
    ``tags`` must be among the provider's rating tags."""
    now = _now(now)
    order = _lock(order)
    check("rate", order=order, actor=actor)
    settings = provider_settings()
    if not settings.ratings_enabled:
        raise TransitionNotAllowed(
            _("This provider does not take ratings."), transition="rate", code="ratings_disabled"
        )
    if Rating.objects.filter(order=order).exists():
        raise TransitionNotAllowed(
            _("Order %(number)s has already been rated.") % {"number": order.number},
            transition="rate",
            code="already_rated",
        )
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"stars": [_("Choose from 1 to 5 stars.")]})
    allowed_tags = list(settings.rating_tags or [])
    chosen = [str(t) for t in tags if str(t).strip()]
    if any(t not in allowed_tags for t in chosen):
        raise ValidationError({"tags": [_("Choose tags from the list.")]})
    chosen = [t for t in allowed_tags if t in chosen]
    comment = _text(comment, field="comment", label=_("comment"), required=False)
    customer = actor.customer
    assert customer is not None
    rating = Rating.objects.create(
        order=order, customer=customer, stars=stars, tags=chosen, comment=comment, created_at=now
    )
    order.rating_stars = stars
    _save(order)
    _event(
        order,
        "rate",
        actor,
        from_status=order.status,
        note=comment,
        now=now,
        payload={"stars": stars, "tags": chosen},
    )
    return rating
