"""Bulk invitations from CSV or XLSX, all or nothing (as the asset import in
``repair_forms.imports``): every row is checked first, each problem reported as ``{"row", "column",
"message"}``; only a file without problems creates its invitations, in one transaction.

Columns (header row; Chinese or English names, any order): 姓名 name, 手机号 phone, 来访开始
visit_start, 来访结束 visit_end (YYYY-MM-DD HH:MM), 对接人手机号 host_phone, 到访部门 unit (an
existing unit's exact name), 访客类型 visitor_type (临时访客/长期访客 or temporary/long_term), 人数
visitors_count, 备注 note.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember
from accounts.validators import normalize_phone
from visitors.invitations import InvitationData, invitation_create, may_invite
from visitors.models import Invitation, Unit, VisitorType

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000
COLUMNS = {
    "name": ("姓名", "Name"),
    "phone": ("手机号", "Phone"),
    "visit_start": ("来访开始", "Visit from"),
    "visit_end": ("来访结束", "Visit until"),
    "host_phone": ("对接人手机号", "Contact person's phone"),
    "unit": ("到访部门", "Unit"),
    "visitor_type": ("访客类型", "Visitor type"),
    "visitors_count": ("人数", "Number of visitors"),
    "note": ("备注", "Note"),
}
_HEADER_KEYS = {name.strip().lower(): key for key, names in COLUMNS.items() for name in (*names, key)}
_TYPES = {
    "临时访客": VisitorType.TEMPORARY,
    "临时": VisitorType.TEMPORARY,
    "temporary": VisitorType.TEMPORARY,
    "长期访客": VisitorType.LONG_TERM,
    "长期": VisitorType.LONG_TERM,
    "long_term": VisitorType.LONG_TERM,
    "long-term": VisitorType.LONG_TERM,
}


@dataclass
class ImportResult:
    rows: int = 0
    created: list[Invitation] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(data: bytes, file_format: str) -> list[list[str]]:
    if file_format == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 (any unreadable workbook is the same user error)
            raise ValidationError({"file": [_("This is not a readable XLSX file.")]}) from exc
        sheet = book.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": [_("Save the CSV file as UTF-8.")]})
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def _parse_when(raw: str) -> datetime | None:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return timezone.make_aware(datetime.strptime(raw, pattern))
        except ValueError:
            continue
    return None


def _row_data(
    values: dict[str, str], units: dict[str, Unit], hosts: dict[str, StaffMember]
) -> tuple[InvitationData, dict[str, str]]:
    problems: dict[str, str] = {}
    start, end = _parse_when(values.get("visit_start", "")), _parse_when(values.get("visit_end", ""))
    if start is None:
        problems["visit_start"] = _("Write the time as YYYY-MM-DD HH:MM.")
    if end is None:
        problems["visit_end"] = _("Write the time as YYYY-MM-DD HH:MM.")
    host = None
    try:
        host = hosts.get(normalize_phone(values.get("host_phone", "")))
    except ValidationError:
        host = None
    if host is None:
        problems["host_phone"] = _("No active staff member has this phone number.")
    unit = units.get(values.get("unit", ""))
    if unit is None:
        problems["unit"] = _("No unit has this name.")
    visitor_type = _TYPES.get(values.get("visitor_type", "").strip().lower(), "")
    count_text = values.get("visitors_count", "") or "1"
    count = int(count_text) if count_text.isdigit() else 0
    data = InvitationData(
        name=values.get("name", ""),
        phone=values.get("phone", ""),
        visit_start=start,
        visit_end=end,
        host=host,
        unit=unit,
        visitor_type=visitor_type,
        visitors_count=count,
        note=values.get("note", ""),
    )
    return data, problems


def invitations_import(*, actor: StaffMember, data: bytes, filename: str) -> ImportResult:
    """Check every row, then create all invitations or none."""
    if not may_invite(actor):
        raise PermissionDenied(_("Gate guards cannot invite visitors."))
    lower = (filename or "").lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx")):
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": [_("The file can be at most %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES >> 20}]}
        )
    raw = [r for r in _raw_rows(data, "xlsx" if lower.endswith(".xlsx") else "csv") if any(r)]
    if not raw:
        raise ValidationError({"file": [_("The file is empty.")]})
    keys = [_HEADER_KEYS.get(h.strip().lower(), "") for h in raw[0]]
    missing = [
        k
        for k in ("name", "phone", "visit_start", "visit_end", "host_phone", "unit", "visitor_type")
        if k not in keys
    ]
    if missing:
        raise ValidationError(
            {
                "file": [
                    _("The header row lacks: %(columns)s.")
                    % {"columns": ", ".join(COLUMNS[k][0] for k in missing)}
                ]
            }
        )
    body = raw[1:]
    if len(body) > MAX_IMPORT_ROWS:
        raise ValidationError({"file": [_("At most %(max)d rows at a time.") % {"max": MAX_IMPORT_ROWS}]})
    units = {u.name: u for u in Unit.objects.all()}
    hosts = {s.phone: s for s in StaffMember.objects.filter(is_active=True)}
    result = ImportResult(rows=len(body))
    now = timezone.now()
    with transaction.atomic():
        for number, cells in enumerate(body, start=2):
            values = {k: cells[i] if i < len(cells) else "" for i, k in enumerate(keys) if k}
            row_data, problems = _row_data(values, units, hosts)
            for column, message in problems.items():
                result.errors.append({"row": number, "column": column, "message": message})
            if problems:
                continue
            try:
                with transaction.atomic():
                    result.created.append(invitation_create(actor=actor, data=row_data, now=now))
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    result.errors.extend({"row": number, "column": column, "message": m} for m in messages)
        if result.errors:
            transaction.set_rollback(True)
            result.created = []
    return result


def import_template_csv() -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([names[0] for names in COLUMNS.values()])
    writer.writerow(
        [
            "王访客",
            "13700000000",
            "2026-12-03 09:00",
            "2026-12-03 17:00",
            "13800000000",
            "信息学院",
            "临时访客",
            "1",
            "",
        ]
    )
    return ("\ufeff" + text.getvalue()).encode("utf-8")
