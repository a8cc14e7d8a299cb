"""One-time links for staff: the set-password link of an invitation.

Built on Django's password-reset tokens: the hash covers the user's password hash, so the link dies
the moment a password is set (or the invitation is re-sent, which rotates the unusable password).
It also covers the tenant schema and the staff status, so a link minted in one provider's schema
is worthless in another's, and a cancelled invitation's link stops working. Valid for
``PASSWORD_RESET_TIMEOUT`` (3 days by default).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import StaffMember, StaffStatus


class StaffInviteTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.StaffInviteTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        staff = StaffMember.objects.filter(user_id=user.pk).values_list("status", flat=True).first()
        schema = getattr(connection, "schema_name", "")
        return f"{schema}|{user.pk}|{user.password}|{staff}|{timestamp}"


invite_tokens = StaffInviteTokenGenerator()


def staff_invite_token(*, staff: StaffMember) -> tuple[str, str]:
    """(uidb64, token) for the set-password link of an invited staff member."""
    uidb64 = urlsafe_base64_encode(force_bytes(staff.pk))
    return uidb64, invite_tokens.make_token(staff.user)


def staff_for_invite_token(*, uidb64: str, token: str) -> StaffMember | None:
    """The invited staff member the link belongs to, or None for any bad, used or expired link."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    staff = StaffMember.objects.select_related("user").filter(pk=pk, status=StaffStatus.INVITED).first()
    if staff is None or not invite_tokens.check_token(staff.user, token):
        return None
    return staff
