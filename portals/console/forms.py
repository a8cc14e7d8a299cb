"""Console forms: they parse and check shapes; the accounts services own the rules."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import StaffMember, StaffRole, StaffStatus
from accounts.passwords import new_password_attrs, new_password_help
from accounts.validators import MAX_STAR_DESCRIPTION_LENGTH, normalize_phone
from portals.forms import SmsCodeMixin, phone_field

_LIST_SPLIT = re.compile(r"[\n\r,，、;；]+")


def split_list(text: str) -> list[str]:
    return [part.strip() for part in _LIST_SPLIT.split(text or "") if part.strip()]


class PhoneLoginForm(AuthenticationForm):
    """Staff sign in with their phone number; any common spelling of it is accepted."""

    username = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean(self) -> dict[str, object]:
        raw = self.cleaned_data.get("username") or ""
        try:
            self.cleaned_data["username"] = normalize_phone(str(raw))
        except ValidationError:
            raise self.get_invalid_login_error() from None
        try:
            return super().clean()
        except ValidationError:
            self._explain_why_not_active()
            raise

    def _explain_why_not_active(self) -> None:
        """The right password of someone who may not sign in (yet) gets the reason, not the
        generic "wrong phone or password"."""
        staff = (
            StaffMember.objects.select_related("user")
            .filter(phone=self.cleaned_data.get("username"))
            .exclude(status__in=[StaffStatus.ACTIVE, StaffStatus.INVITED])
            .first()
        )
        if staff is None or not staff.user.check_password(self.cleaned_data.get("password") or ""):
            return
        reasons = {
            StaffStatus.PENDING: _("Your registration is waiting for an administrator's approval."),
            StaffStatus.REJECTED: _("Your registration was not approved."),
            StaffStatus.DEACTIVATED: _("Your account has been deactivated. Ask an administrator."),
        }
        raise ValidationError(reasons[StaffStatus(staff.status)], code="inactive")


class ProfileForm(forms.Form):
    contact_person = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Customers can tap it to call you."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    about = forms.CharField(
        label=_("About"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Shown on your customer portal: services, hours, anything customers should know."),
    )


def _hours(label: Any, low: int, high: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )


class SettingsForm(forms.Form):
    ratings_enabled = forms.BooleanField(label=_("Customers may rate completed orders"), required=False)
    free_form_reporting_enabled = forms.BooleanField(
        label=_("Customers may report without a serial number"), required=False
    )
    star_1 = forms.CharField(label=_("1 star"), max_length=MAX_STAR_DESCRIPTION_LENGTH)
    star_2 = forms.CharField(label=_("2 stars"), max_length=MAX_STAR_DESCRIPTION_LENGTH)
    star_3 = forms.CharField(label=_("3 stars"), max_length=MAX_STAR_DESCRIPTION_LENGTH)
    star_4 = forms.CharField(label=_("4 stars"), max_length=MAX_STAR_DESCRIPTION_LENGTH)
    star_5 = forms.CharField(label=_("5 stars"), max_length=MAX_STAR_DESCRIPTION_LENGTH)
    rating_tags = forms.CharField(
        label=_("Rating tags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-tag-editor": "1"}),
        help_text=_("One tag per line; at most 12 tags of up to 10 characters."),
    )
    waiting_sla_hours = _hours(_("Hours to accept an order before it is overdue"), 1, 720)
    repair_sla_hours = _hours(_("Hours to complete an accepted order before it is overdue"), 1, 2160)
    urge_after_hours = _hours(_("Hours after which a customer may urge"), 1, 168)
    auto_confirm_days = _hours(_("Days after which a completed order confirms itself"), 1, 30)
    embed_allowed_origins = forms.CharField(
        label=_("Sites allowed to embed the login window"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://www.example.com"}),
        help_text=_("One address per line, e.g. https://www.example.com. Leave empty to allow none."),
    )

    STAR_FIELDS = ("star_1", "star_2", "star_3", "star_4", "star_5")

    def clean_rating_tags(self) -> list[str]:
        return split_list(self.cleaned_data.get("rating_tags") or "")

    def clean_embed_allowed_origins(self) -> list[str]:
        return [
            part for part in re.split(r"\s+|,", self.cleaned_data.get("embed_allowed_origins") or "") if part
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["star_descriptions"] = {name[-1]: data.pop(name) for name in self.STAR_FIELDS}
        return data

    @classmethod
    def initial_from(cls, row: Any) -> dict[str, Any]:
        stars = row.star_descriptions or {}
        return {
            "ratings_enabled": row.ratings_enabled,
            "free_form_reporting_enabled": row.free_form_reporting_enabled,
            **{name: stars.get(name[-1], "") for name in cls.STAR_FIELDS},
            "rating_tags": "\n".join(row.rating_tags or []),
            "waiting_sla_hours": row.waiting_sla_hours,
            "repair_sla_hours": row.repair_sla_hours,
            "urge_after_hours": row.urge_after_hours,
            "auto_confirm_days": row.auto_confirm_days,
            "embed_allowed_origins": "\n".join(row.embed_allowed_origins or []),
        }


class StaffInviteForm(forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=60)
    phone = phone_field()
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices, initial=StaffRole.ENGINEER)


class StaffRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the engineer)"), max_length=200, widget=forms.TextInput()
    )


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=new_password_attrs()),
        help_text=new_password_help(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password1(self) -> str:
        password = self.cleaned_data.get("password1") or ""
        validate_password(password)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords do not match."))
        return data


class EngineerJoinForm(SmsCodeMixin, SetPasswordForm):
    display_name = forms.CharField(label=_("Name"), max_length=60)
    skills = forms.CharField(
        label=_("Skills (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. printers, air conditioners, networks")}),
    )
    region = forms.CharField(label=_("Service region (optional)"), max_length=100, required=False)

    field_order = ["display_name", "phone", "code", "password1", "password2", "skills", "region"]


class CompanyForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=120)
    contact_person = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)


class CompanyEditForm(CompanyForm):
    is_active = forms.BooleanField(
        label=_("Active (its registration QR code works)"), required=False, initial=True
    )


class CompanyMemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = phone_field()
    is_manager = forms.BooleanField(label=_("Company manager"), required=False)


class EmbedSizeForm(forms.Form):
    width = forms.IntegerField(label=_("Width (px)"), min_value=240, max_value=1200, initial=380)
    height = forms.IntegerField(label=_("Height (px)"), min_value=300, max_value=1200, initial=460)
