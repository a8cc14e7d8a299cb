"""The report form (报修单) as HTML: a form template version's field definitions turned into
inputs, and a POST turned back into the values ``repair_forms.fields.validate_submission`` checks.

Input names are ``f_<key>`` (parts: ``f_<key>__<part>``) so a template's own keys never clash with
the page's other inputs. What a customer typed survives as plain JSON (``draft_of``): kept in the
session across the sign-in redirect, or while reporting is closed (photos as the ids of draft photos:
``portals.customer.report_draft``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from repair_forms.fields import DEFAULT_MAX_FILES, LOCATION_PARTS, field_label, localized
from repair_forms.models import OrderPhoto, PhotoKind, RepairOrder, ServiceType, WarrantyStatus
from tenants.inputs import parse_ids

PREFIX = "f_"


def input_name(key: str, part: str = "") -> str:
    return f"{PREFIX}{key}__{part}" if part else f"{PREFIX}{key}"


def _local_input(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


# --- POST → values --------------------------------------------------------------------------------


def parse_post(
    definitions: list[dict[str, Any]], post: QueryDict, files: MultiValueDict[str, Any] | None = None
) -> dict[str, Any]:
    """The submitted values keyed by field key, shaped as ``validate_submission`` expects. Images:
    ids of photos to keep (``f_<key>__keep``) followed by the uploaded files."""
    data: dict[str, Any] = {}
    for definition in definitions:
        key, kind = definition["key"], definition["type"]
        name = input_name(key)
        if kind == "location":
            parts = definition.get("parts", list(LOCATION_PARTS))
            data[key] = {part: post.get(input_name(key, part), "").strip() for part in parts}
        elif kind == "machine":
            data[key] = {part: post.get(input_name(key, part), "") for part in ("brand", "category", "model")}
        elif kind == "appointment":
            data[key] = {"start": post.get(name, ""), "end": post.get(input_name(key, "end"), "")}
        elif kind == "multi_select":
            data[key] = [v for v in post.getlist(name) if v]
        elif kind == "images":
            keep = parse_ids(post.getlist(input_name(key, "keep")))
            uploads = list(files.getlist(name)) if files is not None else []
            data[key] = [*keep, *[f for f in uploads if getattr(f, "size", 1)]]
        else:
            data[key] = post.get(name, "")
    return data


def draft_of(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without uploaded files (they cannot be kept in a session): JSON-safe."""
    draft: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [v for v in value if isinstance(v, str | int)]
        draft[key] = value
    return draft


def typed_summary(definitions: list[dict[str, Any]], data: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) of what the customer typed, to show back when the report cannot be filed now."""
    rows = []
    for definition in definitions:
        value = data.get(definition["key"])
        if definition["type"] in ("images", "machine"):
            continue
        if isinstance(value, dict):
            text = " ".join(str(v) for v in value.values() if v)
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = str(value or "")
        if text.strip():
            rows.append((field_label(definition), text.strip()))
    return rows


# --- Order / asset → values -----------------------------------------------------------------------


def order_values(order: RepairOrder, definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """The edit form's starting values: what the order holds now, per field of its version."""
    values: dict[str, Any] = {}
    report_photos = [p.pk for p in order.photos.all() if p.kind == PhotoKind.REPORT]
    for definition in definitions:
        key, kind = definition["key"], definition["type"]
        if kind == "serial_lookup":
            values[key] = order.serial
        elif kind == "machine":
            values[key] = {
                "brand": order.brand_id or "",
                "category": order.category_id or "",
                "model": order.model_id or "",
            }
        elif kind == "location":
            values[key] = {part: getattr(order, f"location_{part}") for part in LOCATION_PARTS}
        elif kind == "service_type":
            values[key] = order.service_type
        elif kind == "warranty":
            values[key] = order.warranty_status
        elif kind == "appointment":
            values[key] = {
                "start": _local_input(order.appointment_at),
                "end": _local_input(order.appointment_until),
            }
        elif kind == "images":
            values[key] = report_photos if key == "photos" else list(order.extra.get(key, []))
        elif key in ("machine_no", "fault_description", "notes", "contact_name", "contact_phone"):
            values[key] = getattr(order, key)
        else:
            values[key] = order.extra.get(key, "")
    return values


def prefill_from_asset(asset_values: dict[str, Any]) -> dict[str, Any]:
    """``selectors.asset_form_values`` as form values (ids as strings)."""
    values = dict(asset_values)
    machine = values.get("machine")
    if isinstance(machine, dict):
        values["machine"] = {k: "" if v is None else str(v) for k, v in machine.items()}
    return values


# --- values → what the template renders -----------------------------------------------------------


def _choice(value: str, label: str, current: Any) -> dict[str, Any]:
    selected = (
        str(value) in [str(c) for c in current] if isinstance(current, list) else str(value) == str(current)
    )
    return {"value": value, "label": label, "selected": selected}


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def form_fields(
    definitions: list[dict[str, Any]],
    values: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
    *,
    catalog: list[dict[str, Any]] | None = None,
    photos: dict[int, OrderPhoto] | None = None,
) -> list[dict[str, Any]]:
    """One dict per field for ``portals/includes/report_fields.html``."""
    values = values or {}
    errors = errors or {}
    out = []
    for definition in definitions:
        key, kind = definition["key"], definition["type"]
        value = values.get(key)
        item: dict[str, Any] = {
            "key": key,
            "type": kind,
            "name": input_name(key),
            "id": f"id_{input_name(key)}",
            "label": field_label(definition),
            "help": localized(definition.get("help")),
            "required": bool(definition.get("required")),
            "errors": errors.get(key, []),
            "value": "" if isinstance(value, dict | list) else _str(value),
        }
        if kind in ("text", "textarea"):
            item["max_length"] = definition.get("max_length", 200 if kind == "text" else 2000)
        elif kind == "number":
            item["min"], item["max"] = definition.get("min"), definition.get("max")
            decimals = definition.get("decimals", 0)
            item["step"] = "1" if not decimals else "0." + "0" * (decimals - 1) + "1"
        elif kind in ("select", "multi_select"):
            current = value if isinstance(value, list) else ([] if value in (None, "") else [value])
            item["options"] = [
                _choice(o["value"], localized(o["label"]), current if kind == "multi_select" else value or "")
                for o in definition.get("options", [])
            ]
        elif kind == "service_type":
            item["options"] = [
                _choice(v, str(ServiceType(v).label), value or "")
                for v in definition.get("choices", ServiceType.values)
            ]
        elif kind == "warranty":
            item["options"] = [
                _choice(v, str(WarrantyStatus(v).label), value or "")
                for v in definition.get("choices", WarrantyStatus.values)
            ]
        elif kind == "location":
            parts_now: dict[str, Any] = value if isinstance(value, dict) else {}
            labels = {
                "plot": _("Plot"),
                "building": _("Building"),
                "room": _("Room"),
                "address": _("Address"),
            }
            required_parts = set(definition.get("required_parts", []))
            item["parts"] = [
                {
                    "part": part,
                    "name": input_name(key, part),
                    "id": f"id_{input_name(key, part)}",
                    "label": labels[part],
                    "value": _str(parts_now.get(part)),
                    "required": part in required_parts,
                    "max_length": 200 if part == "address" else 60,
                }
                for part in definition.get("parts", list(LOCATION_PARTS))
            ]
        elif kind == "machine":
            item.update(_machine(key, value if isinstance(value, dict) else {}, catalog or []))
        elif kind == "appointment":
            window: dict[str, Any] = value if isinstance(value, dict) else {"start": _str(value)}
            item["value"] = _str(window.get("start"))
            item["with_end"] = bool(definition.get("with_end"))
            item["end_name"] = input_name(key, "end")
            item["end_value"] = _str(window.get("end"))
        elif kind == "images":
            kept = parse_ids(str(v) for v in (value or []))
            item["max_files"] = definition.get("max_files", DEFAULT_MAX_FILES)
            item["keep_name"] = input_name(key, "keep")
            item["kept"] = [photos[pk] for pk in kept if photos and pk in photos]
        out.append(item)
    return out


def _machine(key: str, current: dict[str, Any], catalog: list[dict[str, Any]]) -> dict[str, Any]:
    brand, category, model = (_str(current.get(k)) for k in ("brand", "category", "model"))
    brands, categories, models = [], [], []
    for b in catalog:
        brands.append({"value": str(b["id"]), "label": b["name"], "selected": str(b["id"]) == brand})
        for c in b["categories"]:
            categories.append(
                {
                    "value": str(c["id"]),
                    "label": c["name"],
                    "parent": str(b["id"]),
                    "selected": str(c["id"]) == category,
                }
            )
            for m in c["models"]:
                models.append(
                    {
                        "value": str(m["id"]),
                        "label": m["name"],
                        "parent": str(c["id"]),
                        "selected": str(m["id"]) == model,
                    }
                )
    return {
        "brand": {
            "name": input_name(key, "brand"),
            "id": f"id_{input_name(key, 'brand')}",
            "options": brands,
        },
        "category": {
            "name": input_name(key, "category"),
            "id": f"id_{input_name(key, 'category')}",
            "options": categories,
        },
        "model": {
            "name": input_name(key, "model"),
            "id": f"id_{input_name(key, 'model')}",
            "options": models,
        },
    }


def photo_map(order: RepairOrder | None) -> dict[int, OrderPhoto]:
    if order is None:
        return {}
    return {p.pk: p for p in order.photos.all()}


def error_dict(exc: Any) -> tuple[dict[str, list[str]], list[str]]:
    """A service's ValidationError split into field errors and messages for the top of the form."""
    if hasattr(exc, "error_dict"):
        fields = {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
        general = fields.pop("__all__", []) + fields.pop("photos_general", [])
        return fields, general
    return {}, [str(m) for m in exc.messages]
