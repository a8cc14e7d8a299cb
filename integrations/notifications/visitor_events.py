"""Visitor events → notifications, through the same outbox as order events.

``visitors`` writes a ``VisitEvent`` with ``notify`` naming who should hear (and knows nothing of
us); after its transaction commits, ``fan_out_visit_event`` turns it into ``Notification`` rows —
idempotent per (visit event, recipient, channel), marked fanned out by ``VisitEventDispatch`` — and
hands them to the same delivery tasks as orders (claim, send, retry, sweep).

Who hears what:
- the next approvers (the step the event handed the application to): "waiting for your approval",
  in-app + SMS (+ WeChat when bound), linking to the console's application page;
- the visitor: approved (with the pass link) or rejected (with the reason), pass revoked;
- the contact person: the visitor arrived at the gate;
- the invitee: the invitation (by SMS with the apply link, WeChat when their phone is bound).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Customer, StaffMember
from accounts.services import customer_get_or_create
from integrations.models import Audience, Channel, VisitEventDispatch
from integrations.notifications import fan_out
from integrations.notifications.recipients import Recipient
from integrations.wechat import limits
from integrations.wechat.accounts import current_provider
from tenants.domains import portal_url
from visitors.models import ApplicationStep, EventKind, Notify, StepState, VisitEvent

logger = logging.getLogger(__name__)
DISPATCH_UID = "integrations.notifications.visit_event_saved"


# --- Who ---------------------------------------------------------------------------------------------


def _next_step(event: VisitEvent) -> ApplicationStep | None:
    if event.step is None or event.application is None:
        return None
    if event.kind == EventKind.SUBMITTED:
        return event.step
    return (
        event.application.steps.filter(position__gt=event.step.position)
        .exclude(state__in=[StepState.SKIPPED, StepState.CLOSED])
        .order_by("position")
        .first()
    )


def recipients_for_visit(event: VisitEvent) -> list[Recipient]:
    found: list[Recipient] = []
    seen: set[tuple[str, int]] = set()

    def add(audience: str, *, customer: Customer | None = None, staff: StaffMember | None = None) -> None:
        recipient = Recipient(audience, f"visit_{event.kind}:{audience}", customer, staff)
        if recipient.key in seen or (staff is not None and not staff.is_active):
            return
        seen.add(recipient.key)
        found.append(recipient)

    application = event.application
    for target in event.notify or []:
        if target == Notify.NEXT_APPROVERS:
            step = _next_step(event)
            if step is not None:
                for staff in step.approvers.select_related("user").order_by("pk"):
                    add(Audience.APPROVER, staff=staff)
        elif target == Notify.VISITOR and application is not None:
            add(Audience.VISITOR, customer=application.applicant)
        elif target == Notify.HOST and application is not None:
            add(Audience.HOST, staff=application.host)
        elif target == Notify.INVITEE and event.invitation is not None:
            add(Audience.VISITOR, customer=customer_get_or_create(phone=event.invitation.phone))
    return found


# --- What ----------------------------------------------------------------------------------------------


def _path(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs or None, urlconf=settings.ROOT_URLCONF)
    except NoReverseMatch:
        return "/"


def _link(event: VisitEvent, recipient: Recipient, host: str) -> str:
    application = event.application
    if event.invitation is not None and application is None:
        path = _path("portal:visit-apply") + f"?code={event.invitation.code}"
    elif recipient.staff is not None and application is not None:
        path = _path("console:visitors-application", pk=application.pk)
    elif application is not None and event.kind == EventKind.APPROVED:
        path = _path("portal:visit-pass", pk=application.pk)
    elif application is not None:
        path = _path("portal:visit-application", pk=application.pk)
    else:
        path = "/"
    return portal_url(host, path) if host else path


def _texts(event: VisitEvent, recipient: Recipient) -> tuple[str, str]:
    application, invitation = event.application, event.invitation
    if invitation is not None and application is None:
        return (
            _("You are invited to visit"),
            _("Invitation code %(code)s: %(from)s – %(until)s, contact person %(host)s. Apply with the link.")
            % {
                "code": invitation.code,
                "from": timezone.localtime(invitation.visit_start).strftime("%Y-%m-%d %H:%M"),
                "until": timezone.localtime(invitation.visit_end).strftime("%Y-%m-%d %H:%M"),
                "host": invitation.host,
            },
        )
    assert application is not None
    names = {"name": application.name, "reference": application.reference, "reason": event.note}
    if recipient.audience == Audience.APPROVER:
        return (
            _("A visit application waits for your approval"),
            _("%(name)s applied to visit (%(reference)s). Open it to approve or reject.") % names,
        )
    if recipient.audience == Audience.HOST:
        return (_("Your visitor has arrived"), _("%(name)s entered at the gate (%(reference)s).") % names)
    if event.kind == EventKind.APPROVED:
        return (
            _("Your visit application was approved"),
            _("%(reference)s was approved. Show the pass at the gate.") % names,
        )
    if event.kind == EventKind.REJECTED:
        return (_("Your visit application was rejected"), _("%(reference)s was rejected: %(reason)s") % names)
    return (
        _("Your visitor pass was revoked"),
        _("The pass of %(reference)s was revoked: %(reason)s") % names,
    )


def _payload(
    channel: str, recipient: Recipient, event: VisitEvent, title: str, body: str, link: str
) -> dict[str, Any]:
    reference = (
        event.application.reference
        if event.application
        else (event.invitation.code if event.invitation else "")
    )
    if channel == Channel.WECHAT:
        if recipient.customer is not None:
            data = {
                "character_string1": reference,
                "thing2": title,
                "phrase3": "预约访客",
                "time4": event.created_at,
                "thing5": event.note or body,
            }
            return {"slot": "order_update", "wechat": limits.fit_data(data)}
        phone = event.application.phone if event.application else ""
        data = {
            "character_string1": reference,
            "thing2": title,
            "thing3": event.application.name if event.application else "-",
            "phone_number4": phone or "-",
            "time5": event.created_at,
        }
        return {"slot": "staff_alert", "wechat": limits.fit_data(data)}
    if channel == Channel.SMS:
        return {
            "sms": {
                "provider": current_provider().name[:20],
                "summary": title[:40],
                "number": reference,
                "link": link,
            }
        }
    return {}


# --- Fan-out -------------------------------------------------------------------------------------------


def _message(event: VisitEvent, recipient: Recipient, language: str, host: str) -> fan_out.Message:
    link = _link(event, recipient, host)
    with translation.override(language):
        title, body = _texts(event, recipient)
    return fan_out.Message(
        kind=recipient.kind[:48],
        title=title[:120],
        body=body,
        link=link,
        payload=lambda channel: _payload(channel, recipient, event, title, body, link),
    )


def visit_notifications_fan_out(*, event_id: int) -> list[int]:
    """Create the visit event's notifications (idempotent); returns the ids still to deliver."""
    event = (
        VisitEvent.objects.select_related(
            "application__applicant__user", "application__host__user", "invitation__host", "step"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    if VisitEventDispatch.objects.filter(visit_event_id=event_id).exists():
        return fan_out.pending_ids(visit_event_id=event_id)
    host = current_provider().primary_host
    fan_out.store_notifications(
        source={"visit_event": event},
        recipients=recipients_for_visit(event),
        message=lambda recipient, language: _message(event, recipient, language, host),
        mark_fanned_out=lambda: VisitEventDispatch.objects.get_or_create(visit_event=event),
    )
    return fan_out.pending_ids(visit_event_id=event_id)


def visit_events_not_fanned_out(*, grace_seconds: int = 60, limit: int = 500) -> list[int]:
    """Visit events that notify someone but were never fanned out (for the sweeper)."""
    return fan_out.not_fanned_out(
        VisitEvent.objects.all(),
        no_one={"notify": []},
        now=timezone.now(),
        grace_seconds=grace_seconds,
        limit=limit,
    )


# --- After commit --------------------------------------------------------------------------------------


def visit_event_saved(
    sender: Any, instance: VisitEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw or not instance.notify:
        return
    from integrations.notifications.visitor_tasks import enqueue_visit_fan_out

    event_id = instance.pk
    schema = str(getattr(connection, "schema_name", "public"))
    transaction.on_commit(lambda: enqueue_visit_fan_out(event_id, schema=schema), robust=True)


def connect() -> None:
    post_save.connect(visit_event_saved, sender=VisitEvent, dispatch_uid=DISPATCH_UID)
