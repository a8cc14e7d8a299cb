"""Portal forms: sign-in and registration by phone + SMS code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portals.forms import SmsCodeMixin


class CustomerLoginForm(SmsCodeMixin):
    pass


class CompanyJoinForm(SmsCodeMixin):
    name = forms.CharField(label=_("Your name"), max_length=60)

    field_order = ["name", "phone", "code"]
