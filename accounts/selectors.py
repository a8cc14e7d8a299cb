"""Reads for people."""

from __future__ import annotations

from typing import Any

from accounts.models import StaffMember


def staff_for_user(*, user: Any) -> StaffMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return StaffMember.objects.filter(user_id=user.pk, is_active=True).first()
