"""Forms of the assets and catalog screens. Uniqueness and the brand → category → model chain are
checked by ``repair_forms.asset_services``; these forms shape the input."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import CustomerCompany
from repair_forms.asset_services import AssetData
from repair_forms.models import Asset, Brand, Category, MachineModel, WarrantyStatus

_SERIAL_SPLIT = re.compile(r"[\n;；,，]+")


class AssetForm(forms.Form):
    machine_no = forms.CharField(label=_("Machine number"), max_length=60, required=False)
    serials = forms.CharField(
        label=_("Serial numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line (or separated by ;)."),
    )
    brand = forms.ModelChoiceField(label=_("Brand"), queryset=Brand.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    model = forms.ModelChoiceField(label=_("Model"), queryset=MachineModel.objects.none(), required=False)
    company = forms.ModelChoiceField(
        label=_("Customer company"), queryset=CustomerCompany.objects.none(), required=False
    )
    location_plot = forms.CharField(label=_("Plot"), max_length=60, required=False)
    location_building = forms.CharField(label=_("Building"), max_length=60, required=False)
    location_room = forms.CharField(label=_("Room"), max_length=60, required=False)
    location_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    warranty_status = forms.ChoiceField(label=_("Warranty"), choices=WarrantyStatus.choices)
    warranty_ends_on = forms.DateField(
        label=_("Warranty ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = Brand.objects.order_by("sort", "name")  # type: ignore[attr-defined]
        self.fields["category"].queryset = Category.objects.select_related("brand").order_by(  # type: ignore[attr-defined]
            "brand__name", "sort", "name"
        )
        self.fields["category"].label_from_instance = lambda c: f"{c.brand.name} · {c.name}"  # type: ignore[attr-defined]
        self.fields["model"].queryset = MachineModel.objects.select_related(  # type: ignore[attr-defined]
            "category__brand"
        ).order_by("category__brand__name", "category__name", "sort", "name")
        self.fields["model"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.category.brand.name} · {m.category.name} · {m.name}"
        )
        self.fields["company"].queryset = CustomerCompany.objects.order_by("name")  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, asset: Asset) -> dict[str, Any]:
        return {
            "machine_no": asset.machine_no,
            "serials": "\n".join(asset.serials),
            "brand": asset.brand_id,
            "category": asset.category_id,
            "model": asset.model_id,
            "company": asset.company_id,
            "location_plot": asset.location_plot,
            "location_building": asset.location_building,
            "location_room": asset.location_room,
            "location_address": asset.location_address,
            "warranty_status": asset.warranty_status,
            "warranty_ends_on": asset.warranty_ends_on,
            "notes": asset.notes,
        }

    def asset_data(self, existing: Asset | None = None) -> AssetData:
        data = self.cleaned_data
        return AssetData(
            machine_no=data["machine_no"],
            serials=[s.strip() for s in _SERIAL_SPLIT.split(data.get("serials") or "") if s.strip()],
            brand=data.get("brand"),
            category=data.get("category"),
            model=data.get("model"),
            company=data.get("company"),
            location_plot=data["location_plot"],
            location_building=data["location_building"],
            location_room=data["location_room"],
            location_address=data["location_address"],
            warranty_status=data["warranty_status"],
            warranty_ends_on=data.get("warranty_ends_on"),
            notes=data["notes"],
            source=existing.source if existing else "local",
            external_id=existing.external_id if existing else "",
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel (.xlsx) file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": _("Choose a file to import.")},
    )


class CatalogAddForm(forms.Form):
    """Add a brand, a category under a brand, or a model under a category."""

    kind = forms.ChoiceField(
        choices=[("brand", _("Brand")), ("category", _("Category")), ("model", _("Model"))]
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=80)


class CatalogEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=80)
    is_active = forms.BooleanField(label=_("Offered to customers"), required=False)
