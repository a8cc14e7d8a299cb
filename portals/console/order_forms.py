"""Forms of the console's order screens and the engineer's job steps: the list filters and one
form per step. They shape input only; the services in ``repair_forms.services`` decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import CustomerCompany, StaffMember, StaffRole
from repair_forms.lifecycle import MANUAL_PROGRESS_TARGETS
from repair_forms.models import Brand, Category, OrderStatus, ServiceType
from repair_forms.queues import QUEUES
from repair_forms.selectors import OrderFilters

YES_NO = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]


class FastSelect(forms.Select):
    """A <select> built in Python. The list filters offer hundreds of options (companies,
    categories, engineers); Django's template-rendered widgets cost tens of microseconds per
    option, which was most of the order list's render time."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        current = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(option), mark_safe(" selected") if str(option) in current else "", label)  # noqa: S308
                for option, label in self.choices
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once; each is checked and re-encoded by ``repair_forms.photos``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "data-preview": ""}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in items if item]


class OrderFilterForm(forms.Form):
    """报修单列表 filters. Invalid values are ignored (a list always shows)."""

    status = forms.ChoiceField(label=_("Progress"), required=False, widget=FastSelect)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    brand = forms.TypedChoiceField(
        widget=FastSelect, label=_("Brand"), required=False, coerce=int, empty_value=None
    )
    category = forms.TypedChoiceField(
        widget=FastSelect, label=_("Category"), required=False, coerce=int, empty_value=None
    )
    service_type = forms.ChoiceField(label=_("Service type"), required=False, widget=FastSelect)
    overdue = forms.ChoiceField(label=_("Overdue"), required=False, choices=YES_NO, widget=FastSelect)
    urged = forms.ChoiceField(label=_("Urged"), required=False, choices=YES_NO, widget=FastSelect)
    engineer = forms.TypedChoiceField(
        widget=FastSelect, label=_("Engineer"), required=False, coerce=int, empty_value=None
    )
    company = forms.TypedChoiceField(
        widget=FastSelect, label=_("Company"), required=False, coerce=int, empty_value=None
    )
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=80,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Order number, name, phone, company, machine, model, fault, notes"),
            }
        ),
    )
    queue = forms.ChoiceField(label=_("Queue"), required=False, widget=FastSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = [("", _("All"))]
        self.fields["queue"].choices = any_choice + [(q.key, q.label) for q in QUEUES.values()]  # type: ignore[attr-defined]
        self.fields["status"].choices = any_choice + list(OrderStatus.choices)  # type: ignore[attr-defined]
        self.fields["service_type"].choices = any_choice + list(ServiceType.choices)  # type: ignore[attr-defined]
        self.fields["brand"].choices = any_choice + list(  # type: ignore[attr-defined]
            Brand.objects.order_by("sort", "name").values_list("id", "name")
        )
        categories = Category.objects.select_related("brand").order_by("brand__name", "sort", "name")
        self.fields["category"].choices = any_choice + [  # type: ignore[attr-defined]
            (c.pk, f"{c.brand.name} · {c.name}") for c in categories
        ]
        engineers = StaffMember.objects.filter(role=StaffRole.ENGINEER).order_by("display_name", "phone")
        self.fields["engineer"].choices = any_choice + [  # type: ignore[attr-defined]
            (e.pk, e.display_name or e.phone) for e in engineers
        ]
        self.fields["company"].choices = any_choice + list(  # type: ignore[attr-defined]
            CustomerCompany.objects.order_by("name").values_list("id", "name")
        )

    def filters(self) -> OrderFilters:
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()  # the invalid fields are left out of cleaned_data
            data = dict(self.cleaned_data)

        def flag(value: Any) -> bool | None:
            return None if value in (None, "") else value == "1"

        return OrderFilters(
            status=data.get("status") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            brand=data.get("brand"),
            category=data.get("category"),
            service_type=data.get("service_type") or None,
            overdue=flag(data.get("overdue")),
            urged=flag(data.get("urged")),
            engineer=data.get("engineer"),
            company=data.get("company"),
            q=data.get("q") or None,
            queue=data.get("queue") or None,
        )


# --- Steps ---------------------------------------------------------------------------------------


class NoteOptionalForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


def visible_to_customer_field() -> forms.BooleanField:
    """The staff note's "visible to the customer" tick; unticked (the default) keeps it internal."""
    return forms.BooleanField(
        label=_("Visible to the customer"),
        required=False,
        help_text=_("Unticked, only staff and the engineer read this note."),
    )


class StaffNoteForm(NoteOptionalForm):
    note_visible_to_customer = visible_to_customer_field()


class DispatchForm(forms.Form):
    engineer = forms.ModelChoiceField(
        label=_("Engineer"),
        queryset=StaffMember.objects.none(),
        empty_label=_("Choose an engineer"),
        error_messages={
            "required": _("Choose an engineer."),
            "invalid_choice": _("Choose an active engineer."),
        },
    )
    note = forms.CharField(
        label=_("Note for the engineer (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note_visible_to_customer = visible_to_customer_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engineers = StaffMember.objects.filter(role=StaffRole.ENGINEER, is_active=True).order_by(
            "display_name", "phone"
        )
        field = self.fields["engineer"]
        field.queryset = engineers  # type: ignore[attr-defined]
        field.label_from_instance = lambda e: (  # type: ignore[attr-defined]
            f"{e.display_name or e.phone}{' · ' + e.region if e.region else ''}"
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the reason.")},
    )


class ProgressForm(forms.Form):
    """手动设置处理进度."""

    status = forms.ChoiceField(label=_("New progress"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Enter the reason.")},
    )

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, label)
            for value, label in OrderStatus.choices
            if value in MANUAL_PROGRESS_TARGETS and value != current
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Internal note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff see internal notes."),
        error_messages={"required": _("Enter the note.")},
    )
    photos = PhotosField(label=_("Photos"))


class SuspendForm(forms.Form):
    """挂起申请: reason and photos; a supervisor approves."""

    reason = forms.CharField(
        label=_("Why must the job wait?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("For example: waiting for a spare part")}),
        error_messages={"required": _("Enter the reason.")},
    )
    photos = PhotosField(label=_("Photos"))


_PART_LINE = re.compile(r"^(?P<name>.+?)\s*(?:[,，×xX*]\s*(?P<quantity>\d+))?\s*$")


class JobSheetForm(forms.Form):
    """提交派单: what was done, the result, parts (one per line: name, quantity) and photos."""

    work_done = forms.CharField(
        label=_("Work done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the work done.")},
    )
    result = forms.CharField(
        label=_("Result"),
        max_length=200,
        error_messages={"required": _("Enter the result.")},
        widget=forms.TextInput(attrs={"placeholder": _("For example: fixed, working normally")}),
    )
    parts = forms.CharField(
        label=_("Parts used"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("One per line, e.g. toner cartridge, 1")}),
        help_text=_("One part per line: name, quantity."),
    )
    photos = PhotosField(label=_("Photos"))

    def clean_parts(self) -> list[dict[str, Any]]:
        parts = []
        for line in (self.cleaned_data.get("parts") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            match = _PART_LINE.match(line)
            if not match:
                raise ValidationError(_("Write each part as: name, quantity."))
            quantity = int(match["quantity"] or 1)
            if not 1 <= quantity <= 9999:
                raise ValidationError(
                    _("The quantity of “%(name)s” must be from 1 to 9999.") % {"name": match["name"]}
                )
            parts.append({"name": match["name"].strip(), "quantity": quantity})
        return parts
