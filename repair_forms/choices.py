"""The order domain's choices: statuses (labelled with the one vocabulary of
``repair_forms.status_words``), service types, warranty, styles and the other enumerations the
models, services, screens and API share. ``repair_forms.models`` re-exports every name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from repair_forms.status_words import STATUS_WORDS as _W


class OrderStatus(models.TextChoices):
    """Labels are the staff words of ``repair_forms.status_words`` (one vocabulary everywhere)."""

    SUBMITTED = "submitted", _W["submitted"].staff
    ACCEPTED = "accepted", _W["accepted"].staff
    DISPATCHED = "dispatched", _W["dispatched"].staff
    IN_PROGRESS = "in_progress", _W["in_progress"].staff
    SUSPENDED = "suspended", _W["suspended"].staff
    AWAITING_CONFIRMATION = "awaiting_confirmation", _W["awaiting_confirmation"].staff
    COMPLETED = "completed", _W["completed"].staff
    CANCELLED = "cancelled", _W["cancelled"].staff


TERMINAL_STATUSES = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})
ACTIVE_STATUSES = frozenset(set(OrderStatus) - TERMINAL_STATUSES)


class ServiceType(models.TextChoices):
    INSTALL = "install", _("Installation")
    REPAIR = "repair", _("Repair")
    MAINTENANCE = "maintenance", _("Maintenance")


class WarrantyStatus(models.TextChoices):
    FACTORY = "factory", _("Manufacturer warranty")
    CONTRACT = "contract", _("Contract warranty")
    OUT = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Not sure")


class TemplateStyle(models.TextChoices):
    STACKED = "stacked", _("Stacked form (web)")
    CELLS = "cells", _("Cell list (WeChat style)")


class AssetSource(models.TextChoices):
    LOCAL = "local", _("Entered here")
    EXTERNAL = "external", _("External asset system")


class WorkOrderStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In repair")
    SUSPENDED = "suspended", _("Suspended")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    COMPLETED = "completed", _("Completed")
    REASSIGNED = "reassigned", _("Reassigned")
    CANCELLED = "cancelled", _("Cancelled")


class SuspensionDecision(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ActorKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    STAFF = "staff", _("Staff")
    SYSTEM = "system", _("System")


class EventVisibility(models.TextChoices):
    PUBLIC = "public", _("Everyone on the order")
    INTERNAL = "internal", _("Staff only")


class PhotoKind(models.TextChoices):
    REPORT = "report", _("Report attachment")
    SUSPENSION = "suspension", _("Suspension")
    JOB_SHEET = "job_sheet", _("Job sheet")
    NOTE = "note", _("Note")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Checking rows")
    WRITING = "writing", _("Saving")
    SUCCEEDED = "succeeded", _("Done")
    FAILED = "failed", _("Failed")


class CounterKind(models.TextChoices):
    ORDER = "order", "BX"
    WORK_ORDER = "work_order", "GD"
