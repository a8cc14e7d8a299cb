"""Chinese labels for what the operator console shows from django-axes, which ships no zh_Hans
catalog: its app name, model names and field labels. Each msgid below is axes' own English text,
listed here so ``makemessages`` keeps it in this app's catalog (Django merges every app's catalog,
so axes' ``gettext`` calls find these translations)."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy as _

AXES_LABELS = (
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Access lock out"),
    _("GET Data"),
    _("POST Data"),
    _("Failed Logins"),
    _("Access Attempt"),
    _("Expires At"),
    _("The time when access attempt expires and is no longer valid."),
    _("Logout Time"),
    _("Session key hash (sha256)"),
    _("Meta Data"),
    _("Form Data"),
    _("Locked Out"),
    _("Clean up expired attempts"),
    _("Not set"),
    _("Attempt Remaining"),
)


def label_third_party_apps() -> None:
    """Give axes a translatable app name in the console's sidebar (its AppConfig has none)."""
    if apps.is_installed("axes"):
        apps.get_app_config("axes").verbose_name = _("Sign-in protection")
