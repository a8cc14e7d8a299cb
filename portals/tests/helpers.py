"""Helpers for portal and console tests: read what the development SMS backend "sent"."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from django_tenants.utils import schema_context

from accounts.validators import normalize_phone
from integrations.sms.gateway import DevBackend, OutgoingSms
from tests.actors import host_of


def texts_to(phone: str, template: str | None = None) -> list[OutgoingSms]:
    e164 = normalize_phone(phone)
    return [
        m for m in DevBackend.outbox if m.phone == e164 and (template is None or m.template.name == template)
    ]


def last_code(phone: str) -> str:
    return texts_to(phone, "verify_code")[-1].params["code"]


def link_path(message: OutgoingSms) -> str:
    """The path of the link in a text (the test client talks to the tenant's host directly)."""
    return urlsplit(message.params["link"]).path


def send_then_submit(client: Client, url: str, data: dict[str, Any], **extra: Any) -> Any:
    """Press "send code", read the code from the SMS inbox, then submit the form with it."""
    sent = client.post(url, {**data, "action": "send"}, **extra)
    assert sent.status_code == 200, sent.status_code
    return client.post(url, {**data, "code": last_code(data["phone"]), "action": "submit"}, **extra)


def anonymous(provider: Any) -> Client:
    return Client(HTTP_HOST=host_of(provider))


def in_schema(provider: Any) -> Any:
    return schema_context(provider.schema_name)


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())
