"""Forms of the public site. Every message exists in Chinese and English."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.passwords import new_password_attrs, new_password_help
from accounts.validators import normalize_phone
from tenants.models import Provider
from tenants.selectors import phone_owns_a_provider, subdomain_availability

PHONE_ATTRS = {"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0013 8000"}
CODE_ATTRS = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6", "pattern": "[0-9]*"}


def clean_phone_value(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValidationError:
        raise ValidationError(_("Enter a valid mobile phone number."), code="invalid_phone") from None


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("widget", forms.TextInput(attrs=PHONE_ATTRS))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return clean_phone_value(super().clean(value))


class CodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("SMS code"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("widget", forms.TextInput(attrs=CODE_ATTRS))
        super().__init__(**kwargs)


class PasswordPairMixin(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=new_password_attrs()),
        help_text=new_password_help(),
    )
    password_confirm = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # Fields before the password (phone, name) are already clean: compare against them too.
        account = get_user_model()(
            username=self.cleaned_data.get("phone") or "", first_name=self.cleaned_data.get("name") or ""
        )
        validate_password(password, account)
        return str(password)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm is not None and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return cleaned


class SignupForm(PasswordPairMixin):
    """服务商入驻. The SMS code is checked by the view last, so a typo elsewhere never burns it."""

    field_order = ["phone", "code", "name", "subdomain", "password", "password_confirm"]

    phone = PhoneField(help_text=_("Your phone number is your sign-in name."))
    code = CodeField()
    name = forms.CharField(
        label=_("Provider name"),
        max_length=80,
        help_text=_("Cannot be changed after signup."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Hangzhou After-sales Service Centre")}),
    )
    subdomain = forms.CharField(
        label=_("Portal address"),
        max_length=30,
        help_text=_("3–30 lowercase letters, digits or hyphens."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false", "maxlength": "30"}
        ),
    )

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data["phone"])
        if phone_owns_a_provider(phone=phone):
            raise ValidationError(
                _("This phone number already owns a provider. Sign in instead, or use another number."),
                code="owner_exists",
            )
        return phone

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("The verification code is 6 digits."), code="invalid_format")
        return code

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if len(name) < 2:
            raise ValidationError(_("Enter the provider name (at least 2 characters)."), code="short")
        if Provider.objects.filter(name__iexact=name).exists():
            raise ValidationError(_("A provider with this name already exists."), code="name_taken")
        return name

    def clean_subdomain(self) -> str:
        availability = subdomain_availability(str(self.cleaned_data["subdomain"]))
        if not availability.available:
            raise ValidationError(availability.message, code=availability.reason)
        return availability.subdomain


class SendCodeForm(forms.Form):
    phone = PhoneField()


class LoginForm(forms.Form):
    phone = PhoneField()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ResetRequestForm(forms.Form):
    phone = PhoneField()
    code = CodeField()

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if len(code) != 6 or not code.isdigit():
            raise ValidationError(_("The verification code is 6 digits."), code="invalid_format")
        return code


class ResetPasswordForm(PasswordPairMixin):
    provider = forms.TypedChoiceField(label=_("Provider"), coerce=int, choices=())

    def __init__(self, *args: Any, providers: list[Provider], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p.pk, p.name) for p in providers]  # type: ignore[attr-defined]
        if len(providers) == 1:
            self.fields["provider"].initial = providers[0].pk
            self.fields["provider"].widget = forms.HiddenInput()
        self.order_fields(["provider", "password", "password_confirm"])
