"""Snipe-IT (open-source IT asset management) through its documented REST API v1.

- Authentication: a personal API token, ``Authorization: Bearer <token>`` (Snipe-IT has no
  account+password API sign-in).
- Lookup: ``GET /api/v1/hardware/byserial/{serial}`` (``{"total", "rows"}``), then
  ``GET /api/v1/hardware?search=…`` filtered to an exact asset tag (our machine number) or serial;
  before a push, ``GET /api/v1/hardware/{id}`` checks that the cached asset still exists.
  "Not found" is Snipe-IT's envelope ``{"status": "error", "messages": …, "payload": null}``,
  answered with HTTP 200.
- Work orders are asset maintenances: ``POST /api/v1/maintenances`` with ``asset_id``, ``title``,
  ``asset_maintenance_type``, ``start_date`` (and ``supplier_id``, required by older versions);
  the answer is ``{"status": "success", "payload": {"id": …}}``, a validation failure the error
  envelope with ``messages`` per field.
- Status: a maintenance is ``completed`` once it has a completion (``completed_at`` in current
  versions; ``completion_date`` in versions without ``completed_at``), ``open`` before. Pull reads
  ``GET /api/v1/maintenances?asset_id=…`` for the machines of open orders; the cursor is the
  latest ``updated_at`` seen. Snipe-IT has no outgoing maintenance webhook: a relay may POST the
  maintenance JSON (as the API returns it) to our webhook.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.asset_systems.adapters.base import (
    AdapterError,
    AssetAdapter,
    ExternalAsset,
    NotApplicable,
    PullResult,
    PushResult,
    StatusChange,
    WorkOrderRequest,
    dig,
    first_text,
)
from integrations.asset_systems.adapters.generic import ASSET_FIELDS, _date
from integrations.asset_systems.models import AdapterKind, AuthMode, SyncOperation
from repair_forms.selectors import normalize_lookup_key

API = "/api/v1"
OPEN = "open"
COMPLETED = "completed"
MAX_ASSETS_PER_PULL = 50


def is_error_envelope(data: Any) -> bool:
    return isinstance(data, dict) and data.get("status") == "error"


def envelope_messages(data: Any) -> str:
    from integrations.asset_systems.client import flatten_messages

    return flatten_messages(data.get("messages")) if isinstance(data, dict) else ""


def maintenance_status(row: dict[str, Any]) -> str:
    """``completed`` or ``open`` for a maintenance row as Snipe-IT's API returns it."""
    if "completed_at" in row:
        return COMPLETED if row.get("completed_at") else OPEN
    return COMPLETED if row.get("completion_date") else OPEN


def _changed_at(row: dict[str, Any]) -> str:
    value = row.get("updated_at")
    if isinstance(value, dict):
        return first_text(value.get("datetime"))
    return first_text(value)


class SnipeItAdapter(AssetAdapter):
    kind: ClassVar[str] = AdapterKind.SNIPEIT
    label = "Snipe-IT"
    auth_modes: ClassVar[tuple[str, ...]] = (AuthMode.BEARER,)
    help_text = gettext_lazy(
        "Create an API token in Snipe-IT (your profile → Manage API keys) and paste it here. Orders become "
        "asset maintenances; completing the maintenance in Snipe-IT completes the order here."
    )

    DEFAULT_ASSET_PATHS: ClassVar[dict[str, str]] = {
        "external_id": "id",
        "machine_no": "asset_tag",
        "serials": "serial",
        "brand": "manufacturer.name",
        "category": "category.name",
        "model": "model.name",
        "company": "company.name",
        "location_address": "location.name",
        "warranty_ends_on": "warranty_expires.date",
        "notes": "notes",
    }

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {"maintenance_type": "Repair", "supplier_id": None}

    @classmethod
    def default_field_mapping(cls) -> dict[str, Any]:
        return {"asset": dict(cls.DEFAULT_ASSET_PATHS)}

    @classmethod
    def default_status_mapping(cls) -> dict[str, str]:
        return {COMPLETED: "completed", OPEN: "ignore"}

    @classmethod
    def options_errors(cls, options: dict[str, Any], *, auth_mode: str) -> list[str]:
        errors: list[str] = []
        unknown = sorted(set(options) - {"maintenance_type", "supplier_id"})
        if unknown:
            errors.append(
                _("Unknown option(s): %(names)s. Snipe-IT knows “maintenance_type” and “supplier_id”.")
                % {"names": ", ".join(unknown)}
            )
        kind = options.get("maintenance_type", "Repair")
        if not isinstance(kind, str) or not kind.strip() or len(kind) > 50:
            errors.append(
                _("“maintenance_type” must be a Snipe-IT maintenance type such as Repair or Maintenance.")
            )
        supplier = options.get("supplier_id")
        if supplier is not None and (
            isinstance(supplier, bool) or not isinstance(supplier, int) or supplier < 1
        ):
            errors.append(_("“supplier_id” must be the number of a supplier in Snipe-IT, or null."))
        return errors

    @classmethod
    def field_mapping_errors(cls, mapping: dict[str, Any]) -> list[str]:
        errors: list[str] = []
        unknown_sections = sorted(set(mapping) - {"asset"})
        if unknown_sections:
            errors.append(
                _("Snipe-IT maps only “asset” fields; remove: %(names)s.")
                % {"names": ", ".join(unknown_sections)}
            )
        part = mapping.get("asset", {})
        if not isinstance(part, dict):
            return [*errors, _("“asset” must be an object of field → dot path.")]
        unknown = sorted(set(part) - set(ASSET_FIELDS))
        if unknown:
            errors.append(
                _("Unknown asset field(s): %(names)s. Known: %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(ASSET_FIELDS)}
            )
        for key, path in part.items():
            if not isinstance(path, str) or len(path) > 200:
                errors.append(
                    _("The path for asset.%(key)s must be text such as custom_fields.Room.value.")
                    % {"key": key}
                )
        return errors

    # --- Mapping ------------------------------------------------------------------------------------

    def asset_from(self, row: dict[str, Any]) -> ExternalAsset:
        paths = dict(self.DEFAULT_ASSET_PATHS)
        overrides = (self.binding.field_mapping or {}).get("asset") or {}
        paths.update({k: v for k, v in overrides.items() if isinstance(v, str)})

        def get(field: str) -> Any:
            return dig(row, paths[field]) if paths.get(field) else None

        serial = get("serials")
        serials = serial if isinstance(serial, list) else [serial]
        return ExternalAsset(
            external_id=first_text(get("external_id")),
            machine_no=first_text(get("machine_no")),
            serials=[s for s in (first_text(v) for v in serials) if s],
            brand=first_text(get("brand")),
            category=first_text(get("category")),
            model=first_text(get("model")),
            company=first_text(get("company")),
            location_plot=first_text(get("location_plot")),
            location_building=first_text(get("location_building")),
            location_room=first_text(get("location_room")),
            location_address=first_text(get("location_address")),
            warranty_ends_on=_date(get("warranty_ends_on")),
            notes=first_text(get("notes"))[:500],
        )

    @staticmethod
    def change_from(row: dict[str, Any]) -> StatusChange:
        return StatusChange(
            external_id=first_text(row.get("id")),
            external_status=maintenance_status(row),
            note=first_text(row.get("notes"))[:500],
            engineer_phone="",
            changed_at=_changed_at(row),
        )

    # --- Calls ---------------------------------------------------------------------------------------

    def _rows(self, data: Any) -> list[dict[str, Any]]:
        if is_error_envelope(data) or not isinstance(data, dict):
            return []
        rows = data.get("rows")
        if isinstance(rows, list):
            return [r for r in rows if isinstance(r, dict)]
        return [data] if "id" in data and "asset_tag" in data else []

    def _match(self, rows: list[dict[str, Any]], query: str) -> dict[str, Any] | None:
        key = normalize_lookup_key(query)
        for row in rows:
            if row.get("deleted_at"):
                continue
            keys = {
                normalize_lookup_key(first_text(row.get("asset_tag"))),
                normalize_lookup_key(first_text(row.get("serial"))),
            }
            if key in keys:
                return row
        return None

    def find_row(self, query: str) -> dict[str, Any] | None:
        by_serial = self.client.request(
            SyncOperation.LOOKUP, "GET", f"{API}/hardware/byserial/{quote(query, safe='')}", missing_ok=True
        )
        row = self._match(self._rows(by_serial), query)
        if row is not None:
            return row
        searched = self.client.request(
            SyncOperation.LOOKUP,
            "GET",
            f"{API}/hardware",
            params={"search": query, "limit": 20},
            missing_ok=True,
        )
        return self._match(self._rows(searched), query)

    def test_connection(self) -> str:
        data = self.client.request(SyncOperation.TEST, "GET", f"{API}/hardware", params={"limit": 1})
        if is_error_envelope(data):
            raise AdapterError(envelope_messages(data) or _("Snipe-IT refused the request."), retryable=False)
        if not isinstance(data, dict) or "total" not in data:
            raise AdapterError(
                _("This does not look like Snipe-IT's API (no asset list at /api/v1/hardware)."),
                retryable=False,
            )
        return _("Connected to Snipe-IT: %(count)s assets.") % {"count": data.get("total")}

    def lookup_asset(self, query: str) -> ExternalAsset | None:
        row = self.find_row(query)
        return self.asset_from(row) if row is not None else None

    def asset_details(self, asset_id: str) -> dict[str, Any] | None:
        """``GET /api/v1/hardware/{id}``: the asset, or None when Snipe-IT no longer has it."""
        if not asset_id.isdigit():
            return None
        data = self.client.request(SyncOperation.LOOKUP, "GET", f"{API}/hardware/{asset_id}", missing_ok=True)
        if is_error_envelope(data) or not isinstance(data, dict) or data.get("deleted_at"):
            return None
        return data

    def push_order(self, work: WorkOrderRequest) -> PushResult:
        asset_id = work.asset_external_id
        if asset_id and self.asset_details(asset_id) is None:
            asset_id = ""  # deleted there since we cached it: find it again by its numbers
        if not asset_id:
            for key in (work.serial, work.machine_no):
                row = self.find_row(key) if key else None
                if row is not None:
                    asset_id = first_text(row.get("id"))
                    break
        if not asset_id:
            raise NotApplicable(
                _("Snipe-IT records maintenances on its assets, and this order's machine is not there.")
            )
        options = self.binding.options or {}
        notes = "\n".join(
            line
            for line in (
                work.description,
                f"{work.contact_name} {work.contact_phone}".strip(),
                work.address,
                _("Order %(number)s, reported %(when)s")
                % {"number": work.order_number, "when": work.submitted_at},
            )
            if line
        )
        body: dict[str, Any] = {
            "asset_id": int(asset_id) if asset_id.isdigit() else asset_id,
            "title": work.title[:100] or work.order_number,
            "asset_maintenance_type": str(options.get("maintenance_type") or "Repair"),
            "start_date": work.submitted_on,
            "notes": notes,
            "is_warranty": 0,
        }
        if options.get("supplier_id"):
            body["supplier_id"] = options["supplier_id"]
        data = self.client.request(SyncOperation.PUSH, "POST", f"{API}/maintenances", body=body)
        if is_error_envelope(data):
            raise AdapterError(
                _("Snipe-IT refused the maintenance: %(detail)s") % {"detail": envelope_messages(data)},
                retryable=False,
            )
        payload = data.get("payload") if isinstance(data, dict) else None
        external_id = first_text(dig(payload, "id"))
        if not external_id:
            raise AdapterError(_("Snipe-IT accepted the maintenance but returned no id."))
        return PushResult(
            external_id=external_id,
            external_status=maintenance_status(payload or {}),
            external_asset_id=asset_id,
        )

    def pull_changes(self, *, cursor: str, open_work_orders: list[tuple[str, str]]) -> PullResult:
        wanted = {external_id for external_id, _asset in open_work_orders}
        asset_ids = sorted({asset for _id, asset in open_work_orders if asset})[:MAX_ASSETS_PER_PULL]
        changes: list[StatusChange] = []
        latest = cursor
        for asset_id in asset_ids:
            data = self.client.request(
                SyncOperation.PULL, "GET", f"{API}/maintenances", params={"asset_id": asset_id, "limit": 50}
            )
            if is_error_envelope(data):
                raise AdapterError(envelope_messages(data) or _("Snipe-IT refused the request."))
            for row in self._rows_of_maintenances(data):
                change = self.change_from(row)
                if change.external_id not in wanted:
                    continue
                if cursor and change.changed_at and change.changed_at <= cursor:
                    continue
                changes.append(change)
                latest = max(latest, change.changed_at)
        return PullResult(changes=changes, cursor=latest)

    @staticmethod
    def _rows_of_maintenances(data: Any) -> list[dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            raise AdapterError(_("Snipe-IT's answer has no list of maintenances."))
        return [r for r in data["rows"] if isinstance(r, dict)]

    def parse_webhook(self, payload: Any) -> list[StatusChange]:
        if isinstance(payload, dict) and isinstance(payload.get("payload"), dict):
            payload = payload["payload"]
        rows = payload.get("rows") if isinstance(payload, dict) and "rows" in payload else payload
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list):
            raise AdapterError(_("The body is not a Snipe-IT maintenance."), retryable=False)
        changes = [self.change_from(r) for r in rows[:100] if isinstance(r, dict) and r.get("id") is not None]
        if not changes:
            raise AdapterError(_("The body is not a Snipe-IT maintenance."), retryable=False)
        return changes
