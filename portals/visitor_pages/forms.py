"""Forms of the visitor screens. They only parse; the services in ``visitors`` validate and decide
(their errors are shown on the fields through ``portals.web.add_service_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffMember, StaffRole
from visitors.models import ApproverGroup, ApproverKind, IdType, InvitationStatus, Unit, VisitorType
from visitors.organisation import CONDITION_FIELDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def hosts() -> Any:
    """Who may be a contact person: active staff, gate guards excepted."""
    return (
        StaffMember.objects.filter(is_active=True)
        .exclude(role=StaffRole.GUARD)
        .order_by("display_name", "phone")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or obj.phone


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or obj.phone


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Invitee's name"), max_length=40)
    phone = forms.CharField(
        label=_("Invitee's phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"})
    )
    visit_start = _datetime(_("Visit from"))
    visit_end = _datetime(_("Visit until"))
    host = StaffChoiceField(label=_("Contact person"), queryset=StaffMember.objects.none())
    unit = forms.ModelChoiceField(label=_("Unit to visit"), queryset=Unit.objects.all())
    visitor_type = forms.ChoiceField(label=_("Visitor type"), choices=VisitorType.choices)
    visitors_count = forms.IntegerField(label=_("Number of visitors"), min_value=1, max_value=50, initial=1)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts()  # type: ignore[attr-defined]


class InvitationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + list(InvitationStatus.choices), required=False
    )
    q = forms.CharField(label=_("Search"), max_length=60, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class ApplicationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))]
        + [("pending", _("Under approval")), ("approved", _("Approved")), ("rejected", _("Rejected"))],
        required=False,
    )
    visitor_type = forms.ChoiceField(
        label=_("Visitor type"), choices=[("", _("All"))] + list(VisitorType.choices), required=False
    )
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    host = StaffChoiceField(label=_("Contact person"), queryset=StaffMember.objects.none(), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Search"), max_length=60, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Opinion or reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=60)
    head = StaffChoiceField(label=_("Head"), queryset=StaffMember.objects.none(), required=False)
    members = StaffMultipleChoiceField(
        label=_("Members"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["head"].queryset = hosts()  # type: ignore[attr-defined]
        self.fields["members"].queryset = hosts()  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=60)
    members = StaffMultipleChoiceField(
        label=_("Members"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = hosts()  # type: ignore[attr-defined]


class ChainStepForm(forms.Form):
    name = forms.CharField(label=_("Step name"), max_length=60)
    approver_kind = forms.ChoiceField(label=_("Approver"), choices=ApproverKind.choices)
    group = forms.ModelChoiceField(label=_("Group"), queryset=ApproverGroup.objects.all(), required=False)
    person = StaffChoiceField(label=_("Person"), queryset=StaffMember.objects.none(), required=False)
    condition_field = forms.CharField(
        label=_("Only when field"),
        max_length=40,
        required=False,
        help_text=_(
            "Leave empty for every application; e.g. visitor_type (%(fields)s or an extra field's key)."
        )
        % {"fields": ", ".join(CONDITION_FIELDS)},
    )
    condition_value = forms.CharField(
        label=_("Equals"), max_length=60, required=False, help_text=_("e.g. temporary or long_term")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = hosts()  # type: ignore[attr-defined]


class VisitorSettingsForm(forms.Form):
    walk_in_allowed = forms.BooleanField(
        label=_("Visitors may apply without an invitation code"), required=False
    )
    extra_fields = forms.JSONField(
        label=_("Extra fields of the application form"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "The same field definitions as the order forms (text, textarea, number, select, date, time, "
            "phone), "
            'e.g. [{"key": "health_code", "type": "select", "required": true, "label": {"zh": "健康码", '
            '"en": "Health code"}, "options": [{"value": "green", "label": {"zh": "绿码", "en": "Green"}}]}]'
        ),
    )


class ApplicationForm(forms.Form):
    """访客进校申请 (the core fields; the provider's extra fields come from ``portals.report_form``)."""

    invitation_code = forms.CharField(label=_("Invitation code"), max_length=12, required=False)
    visit_start = _datetime(_("Visit from"))
    visit_end = _datetime(_("Visit until"))
    name = forms.CharField(label=_("Visitor name"), max_length=40)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(
        label=_("ID number"), max_length=30, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"type": "tel"}))
    unit = forms.ModelChoiceField(label=_("Unit to visit"), queryset=Unit.objects.all(), required=False)
    host = StaffChoiceField(label=_("Contact person"), queryset=StaffMember.objects.none(), required=False)
    visitor_type = forms.ChoiceField(
        label=_("Visitor type"),
        choices=[("", _("Please choose"))] + list(VisitorType.choices),
        required=False,
    )
    companions = forms.CharField(
        label=_("Companions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    driving = forms.BooleanField(label=_("I am driving"), required=False)
    plate_number = forms.CharField(label=_("Plate number"), max_length=12, required=False)
    reason = forms.CharField(
        label=_("Reason for the visit"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts()  # type: ignore[attr-defined]


class GateForm(forms.Form):
    code = forms.CharField(label=_("Pass code"), max_length=200)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=[("entry", _("Entry")), ("exit", _("Exit"))], initial="entry"
    )
