"""What binding a WeChat app in the console has in common, for the official account
(``wechat_views``) and the mini-program (``miniprogram_views``): the AppID + AppSecret form (the
secret never shown again, empty keeps the saved one) and one template id per notification slot.
Their POST round trip is ``portals.form_post.saved_or_shown``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from integrations.notifications.content import SLOTS


def secret_field(label: Any, *, max_length: int, help_text: Any) -> forms.CharField:
    """A secret typed in once: optional (empty keeps the saved one), never rendered back."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=help_text,
    )


class AppCredentialsForm(forms.Form):
    appid = forms.CharField(label=gettext_lazy("AppID"), max_length=32)
    secret = secret_field(
        gettext_lazy("AppSecret"),
        max_length=64,
        help_text=gettext_lazy("Leave empty to keep the one already saved."),
    )


class TemplateSlotsForm(forms.Form):
    """One message template id per notification slot (``template_<slot>``, with the slot's keywords
    as help)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for slot in SLOTS.values():
            keys = ", ".join(f"{key} ({label})" for key, label in slot.fields)
            self.fields[f"template_{slot.key}"] = forms.CharField(
                label=slot.label, max_length=64, required=False, help_text=keys
            )


def template_initial(template_ids: Mapping[str, str] | None) -> dict[str, str]:
    """The saved template ids as the form's initial values."""
    return {f"template_{slot}": (template_ids or {}).get(slot, "") for slot in SLOTS}


def template_choice(cleaned_data: Mapping[str, Any]) -> dict[str, str]:
    """The template ids the form was given, by slot."""
    return {slot: cleaned_data.get(f"template_{slot}", "") for slot in SLOTS}
