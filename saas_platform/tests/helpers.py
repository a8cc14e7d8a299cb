"""Shared steps of the public-site tests: read the dev SMS inbox, follow the hand-off."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

from saas_platform.models import SmsMessage


def last_code(phone: str) -> str:
    """The code in the newest message to ``phone`` (E.164) in the SMS log (the dev inbox)."""
    message = SmsMessage.objects.filter(phone=phone).order_by("-id").first()
    assert message is not None, f"no SMS sent to {phone}"
    match = re.search(r"\d{6}", message.text)
    assert match, message.text
    return match.group(0)


def send_code(client: Client, phone: str, purpose: str = "signup", **extra: Any) -> Any:
    return client.post("/sms/send-code/", {"phone": phone, "purpose": purpose}, **extra)


def follow_handoff(response: Any) -> tuple[Client, Any]:
    """Follow a redirect to another host's hand-off URL with a fresh browser for that host."""
    assert response.status_code == 302, getattr(response, "content", b"")[:2000]
    location = urlsplit(response["Location"])
    assert location.path.startswith("/console/handoff/"), response["Location"]
    browser = Client(HTTP_HOST=location.netloc)
    return browser, browser.get(location.path)
