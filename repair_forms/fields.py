"""Form field definitions (the schema of ``FormTemplateVersion.fields``) and the validation of what a
customer submits against them.

A definition is a JSON object::

    {"key": "fault_description", "type": "textarea", "required": true,
     "label": {"zh": "故障描述", "en": "Fault description"},
     "help": {"zh": "", "en": ""},           # optional
     "max_length": 2000}                      # type-specific limits, see LIMIT_KEYS

Types: text, textarea, number, select, multi_select, date, time, datetime, phone, images,
serial_lookup, location, machine (brand/category/model cascade), service_type, warranty, appointment.

Core fields map to order columns and have reserved keys (``CORE_KEYS``); the structured types
(serial_lookup, location, machine, service_type, warranty, appointment) exist only as their core
key. Every other key is stored in ``RepairOrder.extra``.

Submitted values (JSON-friendly, the same from HTML forms and the API):
text/textarea/phone: str · number: number or numeric str · select: option value · multi_select:
list of values · date "YYYY-MM-DD" · time "HH:MM" · datetime ISO "YYYY-MM-DDTHH:MM" (naive = Asia/
Shanghai) · images: list of uploaded files or ids of photos uploaded beforehand · serial_lookup: str ·
location: {"plot", "building", "room", "address"} · machine: {"brand", "category", "model"} catalog ids
· service_type: install/repair/maintenance · warranty: factory/contract/out/unknown · appointment:
ISO datetime or {"start", "end"}.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _

from accounts.validators import normalize_phone
from repair_forms.models import Brand, Category, MachineModel, ServiceType, WarrantyStatus

GENERIC_TYPES = frozenset(
    {"text", "textarea", "number", "select", "multi_select", "date", "time", "datetime", "phone", "images"}
)
STRUCTURED_TYPES = {
    "serial_lookup": "serial",
    "location": "location",
    "machine": "machine",
    "service_type": "service_type",
    "warranty": "warranty",
    "appointment": "appointment",
}
FIELD_TYPES = GENERIC_TYPES | frozenset(STRUCTURED_TYPES)
# Core keys whose generic type is fixed.
GENERIC_CORE_KEYS = {
    "machine_no": frozenset({"text"}),
    "fault_description": frozenset({"text", "textarea"}),
    "notes": frozenset({"text", "textarea"}),
    "contact_name": frozenset({"text"}),
    "contact_phone": frozenset({"phone"}),
    "photos": frozenset({"images"}),
}
CORE_KEYS = frozenset(GENERIC_CORE_KEYS) | frozenset(STRUCTURED_TYPES.values())
LOCATION_PARTS = ("plot", "building", "room", "address")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 40
MAX_OPTIONS = 50

# name → (applies to types, lowest, highest)
LIMIT_KEYS: dict[str, tuple[frozenset[str], int, int]] = {
    "min_length": (frozenset({"text", "textarea"}), 0, 5000),
    "max_length": (frozenset({"text", "textarea"}), 1, 5000),
    "min": (frozenset({"number"}), -(10**9), 10**9),
    "max": (frozenset({"number"}), -(10**9), 10**9),
    "decimals": (frozenset({"number"}), 0, 6),
    "min_choices": (frozenset({"multi_select"}), 0, MAX_OPTIONS),
    "max_choices": (frozenset({"multi_select"}), 1, MAX_OPTIONS),
    "max_files": (frozenset({"images"}), 1, 9),
}
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000}
DEFAULT_MAX_FILES = 6


def _text(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"zh": value.strip(), "en": ""}
    if isinstance(value, Mapping):
        return {
            "zh": str(value.get("zh") or "").strip()[:80],
            "en": str(value.get("en") or "").strip()[:80],
        }
    return {"zh": "", "en": ""}


def localized(text: Mapping[str, str] | None) -> str:
    """The zh or en text for the active language, falling back to the other one."""
    if not text:
        return ""
    language = (translation.get_language() or "zh-hans").lower()
    first, second = ("en", "zh") if language.startswith("en") else ("zh", "en")
    return text.get(first) or text.get(second) or ""


def field_label(definition: Mapping[str, Any]) -> str:
    return localized(definition.get("label")) or str(definition.get("key", ""))


# --- Definitions ------------------------------------------------------------------------------------


def validate_definition(fields: Any) -> list[dict[str, Any]]:
    """Check and normalise a template's field list; raise ``ValidationError({"fields": [...]})``."""
    errors: list[str] = []
    if not isinstance(fields, list) or not fields:
        raise ValidationError({"fields": [_("A form needs at least one field.")]})
    if len(fields) > MAX_FIELDS:
        raise ValidationError(
            {"fields": [_("A form can have at most %(max)d fields.") % {"max": MAX_FIELDS}]}
        )
    normalised: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, raw in enumerate(fields, start=1):
        field_errors: list[str] = []
        result = _normalise_field(index, raw, field_errors)
        if result is not None and result["key"] in seen:
            field_errors.append(
                _("Field %(index)d: the key “%(key)s” is used twice.")
                % {"index": index, "key": result["key"]}
            )
        if result is not None:
            seen.add(result["key"])
        errors.extend(field_errors)
        if result is not None and not field_errors:
            normalised.append(result)
    if errors:
        raise ValidationError({"fields": errors})
    return normalised


def _normalise_field(index: int, raw: Any, errors: list[str]) -> dict[str, Any] | None:
    if not isinstance(raw, Mapping):
        errors.append(_("Field %(index)d is not a field definition.") % {"index": index})
        return None
    key = str(raw.get("key") or "").strip()
    kind = str(raw.get("type") or "").strip()
    ctx: dict[str, Any] = {"index": index, "key": key, "type": kind}
    if kind not in FIELD_TYPES:
        errors.append(_("Field %(index)d: unknown type “%(type)s”.") % ctx)
        return None
    if not KEY_RE.match(key):
        errors.append(
            _("Field %(index)d: the key must start with a letter and use only a-z, 0-9 and _.") % ctx
        )
        return None
    if kind in STRUCTURED_TYPES and key != STRUCTURED_TYPES[kind]:
        errors.append(
            _("Field %(index)d: a field of type %(type)s must use the key “%(expected)s”.")
            % {**ctx, "expected": STRUCTURED_TYPES[kind]}
        )
    if key in GENERIC_CORE_KEYS and kind not in GENERIC_CORE_KEYS[key]:
        errors.append(
            _("Field %(index)d: “%(key)s” must be of type %(expected)s.")
            % {**ctx, "expected": " / ".join(sorted(GENERIC_CORE_KEYS[key]))}
        )
    if key in STRUCTURED_TYPES.values() and kind != next(t for t, k in STRUCTURED_TYPES.items() if k == key):
        errors.append(_("Field %(index)d: the key “%(key)s” is reserved for another type.") % ctx)
    label = _text(raw.get("label"))
    if not label["zh"]:
        errors.append(_("Field %(index)d: enter a label in Chinese.") % ctx)
    result: dict[str, Any] = {
        "key": key,
        "type": kind,
        "label": label,
        "required": bool(raw.get("required", False)),
    }
    help_text = _text(raw.get("help"))
    if help_text["zh"] or help_text["en"]:
        result["help"] = help_text
    for name, (types, low, high) in LIMIT_KEYS.items():
        if name not in raw or raw[name] in (None, ""):
            continue
        value = raw[name]
        if (
            kind not in types
            or isinstance(value, bool)
            or not isinstance(value, int)
            or not low <= value <= high
        ):
            errors.append(
                _("Field %(index)d: %(name)s must be a whole number between %(low)d and %(high)d.")
                % {**ctx, "name": name, "low": low, "high": high}
                if kind in types
                else _("Field %(index)d: %(name)s does not apply to type %(type)s.") % {**ctx, "name": name}
            )
            continue
        result[name] = value
    for low_name, high_name in (("min_length", "max_length"), ("min", "max"), ("min_choices", "max_choices")):
        if low_name in result and high_name in result and result[low_name] > result[high_name]:
            errors.append(
                _("Field %(index)d: %(low)s is greater than %(high)s.")
                % {**ctx, "low": low_name, "high": high_name}
            )
    if kind in ("select", "multi_select"):
        result["options"] = _normalise_options(index, raw.get("options"), errors)
    elif kind in ("service_type", "warranty"):
        allowed = ServiceType.values if kind == "service_type" else WarrantyStatus.values
        choices = raw.get("choices") or list(allowed)
        if not isinstance(choices, list) or not choices or any(c not in allowed for c in choices):
            errors.append(
                _("Field %(index)d: choices must be some of %(allowed)s.")
                % {**ctx, "allowed": ", ".join(allowed)}
            )
        else:
            result["choices"] = [c for c in allowed if c in choices]
    elif kind == "location":
        parts = raw.get("parts") or list(LOCATION_PARTS)
        if not isinstance(parts, list) or any(p not in LOCATION_PARTS for p in parts):
            errors.append(
                _("Field %(index)d: parts must be some of %(allowed)s.")
                % {**ctx, "allowed": ", ".join(LOCATION_PARTS)}
            )
        else:
            result["parts"] = [p for p in LOCATION_PARTS if p in parts]
            required_parts = raw.get("required_parts")
            if required_parts is None:
                required_parts = [p for p in result["parts"] if p != "address"] if result["required"] else []
            if not isinstance(required_parts, list) or any(p not in result["parts"] for p in required_parts):
                errors.append(_("Field %(index)d: required parts must be among the shown parts.") % ctx)
            else:
                result["required_parts"] = [p for p in result["parts"] if p in required_parts]
    elif kind == "appointment":
        result["with_end"] = bool(raw.get("with_end", False))
    return result


def _normalise_options(index: int, raw: Any, errors: list[str]) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_OPTIONS:
        errors.append(
            _("Field %(index)d: a choice field needs 1 to %(max)d options.")
            % {"index": index, "max": MAX_OPTIONS}
        )
        return []
    options = []
    values: set[str] = set()
    for option in raw:
        if isinstance(option, str):
            option = {"value": option, "label": {"zh": option, "en": ""}}
        if not isinstance(option, Mapping):
            errors.append(_("Field %(index)d: every option needs a value and a label.") % {"index": index})
            return []
        value = str(option.get("value") or "").strip()[:60]
        label = _text(option.get("label") or value)
        if not value or not label["zh"]:
            errors.append(_("Field %(index)d: every option needs a value and a label.") % {"index": index})
            return []
        if value in values:
            errors.append(_("Field %(index)d: option values must be unique.") % {"index": index})
            return []
        values.add(value)
        options.append({"value": value, "label": label})
    return options


# --- Submissions ------------------------------------------------------------------------------------


@dataclass
class CleanedSubmission:
    """What a submission turns into: ``core`` holds order column values (``brand`` etc. as model
    instances), ``extra`` the other keys, ``images`` maps an images field's key to its items (files
    or photo ids) for the service to store."""

    core: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    images: dict[str, list[Any]] = field(default_factory=dict)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        return not any(not _empty(v) for v in (value.values() if isinstance(value, dict) else value))
    return False


def validate_submission(
    definitions: list[dict[str, Any]], data: Mapping[str, Any], *, now: datetime | None = None
) -> CleanedSubmission:
    """Validate ``data`` against a version's field list. Raises ``ValidationError`` mapping each bad
    field's key to messages (in the active language). Keys not in the template are ignored."""
    now = now or timezone.now()
    cleaned = CleanedSubmission()
    errors: dict[str, list[str]] = {}
    for definition in definitions:
        key = definition["key"]
        value = data.get(key)
        try:
            _clean_field(definition, value, cleaned, now)
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_field(d: dict[str, Any], value: Any, out: CleanedSubmission, now: datetime) -> None:
    key, kind, label = d["key"], d["type"], field_label(d)
    ctx: dict[str, Any] = {"label": label}
    if kind == "location":
        out.core.update(_clean_location(d, value, ctx))
        return
    if kind == "machine":
        out.core.update(_clean_machine(d, value, ctx))
        return
    if kind == "images":
        items = [] if value is None else list(value) if isinstance(value, list | tuple) else [value]
        items = [i for i in items if i not in (None, "")]
        if d["required"] and not items:
            raise ValidationError(_("“%(label)s” is required.") % ctx)
        limit = d.get("max_files", DEFAULT_MAX_FILES)
        if len(items) > limit:
            raise ValidationError(_("“%(label)s” allows at most %(max)d images.") % {**ctx, "max": limit})
        out.images[key] = items
        return
    if _empty(value):
        if d["required"]:
            raise ValidationError(_("“%(label)s” is required.") % ctx)
        _store(out, key, kind, None)
        return
    _store(out, key, kind, _clean_value(d, kind, value, ctx, now))


def _store(out: CleanedSubmission, key: str, kind: str, value: Any) -> None:
    if kind == "appointment":
        start, end = value if value else (None, None)
        out.core["appointment_at"] = start
        out.core["appointment_until"] = end
    elif kind == "warranty":
        out.core["warranty_status"] = value or ""
    elif kind == "serial_lookup":
        out.core["serial"] = value or ""
    elif key in CORE_KEYS:
        out.core[key] = value if value is not None else ""
    elif value is not None:
        out.extra[key] = value


def _clean_value(d: dict[str, Any], kind: str, value: Any, ctx: dict[str, Any], now: datetime) -> Any:
    if kind in ("text", "textarea", "serial_lookup"):
        text = str(value).strip()
        if kind == "serial_lookup":
            if len(text) > 80:
                raise ValidationError(
                    _("“%(label)s” can be at most %(max)d characters.") % {**ctx, "max": 80}
                )
            return text
        max_length = d.get("max_length", DEFAULT_MAX_LENGTH[kind])
        if len(text) > max_length:
            raise ValidationError(
                _("“%(label)s” can be at most %(max)d characters.") % {**ctx, "max": max_length}
            )
        if len(text) < d.get("min_length", 0):
            raise ValidationError(
                _("“%(label)s” needs at least %(min)d characters.") % {**ctx, "min": d["min_length"]}
            )
        return text
    if kind == "number":
        return _clean_number(d, value, ctx)
    if kind == "select":
        if str(value) not in {o["value"] for o in d["options"]}:
            raise ValidationError(_("Choose a valid option for “%(label)s”.") % ctx)
        return str(value)
    if kind == "multi_select":
        chosen = value if isinstance(value, list | tuple) else [value]
        values = [o["value"] for o in d["options"]]
        picked = [str(v) for v in chosen if not _empty(v)]
        if any(v not in values for v in picked):
            raise ValidationError(_("Choose a valid option for “%(label)s”.") % ctx)
        picked = [v for v in values if v in picked]  # definition order, no duplicates
        if len(picked) < d.get("min_choices", 1 if d["required"] else 0):
            raise ValidationError(
                _("Choose at least %(min)d options for “%(label)s”.")
                % {**ctx, "min": d.get("min_choices", 1)}
            )
        if "max_choices" in d and len(picked) > d["max_choices"]:
            raise ValidationError(
                _("Choose at most %(max)d options for “%(label)s”.") % {**ctx, "max": d["max_choices"]}
            )
        return picked
    if kind == "date":
        parsed_date = (
            value
            if isinstance(value, date) and not isinstance(value, datetime)
            else _parse(parse_date, value)
        )
        if parsed_date is None:
            raise ValidationError(_("Enter a valid date for “%(label)s” (YYYY-MM-DD).") % ctx)
        return parsed_date.isoformat()
    if kind == "time":
        parsed_time = value if isinstance(value, time) else _parse(parse_time, value)
        if parsed_time is None:
            raise ValidationError(_("Enter a valid time for “%(label)s” (HH:MM).") % ctx)
        return parsed_time.strftime("%H:%M")
    if kind == "datetime":
        return _clean_datetime(value, ctx).isoformat()
    if kind == "phone":
        try:
            return normalize_phone(str(value))
        except ValidationError:
            raise ValidationError(_("Enter a valid phone number for “%(label)s”.") % ctx) from None
    if kind == "service_type":
        if value not in d.get("choices", ServiceType.values):
            raise ValidationError(_("Choose a valid option for “%(label)s”.") % ctx)
        return str(value)
    if kind == "warranty":
        if value not in d.get("choices", WarrantyStatus.values):
            raise ValidationError(_("Choose a valid option for “%(label)s”.") % ctx)
        return str(value)
    if kind == "appointment":
        return _clean_appointment(d, value, ctx, now)
    raise ValidationError(_("Field type %(type)s cannot be submitted.") % {"type": kind})  # pragma: no cover


def _parse(parser: Any, value: Any) -> Any:
    try:
        return parser(str(value).strip())
    except ValueError:
        return None


def _clean_number(d: dict[str, Any], value: Any, ctx: dict[str, Any]) -> int | float:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("“%(label)s” must be a number.") % ctx) from None
    if not number.is_finite():
        raise ValidationError(_("“%(label)s” must be a number.") % ctx)
    if "min" in d and number < d["min"]:
        raise ValidationError(_("“%(label)s” must be at least %(min)s.") % {**ctx, "min": d["min"]})
    if "max" in d and number > d["max"]:
        raise ValidationError(_("“%(label)s” must be at most %(max)s.") % {**ctx, "max": d["max"]})
    decimals = d.get("decimals", 0)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > decimals and number != number.to_integral_value():
        raise ValidationError(
            _("“%(label)s” can have at most %(decimals)d decimal places.") % {**ctx, "decimals": decimals}
        )
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_datetime(value: Any, ctx: dict[str, Any]) -> datetime:
    parsed = value if isinstance(value, datetime) else _parse(parse_datetime, value)
    if parsed is None:
        raise ValidationError(_("Enter a valid date and time for “%(label)s”.") % ctx)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _clean_appointment(
    d: dict[str, Any], value: Any, ctx: dict[str, Any], now: datetime
) -> tuple[datetime, datetime | None]:
    if isinstance(value, Mapping):
        start_raw, end_raw = value.get("start"), value.get("end")
    else:
        start_raw, end_raw = value, None
    if _empty(start_raw):
        raise ValidationError(_("“%(label)s” is required.") % ctx)
    start = _clean_datetime(start_raw, ctx)
    # A few minutes of slack: the customer picked "now" on a form that took a while to fill.
    if start < now - timedelta(minutes=10):
        raise ValidationError(_("The appointment cannot be in the past."))
    end = None
    if d.get("with_end") and not _empty(end_raw):
        end = _clean_datetime(end_raw, ctx)
        if end <= start:
            raise ValidationError(_("The appointment must end after it starts."))
    return start, end


def _clean_location(d: dict[str, Any], value: Any, ctx: dict[str, Any]) -> dict[str, str]:
    value = value if isinstance(value, Mapping) else {}
    labels = {"plot": _("plot"), "building": _("building"), "room": _("room"), "address": _("address")}
    result = {}
    messages = []
    for part in d.get("parts", LOCATION_PARTS):
        text = str(value.get(part) or "").strip()
        limit = 200 if part == "address" else 60
        if not text and part in d.get("required_parts", []):
            messages.append(_("Enter the %(part)s for “%(label)s”.") % {**ctx, "part": labels[part]})
        elif len(text) > limit:
            messages.append(
                _("The %(part)s can be at most %(max)d characters.") % {"part": labels[part], "max": limit}
            )
        result[f"location_{part}"] = text
    if messages:
        raise ValidationError(messages)
    return result


def _catalog_id(value: Any) -> int | None:
    if _empty(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _clean_machine(d: dict[str, Any], value: Any, ctx: dict[str, Any]) -> dict[str, Any]:
    value = value if isinstance(value, Mapping) else {}
    brand_id, category_id, model_id = (_catalog_id(value.get(k)) for k in ("brand", "category", "model"))
    if d["required"] and None in (brand_id, category_id, model_id):
        raise ValidationError(_("Choose a brand, category and model for “%(label)s”.") % ctx)
    brand = category = model = None
    if brand_id is not None and category_id is not None and model_id is not None:
        # The usual case, one query: the model with its category and brand, all active and chained.
        # Anything else falls through to the step-by-step checks, which say what is wrong.
        model = (
            MachineModel.objects.select_related("category__brand")
            .filter(
                pk=model_id,
                is_active=True,
                category_id=category_id,
                category__is_active=True,
                category__brand_id=brand_id,
                category__brand__is_active=True,
            )
            .first()
        )
        if model is not None:
            return {"brand": model.category.brand, "category": model.category, "model": model}
    if brand_id is not None:
        brand = Brand.objects.filter(pk=brand_id, is_active=True).first()
        if brand is None:
            raise ValidationError(_("Choose a valid brand for “%(label)s”.") % ctx)
    if category_id is not None:
        category = Category.objects.filter(pk=category_id, is_active=True).first()
        if category is None or brand is None or category.brand_id != brand.pk:
            raise ValidationError(_("The category does not belong to the chosen brand."))
    if model_id is not None:
        model = MachineModel.objects.filter(pk=model_id, is_active=True).first()
        if model is None or category is None or model.category_id != category.pk:
            raise ValidationError(_("The model does not belong to the chosen category."))
    return {"brand": brand, "category": category, "model": model}
