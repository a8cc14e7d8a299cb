"""The field editor of 报修单表单: one row per field (a Django formset with ordering and deletion,
so it works without JavaScript; ``portals.js`` adds up/down buttons and "add a field"). Rows turn
into the JSON definitions ``repair_forms.fields.validate_definition`` checks; its zh/en messages
("Field 3: …") are shown above the editor."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from repair_forms.fields import LOCATION_PARTS, MAX_FIELDS, STRUCTURED_TYPES
from repair_forms.models import ServiceType, TemplateStyle, WarrantyStatus

FIELD_TYPE_CHOICES = [
    ("text", _("Text")),
    ("textarea", _("Long text")),
    ("number", pgettext_lazy("field type", "Number")),
    ("select", _("Choice")),
    ("multi_select", _("Multiple choice")),
    ("date", _("Date")),
    ("time", _("Time")),
    ("datetime", _("Date and time")),
    ("phone", _("Phone number")),
    ("images", _("Photos")),
    ("serial_lookup", _("Serial number")),
    ("location", _("Location (plot, building, room, address)")),
    ("machine", _("Machine (brand → category → model)")),
    ("service_type", _("Service type")),
    ("warranty", _("Warranty")),
    ("appointment", _("Appointment time")),
]
LOCATION_CHOICES = [
    ("plot", _("Plot")),
    ("building", _("Building")),
    ("room", _("Room")),
    ("address", _("Address")),
]
CHOICE_VALUES = [*ServiceType.choices, *WarrantyStatus.choices]
LIMITS = ("max_length", "min", "max", "decimals", "max_files")


class TemplateMetaForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    style = forms.ChoiceField(label=_("Style"), choices=TemplateStyle.choices)


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the copy"), max_length=60, required=False)


class FieldRowForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=[("", _("Choose a type")), *FIELD_TYPE_CHOICES])
    key = forms.CharField(
        label=_("Key"),
        max_length=40,
        required=False,
        help_text=_("a-z, 0-9 and _; filled in for machine, location and the other built-in types."),
    )
    label_zh = forms.CharField(label=_("Label (Chinese)"), max_length=80, required=False)
    label_en = forms.CharField(label=_("Label (English)"), max_length=80, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    help_zh = forms.CharField(label=_("Help (Chinese)"), max_length=80, required=False)
    help_en = forms.CharField(label=_("Help (English)"), max_length=80, required=False)
    options = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: value|中文|English (or just the Chinese text)."),
    )
    max_length = forms.IntegerField(label=_("Maximum length"), required=False)
    min = forms.IntegerField(label=_("Minimum"), required=False)
    max = forms.IntegerField(label=_("Maximum"), required=False)
    decimals = forms.IntegerField(label=_("Decimal places"), required=False)
    max_files = forms.IntegerField(label=_("Maximum photos"), required=False)
    with_end = forms.BooleanField(label=_("Ask for an end time too"), required=False)
    parts = forms.MultipleChoiceField(
        label=_("Location parts"),
        choices=LOCATION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    choices = forms.MultipleChoiceField(
        label=_("Offered values"), choices=CHOICE_VALUES, required=False, widget=forms.CheckboxSelectMultiple
    )

    def definition(self) -> dict[str, Any]:
        """This row as a field definition (validated later, as a whole, by the service)."""
        data = self.cleaned_data
        kind = data["type"]
        key = (data.get("key") or "").strip() or STRUCTURED_TYPES.get(kind, "")
        definition: dict[str, Any] = {
            "key": key,
            "type": kind,
            "label": {"zh": data.get("label_zh", ""), "en": data.get("label_en", "")},
            "required": bool(data.get("required")),
        }
        if data.get("help_zh") or data.get("help_en"):
            definition["help"] = {"zh": data.get("help_zh", ""), "en": data.get("help_en", "")}
        applies = {
            "max_length": ("text", "textarea"),
            "min": ("number",),
            "max": ("number",),
            "decimals": ("number",),
            "max_files": ("images",),
        }
        for name in LIMITS:
            if data.get(name) is not None and kind in applies[name]:
                definition[name] = data[name]
        if kind in ("select", "multi_select"):
            definition["options"] = _parse_options(data.get("options", ""))
        if kind == "appointment":
            definition["with_end"] = bool(data.get("with_end"))
        if kind == "location" and data.get("parts"):
            definition["parts"] = list(data["parts"])
        if kind == "service_type" and data.get("choices"):
            definition["choices"] = [c for c in data["choices"] if c in ServiceType.values]
        if kind == "warranty" and data.get("choices"):
            definition["choices"] = [c for c in data["choices"] if c in WarrantyStatus.values]
        return definition


def _parse_options(text: str) -> list[dict[str, Any]]:
    options = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        pieces = [p.strip() for p in line.split("|")]
        if len(pieces) == 1:
            options.append({"value": pieces[0], "label": {"zh": pieces[0], "en": ""}})
        else:
            value, zh = pieces[0], pieces[1] or pieces[0]
            options.append({"value": value, "label": {"zh": zh, "en": pieces[2] if len(pieces) > 2 else ""}})
    return options


def row_initial(definition: dict[str, Any]) -> dict[str, Any]:
    label = definition.get("label") or {}
    help_text = definition.get("help") or {}
    initial: dict[str, Any] = {
        "type": definition["type"],
        "key": definition["key"],
        "label_zh": label.get("zh", ""),
        "label_en": label.get("en", ""),
        "required": definition.get("required", False),
        "help_zh": help_text.get("zh", ""),
        "help_en": help_text.get("en", ""),
        "with_end": definition.get("with_end", False),
        "parts": definition.get("parts", list(LOCATION_PARTS) if definition["type"] == "location" else []),
        "choices": definition.get("choices", []),
    }
    for name in LIMITS:
        if name in definition:
            initial[name] = definition[name]
    if definition.get("options"):
        initial["options"] = "\n".join(
            f"{o['value']}|{o['label'].get('zh', '')}|{o['label'].get('en', '')}".rstrip("|")
            for o in definition["options"]
        )
    return initial


FieldFormSet = formset_factory(
    FieldRowForm, extra=1, can_delete=True, can_order=True, max_num=MAX_FIELDS, absolute_max=MAX_FIELDS + 5
)


def definitions_from(formset: Any) -> list[dict[str, Any]]:
    """The rows in their chosen order, without deleted rows and untouched blank ones."""
    return [form.definition() for form in formset.ordered_forms]
