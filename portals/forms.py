"""Form pieces shared by the portal and the console: phone numbers and SMS-code steps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_phone


def phone_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Phone number"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class SmsCodeMixin(forms.Form):
    """Phone + one-time code. The page has two buttons: send the code, then submit."""

    phone = phone_field()
    code = forms.CharField(
        label=_("Verification code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data.get("phone") or "")
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def require_code(self) -> bool:
        if not (self.cleaned_data.get("code") or "").strip():
            self.add_error("code", _("Enter the verification code we sent you."))
            return False
        return True
