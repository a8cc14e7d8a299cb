from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.validators import normalize_phone


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
        return super().clean()
