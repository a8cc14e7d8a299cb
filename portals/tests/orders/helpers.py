"""Clients and small readers for the order screens' tests."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from accounts.models import Customer, StaffMember
from tests.actors import host_of


def signed_in(provider: Any, person: Customer | StaffMember | None, *, api: bool = False, **extra: Any) -> Any:
    """A client on ``provider``'s host signed in as ``person`` (a customer or a staff member of
    that provider); anonymous when ``person`` is None. ``api``: a DRF APIClient."""
    client: Any = (APIClient if api else Client)(HTTP_HOST=host_of(provider), **extra)
    if person is not None:
        with schema_context(provider.schema_name):
            client.force_login(get_user_model().objects.get(pk=person.user_id))
    return client


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return re.sub(r"\s+", " ", body.decode())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
