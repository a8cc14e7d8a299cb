"""End a person's API sessions the moment their Django user is deactivated (a staff member
deactivated, rejected or un-invited; a customer's user switched off). The bearer authentication
refuses inactive people anyway; this also marks the sessions revoked, so the device lists say so."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_save


def _user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.is_active or kwargs.get("raw") or getattr(connection, "schema_name", "public") == "public":
        return  # operators' users live in the public schema, which has no API sessions
    from integrations.miniprogram.api_tokens import api_sessions_revoke_for_user_ids

    api_sessions_revoke_for_user_ids(user_ids=[instance.pk], reason="deactivated")


def connect() -> None:
    post_save.connect(_user_saved, sender=get_user_model(), dispatch_uid="miniprogram-revoke-on-deactivate")
