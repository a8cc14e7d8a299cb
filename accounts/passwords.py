"""What every "new password" field tells the person typing (the policy is ``AUTH_PASSWORD_VALIDATORS``
in ``saas_platform/settings/security.py``; Django's ``validate_password`` enforces it)."""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import ngettext


def _new_password_help() -> str:
    """The help under every "new password" field, from the configured minimum length."""
    length = int(getattr(settings, "PASSWORD_MIN_LENGTH", 8))
    return ngettext(
        "At least %(min_length)d character; not a common password and not like your phone number.",
        "At least %(min_length)d characters; not a common password and not like your phone number.",
        length,
    ) % {"min_length": length}


new_password_help = lazy(_new_password_help, str)


def new_password_attrs() -> dict[str, str]:
    """Browser hints for a new-password input (the server validates regardless)."""
    return {"autocomplete": "new-password", "minlength": str(getattr(settings, "PASSWORD_MIN_LENGTH", 8))}
