"""Asset import (CSV / XLSX) as a background job, and export in the same columns.

All or nothing: ``import_job_run`` first checks every row (``rows_done`` advances so the console can
show a progress bar), collecting every problem as ``{"row", "column", "message"}``; only when no row
has a problem does it write them all in one transaction (catalog entries created as needed, assets
matched by machine number or serial updated, the rest created). A failed import changes nothing.

Columns (header row; Chinese or English names, any order; ``COLUMNS``): 机器编号 machine_no, 序列号
serials (several separated by ";" or "；"), 品牌 brand, 类别 category, 型号 model, 客户公司
company (an existing company's exact name), 地块 plot, 建筑物 building, 房间 room, 详细地址 address,
保修情况 warranty (厂保内/合同保修期/保外/不清楚 or factory/contract/out/unknown), 保修截止
warranty_ends_on (YYYY-MM-DD), 备注 notes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from accounts.models import CustomerCompany
from repair_forms.asset_services import (
    CATALOG_ROLES,
    AssetData,
    apply_asset_data,
    catalog_path_get_or_create,
    lookup_keys_for,
)
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, ImportJob, ImportStatus, WarrantyStatus
from tenants.spreadsheets import cell_text_in, csv_bytes, xlsx_bytes, xlsx_rows

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
PROGRESS_EVERY = 200


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    limit: int


COLUMNS = [
    Column("machine_no", "机器编号", "Machine number", 60),
    Column("serials", "序列号", "Serial numbers", 900),
    Column("brand", "品牌", "Brand", 60),
    Column("category", "类别", "Category", 60),
    Column("model", "型号", "Model", 80),
    Column("company", "客户公司", "Company", 120),
    Column("location_plot", "地块", "Plot", 60),
    Column("location_building", "建筑物", "Building", 60),
    Column("location_room", "房间", "Room", 60),
    Column("location_address", "详细地址", "Address", 200),
    Column("warranty_status", "保修情况", "Warranty", 40),
    Column("warranty_ends_on", "保修截止", "Warranty ends on", 20),
    Column("notes", "备注", "Notes", 500),
]
_HEADER_KEYS = {name.strip().lower(): c.key for c in COLUMNS for name in (c.zh, c.en, c.key)}


def _warranty_aliases() -> dict[str, str]:
    aliases = {}
    for value in WarrantyStatus.values:
        aliases[value] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                aliases[str(WarrantyStatus(value).label).lower()] = value
    aliases.update(
        {"保内": WarrantyStatus.FACTORY, "厂保": WarrantyStatus.FACTORY, "保修外": WarrantyStatus.OUT}
    )
    return aliases


# --- Creating and running jobs ----------------------------------------------------------------------


def import_job_create(*, actor: Actor, file: Any, filename: str) -> ImportJob:
    """Store the uploaded file as a pending job. Start it with
    ``integrations.tasks_orders.enqueue_asset_import(job)`` (after commit, in the background)."""
    if not (actor.is_staff and actor.role in CATALOG_ROLES):
        raise PermissionDenied(_("Only the provider's office staff can change assets and the catalog."))
    name = (filename or "").strip()
    lower = name.lower()
    if not (lower.endswith(".csv") or lower.endswith(".xlsx")):
        raise ValidationError({"file": [_("Upload a .csv or .xlsx file.")]})
    size = getattr(file, "size", None)
    if size is not None and size > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": [_("The file can be at most %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES >> 20}]}
        )
    data = file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(
            {"file": [_("The file can be at most %(mb)d MB.") % {"mb": MAX_IMPORT_BYTES >> 20}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    job = ImportJob(
        original_name=name[:200],
        file_format="xlsx" if lower.endswith(".xlsx") else "csv",
        created_by=actor.staff,
        language=translation.get_language() or "zh-hans",
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()
    return job


def import_job_run(*, job_id: int) -> str:
    """Run a pending job (claimed atomically, so a second run of the same job does nothing).
    Returns the final status."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job.status
    with translation.override(job.language):
        return _run(job)


def _run(job: ImportJob) -> str:
    try:
        rows = _read_rows(job)
    except ValidationError as exc:
        return _finish(
            job, ImportStatus.FAILED, errors=[{"row": 0, "column": "", "message": m} for m in exc.messages]
        )
    ImportJob.objects.filter(pk=job.pk).update(rows_total=len(rows))
    planned, errors = _check_rows(job, rows)
    if errors:
        return _finish(job, ImportStatus.FAILED, errors=errors)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.WRITING, rows_done=len(rows))
    created = updated = 0
    with transaction.atomic():
        for plan in planned:
            brand, category, model = catalog_path_get_or_create(
                brand=plan.brand, category=plan.category, model=plan.model
            )
            plan.data.brand, plan.data.category, plan.data.model = brand, category, model
            asset = (
                Asset.objects.select_for_update().get(pk=plan.existing_pk) if plan.existing_pk else Asset()
            )
            apply_asset_data(asset, plan.data)
            asset.is_active = True
            asset.save()
            if plan.existing_pk:
                updated += 1
            else:
                created += 1
    return _finish(
        job, ImportStatus.SUCCEEDED, created_count=created, updated_count=updated, rows_done=len(rows)
    )


def _finish(job: ImportJob, status: str, **fields: Any) -> str:
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now(), **fields)
    return status


# --- Reading ----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return cell_text_in(str(value).strip())


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is not readable text; save it as CSV (UTF-8) or XLSX."))


def _raw_rows(job: ImportJob) -> Iterator[list[str]]:
    with job.file.open("rb") as handle:
        data = handle.read()
    if job.file_format == "xlsx":
        try:
            # Formula cells arrive as their text ("=HYPERLINK(…)"), stored as text and exported
            # escaped: never their cached result, never a live formula.
            yield from ([_cell_text(v) for v in row] for row in xlsx_rows(data))
        except ValueError:
            raise ValidationError(_("The file is not a valid XLSX workbook.")) from None
        return
    yield from (
        [cell_text_in(cell.strip()) for cell in row] for row in csv.reader(io.StringIO(_decode(data)))
    )


def _read_rows(job: ImportJob) -> list[tuple[int, dict[str, str]]]:
    rows = _raw_rows(job)
    header = next(rows, None)
    if not header or not any(header):
        raise ValidationError(_("The file has no header row."))
    keys = [_HEADER_KEYS.get(h.strip().lower()) for h in header]
    unknown = [h for h, k in zip(header, keys, strict=True) if h.strip() and k is None]
    if unknown:
        raise ValidationError(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
    if "machine_no" not in keys and "serials" not in keys:
        raise ValidationError(
            _("The file needs a 机器编号 (machine number) or 序列号 (serial numbers) column.")
        )
    result = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row if cell):
            continue
        values = {key: (row[i] if i < len(row) else "") for i, key in enumerate(keys) if key}
        result.append((number, values))
        if len(result) > MAX_IMPORT_ROWS:
            raise ValidationError(_("A file can have at most %(max)d rows.") % {"max": MAX_IMPORT_ROWS})
    if not result:
        raise ValidationError(_("The file has no rows to import."))
    return result


# --- Checking ---------------------------------------------------------------------------------------


@dataclass
class _Plan:
    data: AssetData
    brand: str
    category: str
    model: str
    existing_pk: int | None


def _split_serials(raw: str) -> list[str]:
    return [
        s.strip() for s in raw.replace("；", ";").replace(",", ";").replace("，", ";").split(";") if s.strip()
    ]


def _check_rows(
    job: ImportJob, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[_Plan], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    plans: list[_Plan] = []
    labels = {c.key: c.zh for c in COLUMNS}
    companies = {c.name: c for c in CustomerCompany.objects.all()}
    warranty_aliases = _warranty_aliases()
    seen_keys: dict[str, int] = {}

    def error(row: int, column: str, message: str) -> None:
        errors.append({"row": row, "column": labels.get(column, column), "message": message})

    for index, (number, values) in enumerate(rows, start=1):
        row_errors_before = len(errors)
        for column in COLUMNS:
            if len(values.get(column.key, "")) > column.limit:
                error(number, column.key, _("At most %(max)d characters.") % {"max": column.limit})
        machine_no = values.get("machine_no", "")
        serials = _split_serials(values.get("serials", ""))
        if not machine_no and not serials:
            error(number, "machine_no", _("Enter a machine number or at least one serial number."))
        if any(len(s) > 80 for s in serials):
            error(number, "serials", _("A serial number can be at most %(max)d characters.") % {"max": 80})
        brand, category, model = (values.get(k, "") for k in ("brand", "category", "model"))
        if (category and not brand) or (model and not category):
            error(number, "category", _("A category needs its brand, and a model its category."))
        company = None
        if values.get("company"):
            company = companies.get(values["company"])
            if company is None:
                error(
                    number,
                    "company",
                    _("No customer company is called “%(name)s”.") % {"name": values["company"]},
                )
        warranty: str = WarrantyStatus.UNKNOWN
        if values.get("warranty_status"):
            warranty = warranty_aliases.get(values["warranty_status"].lower(), "")
            if not warranty:
                error(number, "warranty_status", _("Use 厂保内, 合同保修期, 保外 or 不清楚."))
        ends_on = None
        if values.get("warranty_ends_on"):
            try:
                ends_on = parse_date(values["warranty_ends_on"][:10].replace("/", "-"))
            except ValueError:
                ends_on = None
            if ends_on is None:
                error(number, "warranty_ends_on", _("Enter the date as YYYY-MM-DD."))
        keys = lookup_keys_for(machine_no, serials)
        for key in keys:
            if key in seen_keys:
                error(
                    number,
                    "machine_no",
                    _("“%(key)s” is also in row %(other)d.") % {"key": key, "other": seen_keys[key]},
                )
            seen_keys.setdefault(key, number)
        existing_pk = None
        if keys and len(errors) == row_errors_before:
            matches = list(Asset.objects.filter(lookup_keys__overlap=keys).values_list("pk", flat=True)[:3])
            if len(matches) > 1:
                error(number, "machine_no", _("These numbers belong to different machines already."))
            elif matches:
                existing_pk = matches[0]
        if len(errors) == row_errors_before:
            plans.append(
                _Plan(
                    data=AssetData(
                        machine_no=machine_no,
                        serials=serials,
                        company=company,
                        location_plot=values.get("location_plot", ""),
                        location_building=values.get("location_building", ""),
                        location_room=values.get("location_room", ""),
                        location_address=values.get("location_address", ""),
                        warranty_status=warranty or WarrantyStatus.UNKNOWN,
                        warranty_ends_on=ends_on,
                        notes=values.get("notes", ""),
                    ),
                    brand=brand,
                    category=category,
                    model=model,
                    existing_pk=existing_pk,
                )
            )
        if index % PROGRESS_EVERY == 0:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=index)
    return plans, errors[:1000]


# --- Export -----------------------------------------------------------------------------------------


def _asset_row(asset: Asset) -> list[Any]:
    return [
        asset.machine_no,
        ";".join(asset.serials),
        asset.brand.name if asset.brand else "",
        asset.category.name if asset.category else "",
        asset.model.name if asset.model else "",
        asset.company.name if asset.company else "",
        asset.location_plot,
        asset.location_building,
        asset.location_room,
        asset.location_address,
        str(WarrantyStatus(asset.warranty_status).label) if asset.warranty_status else "",
        asset.warranty_ends_on.isoformat() if asset.warranty_ends_on else "",
        asset.notes,
    ]


def _header() -> list[str]:
    return [c.zh for c in COLUMNS]


def assets_export(assets: QuerySet[Asset] | Iterable[Asset], *, file_format: str) -> bytes:
    """The assets in the import columns (Chinese headers), so an export can be edited and
    re-imported. CSV is UTF-8 with a BOM so Excel opens it correctly."""
    if isinstance(assets, QuerySet):
        assets = assets.select_related("brand", "category", "model", "company").iterator(chunk_size=2000)
    rows = (_asset_row(asset) for asset in assets)
    if file_format == "xlsx":
        return xlsx_bytes(_header(), rows, sheet_title="assets")
    if file_format != "csv":
        raise ValidationError({"format": [_("Choose CSV or XLSX.")]})
    return csv_bytes(_header(), rows)


def import_template(*, file_format: str) -> bytes:
    """An empty sheet with the header row (the console's "download template" link)."""
    return assets_export([], file_format=file_format)
