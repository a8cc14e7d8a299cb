"""The profile a person edits from the mini-program's home (``PATCH /api/v1/me/``)."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Customer, StaffMember
from integrations.miniprogram.models import MiniProgramUser


@transaction.atomic
def profile_update(
    *,
    customer: Customer | None,
    staff: StaffMember | None,
    mini_user: MiniProgramUser | None,
    name: str | None = None,
    nickname: str | None = None,
    avatar_url: str | None = None,
) -> None:
    """Name goes to the customer or staff record; nickname and avatar to the WeChat user."""
    if name is not None and customer is not None:
        customer.name = name.strip()
        customer.save(update_fields=["name"])
    if name is not None and staff is not None:
        staff.display_name = name.strip()
        staff.save(update_fields=["display_name"])
    if mini_user is None:
        return
    changed = []
    if nickname is not None:
        mini_user.nickname = nickname.strip()
        changed.append("nickname")
    if avatar_url is not None:
        mini_user.avatar_url = avatar_url.strip()
        changed.append("avatar_url")
    if changed:
        mini_user.save(update_fields=changed)
