"""Applications as CSV or XLSX, with ID numbers masked; cells are written by the shared
spreadsheet-safe writer (``tenants.spreadsheets``: no cell ever runs as a formula)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.spreadsheets import csv_bytes, xlsx_bytes
from visitors.models import Application


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def header() -> list[str]:
    return [
        _("Reference"),
        _("Visitor name"),
        _("Phone"),
        _("ID type"),
        _("ID number"),
        _("Unit to visit"),
        _("Contact person"),
        _("Visitor type"),
        _("Visit from"),
        _("Visit until"),
        _("Companions"),
        _("Plate number"),
        _("Reason for the visit"),
        _("Status"),
        _("Submitted"),
    ]


def row(application: Application) -> list[Any]:
    return [
        application.reference,
        application.name,
        application.phone,
        application.get_id_type_display(),
        application.masked_id_number,
        application.unit.name,
        str(application.host),
        application.get_visitor_type_display(),
        _when(application.visit_start),
        _when(application.visit_end),
        "、".join(application.companions or []),
        application.plate_number,
        application.reason,
        application.get_status_display(),
        _when(application.created_at),
    ]


def applications_export(applications: Iterable[Application], *, file_format: str) -> bytes:
    rows = (row(a) for a in applications)
    if file_format == "xlsx":
        return xlsx_bytes(header(), rows, sheet_title=_("Visit applications"))
    return csv_bytes(header(), rows)
