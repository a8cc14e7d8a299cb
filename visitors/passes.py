"""Passes (访客码) and the gate.

A pass carries a random token (32 bytes) and a short code for typing. The QR holds the token signed
with the site's key (``pass_qr_payload``), so a forged or altered payload is refused before any
lookup; the short code is for a guard whose phone cannot scan. A pass admits only inside its window:

- entry: refused when revoked, not yet valid, expired, the application is not approved, the visitor
  is already inside (no replay while on site), or a single-visit pass was already used;
- exit: refused when the visitor is not inside (exit is allowed after the window closes);
- long-term visitors' passes admit again after each exit, inside the window.

Every scan is a ``GateCheck`` (allowed or with its refusal); entries and exits are also events on
the application's timeline (the contact person hears of the arrival).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from visitors.models import (
    Application,
    ApplicationStatus,
    EventKind,
    GateCheck,
    GateDirection,
    GateRefusal,
    Notify,
    VisitEvent,
    VisitorType,
    VisitPass,
)

SIGNING_SALT = "visitors.pass"
SHORT_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
SHORT_CODE_LENGTH = 8
GATE_ROLES = frozenset({StaffRole.GUARD, StaffRole.ADMIN})


def pass_issue(*, application: Application, now: datetime | None = None) -> VisitPass:
    """The approved application's pass (created once; the caller holds the application's lock)."""
    existing = VisitPass.objects.filter(application=application).first()
    if existing is not None:
        return existing
    code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
    while VisitPass.objects.filter(short_code=code).exists():
        code = "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))
    return VisitPass.objects.create(
        application=application,
        token=secrets.token_urlsafe(32),
        short_code=code,
        valid_from=application.visit_start,
        valid_until=application.visit_end,
        repeat_entry=application.visitor_type == VisitorType.LONG_TERM,
        created_at=now or timezone.now(),
    )


def pass_qr_payload(visit_pass: VisitPass) -> str:
    """What the QR code holds: the token, signed."""
    return signing.Signer(salt=SIGNING_SALT).sign(visit_pass.token)


def pass_for_scan(value: str) -> VisitPass | None:
    """The pass a scanned QR payload or a typed short code names; None for anything else (a
    forged signature included)."""
    value = (value or "").strip()
    if not value:
        return None
    queryset = VisitPass.objects.select_related("application__host", "application__unit")
    if ":" in value:
        try:
            token = signing.Signer(salt=SIGNING_SALT).unsign(value)
        except signing.BadSignature:
            return None
        return queryset.filter(token=token).first()
    return queryset.filter(short_code=value.upper().replace(" ", "")).first()


@transaction.atomic
def pass_revoke(*, actor: StaffMember, visit_pass: VisitPass, reason: str) -> VisitPass:
    application = visit_pass.application
    if not (actor.is_active and (actor.role == StaffRole.ADMIN or actor.pk == application.host_id)):
        raise PermissionDenied(_("Only the contact person or an administrator may revoke a pass."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the pass is revoked.")]})
    visit_pass = VisitPass.objects.select_for_update().get(pk=visit_pass.pk)
    visit_pass.revoked_at = timezone.now()
    visit_pass.revoke_reason = reason[:200]
    visit_pass.save(update_fields=["revoked_at", "revoke_reason"])
    VisitEvent.objects.create(
        application=application,
        kind=EventKind.PASS_REVOKED,
        actor_staff=actor,
        actor_display=str(actor),
        note=visit_pass.revoke_reason,
        notify=[Notify.VISITOR],
    )
    return visit_pass


@dataclass
class GateResult:
    allowed: bool
    direction: str
    refusal: str = ""
    visit_pass: VisitPass | None = None

    @property
    def message(self) -> str:
        if self.allowed:
            return str(_("Entry recorded.") if self.direction == GateDirection.ENTRY else _("Exit recorded."))
        return str(GateRefusal(self.refusal).label)


def _entry_refusal(visit_pass: VisitPass, now: datetime) -> str:
    status = visit_pass.application.status
    if status == ApplicationStatus.REJECTED:
        return GateRefusal.REJECTED
    if status != ApplicationStatus.APPROVED:
        return GateRefusal.NOT_APPROVED
    if visit_pass.revoked_at is not None:
        return GateRefusal.REVOKED
    if now < visit_pass.valid_from:
        return GateRefusal.NOT_YET
    if now >= visit_pass.valid_until:
        return GateRefusal.EXPIRED
    if visit_pass.on_site:
        return GateRefusal.ALREADY_INSIDE
    if visit_pass.entries and not visit_pass.repeat_entry:
        return GateRefusal.USED
    return ""


@transaction.atomic
def gate_check(*, guard: StaffMember, value: str, direction: str, now: datetime | None = None) -> GateResult:
    """Record one scan at the gate (entry or exit) and say whether the visitor may pass."""
    if not (guard.is_active and guard.role in GATE_ROLES):
        raise PermissionDenied(_("Only gate guards and administrators check passes."))
    if direction not in GateDirection.values:
        raise ValidationError({"direction": [_("Choose entry or exit.")]})
    now = now or timezone.now()
    found = pass_for_scan(value)
    if found is None:
        GateCheck.objects.create(
            direction=direction, allowed=False, refusal=GateRefusal.UNKNOWN, guard=guard, created_at=now
        )
        return GateResult(allowed=False, direction=direction, refusal=GateRefusal.UNKNOWN)
    visit_pass = VisitPass.objects.select_for_update().select_related("application__host").get(pk=found.pk)
    if direction == GateDirection.ENTRY:
        refusal = _entry_refusal(visit_pass, now)
    else:
        refusal = "" if visit_pass.on_site else GateRefusal.NOT_INSIDE
    GateCheck.objects.create(
        visit_pass=visit_pass,
        direction=direction,
        allowed=not refusal,
        refusal=refusal,
        guard=guard,
        created_at=now,
    )
    if refusal:
        return GateResult(allowed=False, direction=direction, refusal=refusal, visit_pass=visit_pass)
    if direction == GateDirection.ENTRY:
        visit_pass.on_site = True
        visit_pass.entries += 1
        visit_pass.last_entry_at = now
        kind, notify = EventKind.ENTERED, [Notify.HOST]
    else:
        visit_pass.on_site = False
        visit_pass.last_exit_at = now
        kind, notify = EventKind.EXITED, []
    visit_pass.save(update_fields=["on_site", "entries", "last_entry_at", "last_exit_at"])
    VisitEvent.objects.create(
        application=visit_pass.application,
        kind=kind,
        actor_staff=guard,
        actor_display=str(guard),
        notify=notify,
        created_at=now,
    )
    return GateResult(allowed=True, direction=direction, visit_pass=visit_pass)
