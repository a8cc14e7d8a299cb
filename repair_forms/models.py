"""Repair orders (报修单) and everything they hang on: form templates and their immutable versions,
the brand → category → model catalog, assets, work orders (派单), suspension requests, urges,
ratings, photos, the event log (timeline + notification outbox) and the number counters.

Invariants kept here (the services keep the rest):
- a ``FormTemplateVersion`` never changes once saved; an order points at the version it was filed
  with, so editing a template never alters old orders;
- ``RepairOrder.status`` only changes through ``repair_forms.services`` (one service per transition
  of ``repair_forms.lifecycle``), each of which appends an ``OrderEvent`` in the same transaction;
- numbers are unique per tenant (each tenant is its own schema) and gap-free (``numbering``).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, CustomerCompany, StaffMember
from repair_forms.choices import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    ActorKind,
    AssetSource,
    CounterKind,
    EventVisibility,
    ImportStatus,
    OrderStatus,
    PhotoKind,
    ServiceType,
    SuspensionDecision,
    TemplateStyle,
    WarrantyStatus,
    WorkOrderStatus,
)

# The choices live in repair_forms.choices and are re-exported here, where most code looks for them.
__all__ = [
    "ACTIVE_STATUSES",
    "ActorKind",
    "AssetSource",
    "CounterKind",
    "EventVisibility",
    "ImportStatus",
    "OrderStatus",
    "PhotoKind",
    "ServiceType",
    "SuspensionDecision",
    "TemplateStyle",
    "TERMINAL_STATUSES",
    "WarrantyStatus",
    "WorkOrderStatus",
]


# --- Form templates ---------------------------------------------------------------------------------


class FormTemplate(models.Model):
    """报修单表单. Its field list lives in versions; ``current_version`` is what new orders use."""

    name = models.CharField(_("name"), max_length=60)
    builtin_key = models.CharField(max_length=20, blank=True)  # minimal/simple/complex/special
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    current_version = models.ForeignKey(
        "FormTemplateVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("form template")
        verbose_name_plural = _("form templates")
        ordering = ["-is_default", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_form"
            ),
            models.UniqueConstraint(
                fields=["builtin_key"], condition=~Q(builtin_key=""), name="one_form_per_builtin_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return bool(self.builtin_key)


class FormTemplateVersion(models.Model):
    """An immutable snapshot of a template's fields (``repair_forms.fields`` defines the schema)."""

    template = models.ForeignKey(FormTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    fields = models.JSONField()
    style = models.CharField(max_length=10, choices=TemplateStyle.choices, default=TemplateStyle.STACKED)
    created_by = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("form template version")
        ordering = ["template_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="unique_form_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Form template versions are immutable; save a new version instead.")
        super().save(*args, **kwargs)


# --- Catalog and assets -----------------------------------------------------------------------------


class Brand(models.Model):
    name = models.CharField(_("brand"), max_length=60, unique=True)
    sort = models.IntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("brand")
        ordering = ["sort", "name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="categories")
    name = models.CharField(_("category"), max_length=60)
    sort = models.IntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("machine category")
        ordering = ["sort", "name"]
        constraints = [models.UniqueConstraint(fields=["brand", "name"], name="unique_category_per_brand")]

    def __str__(self) -> str:
        return self.name


class MachineModel(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="models")
    name = models.CharField(_("model"), max_length=80)
    sort = models.IntegerField(default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("machine model")
        ordering = ["sort", "name"]
        constraints = [models.UniqueConstraint(fields=["category", "name"], name="unique_model_per_category")]

    def __str__(self) -> str:
        return self.name


def new_asset_token() -> str:
    return secrets.token_urlsafe(12)


class Asset(models.Model):
    """A machine at a customer's site. Looked up by machine number or any serial number
    (``lookup_keys`` holds their normalised forms, GIN-indexed)."""

    machine_no = models.CharField(_("machine number"), max_length=60, blank=True)
    serials = ArrayField(models.CharField(max_length=80), verbose_name=_("serial numbers"), default=list)
    lookup_keys = ArrayField(models.CharField(max_length=80), default=list, editable=False)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, null=True, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True)
    model = models.ForeignKey(MachineModel, on_delete=models.PROTECT, null=True, blank=True)
    company = models.ForeignKey(
        CustomerCompany, on_delete=models.PROTECT, null=True, blank=True, related_name="assets"
    )
    location_plot = models.CharField(_("plot"), max_length=60, blank=True)
    location_building = models.CharField(_("building"), max_length=60, blank=True)
    location_room = models.CharField(_("room"), max_length=60, blank=True)
    location_address = models.CharField(_("address"), max_length=200, blank=True)
    warranty_status = models.CharField(
        _("warranty"), max_length=10, choices=WarrantyStatus.choices, default=WarrantyStatus.UNKNOWN
    )
    warranty_ends_on = models.DateField(_("warranty ends on"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=AssetSource.choices, default=AssetSource.LOCAL)
    external_id = models.CharField(max_length=80, blank=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    token = models.CharField(max_length=24, unique=True, default=new_asset_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["machine_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["machine_no"], condition=~Q(machine_no=""), name="unique_asset_machine_no"
            ),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="unique_asset_external_id",
            ),
        ]
        indexes = [GinIndex(fields=["lookup_keys"], name="asset_lookup_keys_gin")]

    def __str__(self) -> str:
        return self.machine_no or (self.serials[0] if self.serials else f"#{self.pk}")

    def effective_warranty(self, today: date | None = None) -> str:
        """The recorded status, except that a passed end date means out of warranty."""
        today = today or timezone.localdate()
        if self.warranty_ends_on and self.warranty_ends_on < today:
            return WarrantyStatus.OUT
        return self.warranty_status


# --- Orders -----------------------------------------------------------------------------------------


class RepairOrder(models.Model):
    """报修单. Core fields are columns (the console list shows them); the template's other fields
    are in ``extra``, validated against ``template_version``."""

    number = models.CharField(_("order number"), max_length=24, unique=True)
    status = models.CharField(
        _("progress"), max_length=24, choices=OrderStatus.choices, default=OrderStatus.SUBMITTED
    )
    template_version = models.ForeignKey(
        FormTemplateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    # FKs led by a composite list index below get no index of their own (fewer indexes per insert).
    reporter = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", db_index=False)
    company = models.ForeignKey(
        CustomerCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        db_index=False,
    )
    asset = models.ForeignKey(Asset, on_delete=models.SET_NULL, null=True, blank=True, related_name="orders")
    engineer = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_orders",
        db_index=False,
    )
    contact_name = models.CharField(_("contact"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    # Core fields (the seed's order-list columns).
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, null=True, blank=True, db_index=False)
    model = models.ForeignKey(MachineModel, on_delete=models.PROTECT, null=True, blank=True)
    machine_no = models.CharField(_("machine number"), max_length=60, blank=True)
    serial = models.CharField(_("serial number"), max_length=80, blank=True)
    fault_description = models.TextField(_("fault description"), blank=True)
    service_type = models.CharField(_("service type"), max_length=12, choices=ServiceType.choices, blank=True)
    warranty_status = models.CharField(
        _("warranty"), max_length=10, choices=WarrantyStatus.choices, blank=True
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    appointment_until = models.DateTimeField(_("appointment ends"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    location_plot = models.CharField(_("plot"), max_length=60, blank=True)
    location_building = models.CharField(_("building"), max_length=60, blank=True)
    location_room = models.CharField(_("room"), max_length=60, blank=True)
    location_address = models.CharField(_("address"), max_length=200, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    # Lifecycle timestamps and the SLA clocks.
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    job_submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=500, blank=True)
    suspended_seconds = models.PositiveIntegerField(default=0)
    suspended_since = models.DateTimeField(null=True, blank=True)
    is_urged = models.BooleanField(_("urged"), default=False)
    urge_count = models.PositiveIntegerField(default=0)
    last_urged_at = models.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    rating_stars = models.PositiveSmallIntegerField(null=True, blank=True)
    external_ref = models.CharField(max_length=80, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        ordering = ["-submitted_at", "-id"]
        # The console list is keyset-paginated on (submitted_at, id) descending; each common filter
        # has an index that yields rows already in that order, so a page is an index range scan.
        indexes = [
            models.Index(fields=["-submitted_at", "-id"], name="order_list_idx"),
            models.Index(fields=["status", "-submitted_at", "-id"], name="order_status_list_idx"),
            models.Index(fields=["reporter", "-submitted_at", "-id"], name="order_reporter_list_idx"),
            models.Index(fields=["company", "-submitted_at", "-id"], name="order_company_list_idx"),
            models.Index(fields=["engineer", "-submitted_at", "-id"], name="order_engineer_list_idx"),
            models.Index(fields=["brand", "-submitted_at", "-id"], name="order_brand_list_idx"),
            models.Index(fields=["category", "-submitted_at", "-id"], name="order_category_list_idx"),
            models.Index(
                fields=["-submitted_at", "-id"], condition=Q(is_overdue=True), name="order_overdue_list_idx"
            ),
            models.Index(
                fields=["-submitted_at", "-id"], condition=Q(is_urged=True), name="order_urged_list_idx"
            ),
            models.Index(fields=["serial"], name="order_serial_idx"),
            models.Index(fields=["machine_no"], name="order_machine_no_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class WorkOrder(models.Model):
    """派单: one engineer's assignment on an order (GD-YYMMDD-NNN) and his job sheet.
    Reassigning closes the current work order as ``reassigned`` and opens a new one."""

    number = models.CharField(_("work order number"), max_length=20, unique=True)
    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="work_orders")
    engineer = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="work_orders")
    status = models.CharField(
        max_length=24, choices=WorkOrderStatus.choices, default=WorkOrderStatus.ASSIGNED
    )
    dispatched_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="dispatched_work_orders"
    )
    dispatched_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    work_done = models.TextField(_("work done"), blank=True)
    result = models.CharField(_("result"), max_length=200, blank=True)
    parts = models.JSONField(_("parts used"), default=list, blank=True)
    # 保外 (out of warranty): what the customer pays, in fen; the customer's handwritten signature
    # on the job sheet (a PNG in default storage, tenant-prefixed like every upload).
    labour_charge_fen = models.PositiveIntegerField(_("labour charge"), default=0)
    parts_charge_fen = models.PositiveIntegerField(_("parts charge"), default=0)
    customer_signature = models.FileField(
        _("customer's signature"), upload_to="repair_forms/signatures/%Y/%m/", max_length=200, blank=True
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-dispatched_at", "-id"]
        indexes = [models.Index(fields=["engineer", "status"], name="work_order_engineer_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(status__in=["reassigned", "cancelled", "completed"]),
                name="one_open_work_order_per_order",
            )
        ]

    def __str__(self) -> str:
        return self.number


class SuspensionRequest(models.Model):
    """挂起: the engineer asks, a supervisor decides. At most one pending request per order."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="suspensions")
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, null=True, blank=True)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=10, choices=SuspensionDecision.choices, default=SuspensionDecision.PENDING
    )
    decided_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    resumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("suspension request")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(decision="pending"), name="one_pending_suspension_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.decision}"


class Urge(models.Model):
    """催单: one row per urge; the order carries the flag, count and time of the last one."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="urges")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("urge")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.created_at:%Y-%m-%d %H:%M}"


class Rating(models.Model):
    order = models.OneToOneField(RepairOrder, on_delete=models.CASCADE, related_name="rating")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rating")
        constraints = [
            models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="rating_stars_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.stars}★"


class OrderEvent(models.Model):
    """The order's timeline AND the notification outbox. Written by every transition in the same
    transaction as the change; never updated. ``notify_roles`` names who should hear about it
    (``lifecycle.NotifyRole``); the notifications engineer reads events in id order."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events")
    transition = models.CharField(max_length=32)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_role = models.CharField(max_length=20, blank=True)
    actor_display = models.CharField(max_length=80, blank=True)
    from_status = models.CharField(max_length=24, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=24, choices=OrderStatus.choices, blank=True)
    note = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    notify_roles = models.JSONField(default=list, blank=True)
    visibility = models.CharField(
        max_length=10, choices=EventVisibility.choices, default=EventVisibility.PUBLIC
    )
    # A staff note on accept / dispatch / suspension decisions is for colleagues and the engineer
    # unless its writer ticks "visible to the customer"; the customer's timeline, notifications and
    # API then carry the event without the note (``customer_note``).
    note_visible_to_customer = models.BooleanField(_("note visible to the customer"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at", "id"], name="order_event_timeline_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.transition}"

    @property
    def customer_note(self) -> str:
        """The note as a customer may read it: empty when it is a staff-only note."""
        return self.note if self.note_visible_to_customer else ""


def photo_upload_to(instance: OrderPhoto, filename: str) -> str:
    # The storage prefixes the tenant's schema; the name is random so keys cannot be guessed.
    return f"repair_forms/photos/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.jpg"


class OrderPhoto(models.Model):
    """A re-encoded JPEG attached to an order, a suspension, a job sheet or a note.
    Uploaded first (``order`` empty, owned by the uploader), attached when the step is submitted."""

    file = models.FileField(upload_to=photo_upload_to, max_length=200)
    kind = models.CharField(max_length=12, choices=PhotoKind.choices, default=PhotoKind.REPORT)
    order = models.ForeignKey(
        RepairOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    work_order = models.ForeignKey(WorkOrder, on_delete=models.SET_NULL, null=True, blank=True)
    suspension = models.ForeignKey(
        SuspensionRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    event = models.ForeignKey(
        OrderEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos"
    )
    uploaded_by_customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_by_staff = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("photo")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.file.name


# --- Numbering and imports --------------------------------------------------------------------------


class NumberCounter(models.Model):
    """The last number handed out per (kind, Asia/Shanghai day). Incremented with an upsert inside
    the caller's transaction, so the row stays locked until commit and a rollback returns the number."""

    kind = models.CharField(max_length=12, choices=CounterKind.choices)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="unique_counter_per_kind_day")]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} {self.last}"


def import_upload_to(instance: ImportJob, filename: str) -> str:
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    return f"repair_forms/imports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class ImportJob(models.Model):
    """A background asset import: every row is checked first; only if all pass are they written, in
    one transaction. ``errors`` is a list of ``{"row": n, "column": name, "message": text}``."""

    file = models.FileField(upload_to=import_upload_to, max_length=200)
    original_name = models.CharField(max_length=200, blank=True)
    file_format = models.CharField(max_length=4)  # csv / xlsx
    language = models.CharField(max_length=10, default="zh-hans")  # of the row messages
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(StaffMember, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} {self.status}"

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.SUCCEEDED:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
