"""Visitor appointments: who may approve (units, groups, the chain), who is invited, who applied,
what each approver decided, and the pass checked at the gate.

Invariants kept here (the services keep the rest):
- an application's steps are resolved once, when it is submitted (``ApplicationStep``): editing
  the chain or a group later never changes who approves an application already under way;
- at most one step of an application is ``active`` at a time; the application is ``approved`` only
  when no step is left waiting, and ``rejected`` as soon as one step rejects;
- an ID number is stored sealed (``accounts.crypto``); only its last four characters are kept in
  clear, for masked display;
- a pass's ``token`` and ``short_code`` are random and unique; the QR carries the token signed with
  the site's key, so a forged or altered token is refused before any lookup.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, StaffMember

# --- Choices ----------------------------------------------------------------------------------------


class VisitorType(models.TextChoices):
    TEMPORARY = "temporary", _("Temporary visitor")
    LONG_TERM = "long_term", _("Long-term visitor")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident ID card")
    PASSPORT = "passport", _("Passport")


class InvitationStatus(models.TextChoices):
    CREATED = "created", _("Created")
    SENT = "sent", _("Sent")
    USED = "used", _("Used")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Under approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ApproverKind(models.TextChoices):
    CONTACT_PERSON = "contact_person", _("The contact person")
    UNIT_HEAD = "unit_head", _("The contact person's unit head")
    GROUP = "group", _("A group (any one member)")
    PERSON = "person", _("A specific person")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Not reached yet")
    ACTIVE = "active", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SKIPPED = "skipped", _("Not needed")
    CLOSED = "closed", _("Closed (rejected earlier)")


class EventKind(models.TextChoices):
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    SUBMITTED = "submitted", _("Application submitted")
    STEP_APPROVED = "step_approved", _("Step approved")
    APPROVED = "approved", _("Application approved")
    REJECTED = "rejected", _("Application rejected")
    ENTERED = "entered", _("Entered")
    EXITED = "exited", _("Left")
    PASS_REVOKED = "pass_revoked", _("Pass revoked")


class Notify(models.TextChoices):
    """Who hears about an event (``integrations.notifications.visitor_events`` resolves them)."""

    NEXT_APPROVERS = "next_approvers", _("The next approvers")
    VISITOR = "visitor", _("The visitor")
    HOST = "host", _("The contact person")
    INVITEE = "invitee", _("The invited person")


class GateDirection(models.TextChoices):
    ENTRY = "entry", _("Entry")
    EXIT = "exit", _("Exit")


class GateRefusal(models.TextChoices):
    """Why a guard was told no, in words the guard can repeat to the visitor."""

    UNKNOWN = "unknown", _("This is not a valid pass.")
    NOT_APPROVED = "not_approved", _("This application has not been approved.")
    REJECTED = "rejected", _("This application was rejected.")
    REVOKED = "revoked", _("This pass has been revoked.")
    NOT_YET = "not_yet", _("This pass is not valid yet.")
    EXPIRED = "expired", _("This pass has expired.")
    ALREADY_INSIDE = "already_inside", _("This visitor is already inside; record the exit first.")
    NOT_INSIDE = "not_inside", _("This visitor has not entered.")
    USED = "used", _("This single-visit pass has already been used.")


# --- Organisation: units, groups, settings, the chain ----------------------------------------------


class Unit(models.Model):
    """A department or college (到访学院/部门). Its head approves the "unit head" step for contact
    people who are members."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    head = models.ForeignKey(
        StaffMember,
        verbose_name=_("head"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visitor_units_headed",
    )
    members = models.ManyToManyField(StaffMember, blank=True, related_name="visitor_units")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApproverGroup(models.Model):
    """A named group of staff (物资保障组, 信息报送组); any one member may decide its step."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    members = models.ManyToManyField(StaffMember, blank=True, related_name="visitor_groups")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("approver group")
        verbose_name_plural = _("approver groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VisitorSettings(models.Model):
    """One row per schema (``selectors.visitor_settings``)."""

    walk_in_allowed = models.BooleanField(_("visitors may apply without an invitation code"), default=True)
    # Provider-defined extra fields (健康码, 行程码, 核酸…) in the form-template field format of
    # ``repair_forms.fields``, validated by the same code.
    extra_fields = models.JSONField(_("extra fields"), default=list, blank=True)
    # The seed's default chain is created once; an admin who empties the chain keeps it empty.
    chain_initialised = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visitor settings")

    def __str__(self) -> str:
        return "visitor settings"


class ChainStep(models.Model):
    """One step of the tenant's approval chain, in ``position`` order. With a condition, the step
    applies only to applications whose field ``condition_field`` equals ``condition_value``."""

    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("step name"), max_length=60)
    approver_kind = models.CharField(_("approver"), max_length=20, choices=ApproverKind.choices)
    group = models.ForeignKey(
        ApproverGroup, verbose_name=_("group"), on_delete=models.PROTECT, null=True, blank=True
    )
    person = models.ForeignKey(
        StaffMember,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    condition_field = models.CharField(_("only when field"), max_length=40, blank=True)
    condition_value = models.CharField(_("equals"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("approval step")
        verbose_name_plural = _("approval chain")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(approver_kind="group") & Q(group__isnull=False))
                    | (Q(approver_kind="person") & Q(person__isnull=False))
                    | Q(approver_kind__in=["contact_person", "unit_head"])
                ),
                name="visitor_chain_step_names_its_approver",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Invitations and applications --------------------------------------------------------------------


class Invitation(models.Model):
    """邀请码: bound to the invitee's phone, who finds it after verifying that phone by SMS code."""

    code = models.CharField(_("invitation code"), max_length=12, unique=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    name = models.CharField(_("name"), max_length=40)
    visit_start = models.DateTimeField(_("visit from"))
    visit_end = models.DateTimeField(_("visit until"))
    host = models.ForeignKey(
        StaffMember, verbose_name=_("contact person"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("unit to visit"), on_delete=models.PROTECT)
    visitor_type = models.CharField(_("visitor type"), max_length=12, choices=VisitorType.choices)
    visitors_count = models.PositiveSmallIntegerField(_("number of visitors"), default=1)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.CREATED
    )
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code

    @property
    def current_status(self) -> str:
        """``expired`` once the window has passed for a code nobody used (stored status otherwise)."""
        if (
            self.status in (InvitationStatus.CREATED, InvitationStatus.SENT)
            and self.visit_end < timezone.now()
        ):
            return str(InvitationStatus.EXPIRED)
        return str(self.status)

    def get_current_status_display(self) -> str:
        return str(InvitationStatus(self.current_status).label)


class Application(models.Model):
    """访客进校申请. ``applicant`` is the portal customer whose phone was verified by SMS code."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="application"
    )
    applicant = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visit_applications")
    name = models.CharField(_("visitor name"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    id_type = models.CharField(_("ID type"), max_length=12, choices=IdType.choices)
    id_number_sealed = models.TextField(editable=False)
    id_number_tail = models.CharField(max_length=4, editable=False)
    unit = models.ForeignKey(Unit, verbose_name=_("unit to visit"), on_delete=models.PROTECT)
    host = models.ForeignKey(
        StaffMember, verbose_name=_("contact person"), on_delete=models.PROTECT, related_name="hosted_visits"
    )
    visit_start = models.DateTimeField(_("visit from"))
    visit_end = models.DateTimeField(_("visit until"))
    visitor_type = models.CharField(_("visitor type"), max_length=12, choices=VisitorType.choices)
    companions = models.JSONField(_("companions"), default=list, blank=True)
    driving = models.BooleanField(_("driving"), default=False)
    plate_number = models.CharField(_("plate number"), max_length=10, blank=True)
    reason = models.CharField(_("reason for the visit"), max_length=300)
    extra = models.JSONField(default=dict, blank=True)
    extra_fields = models.JSONField(default=list, blank=True)  # the definitions it was filed with
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visit application")
        verbose_name_plural = _("visit applications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="visit_app_status_idx"),
            models.Index(fields=["visit_start"], name="visit_app_start_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"FK-{self.created_at:%Y%m%d}-{self.pk or 0:05d}"

    @property
    def masked_id_number(self) -> str:
        return "*" * 10 + self.id_number_tail

    @property
    def masked_name(self) -> str:
        if len(self.name) <= 1:
            return self.name
        return self.name[0] + "*" * (len(self.name) - 1)

    @property
    def visitors_count(self) -> int:
        return 1 + len(self.companions or [])


class ApplicationStep(models.Model):
    """One step of one application's chain, resolved at submission (who may decide it)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)
    approver_kind = models.CharField(max_length=20, choices=ApproverKind.choices)
    approvers = models.ManyToManyField(StaffMember, related_name="visit_steps")
    state = models.CharField(max_length=10, choices=StepState.choices, default=StepState.WAITING)
    decided_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "position"], name="one_visit_step_per_position"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(state="active"), name="one_active_visit_step"
            ),
        ]
        indexes = [models.Index(fields=["state"], name="visit_step_state_idx")]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.position} {self.name}"


# --- Passes and the gate -------------------------------------------------------------------------------


class VisitPass(models.Model):
    """访客码: issued when an application is approved, valid inside its window only."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="visit_pass")
    token = models.CharField(max_length=64, unique=True)
    short_code = models.CharField(max_length=10, unique=True)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    repeat_entry = models.BooleanField(default=False)  # long-term visitors come and go
    on_site = models.BooleanField(default=False)
    entries = models.PositiveIntegerField(default=0)
    last_entry_at = models.DateTimeField(null=True, blank=True)
    last_exit_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visitor pass")
        verbose_name_plural = _("visitor passes")
        indexes = [models.Index(fields=["on_site"], condition=Q(on_site=True), name="visit_pass_on_site_idx")]

    def __str__(self) -> str:
        return self.short_code


class GateCheck(models.Model):
    """Every scan at the gate, allowed or refused (the refusal's reason in ``refusal``)."""

    visit_pass = models.ForeignKey(
        VisitPass, on_delete=models.CASCADE, null=True, blank=True, related_name="gate_checks"
    )
    direction = models.CharField(max_length=5, choices=GateDirection.choices)
    allowed = models.BooleanField()
    refusal = models.CharField(max_length=16, choices=GateRefusal.choices, blank=True)
    guard = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.direction} {'ok' if self.allowed else self.refusal}"


# --- The timeline (and notification source) -------------------------------------------------------


class VisitEvent(models.Model):
    """An application's timeline (or an invitation's send) AND what ``integrations`` turns into
    notifications, like ``OrderEvent``. Written in the same transaction as the change; never updated."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    step = models.ForeignKey(
        ApplicationStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor_staff = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_display = models.CharField(max_length=80, blank=True)
    note = models.CharField(max_length=300, blank=True)
    notify = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False) | Q(invitation__isnull=False),
                name="visit_event_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id or self.invitation_id} {self.kind}"
