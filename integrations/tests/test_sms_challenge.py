"""Near a daily SMS cap the public site asks the browser for a small proof of work before texting;
far from any cap nobody sees it, and a solution works once, for the phone it was issued for."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from integrations.sms.challenge import challenge_issue, challenge_passed, challenge_solve
from integrations.sms.gateway import DevBackend
from tests.actors import public_host

PHONE = "13512340000"
E164 = "+8613512340000"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    DevBackend.outbox.clear()


def _send(client: Client, **extra: str) -> Any:
    from integrations.sms import codes

    codes.cache.delete(codes._key("cooldown", "public", E164))  # a minute has passed
    return client.post("/sms/send-code/", {"purpose": "signup", "phone": PHONE, **extra})


@override_settings(SMS_CHALLENGE_FROM=0.5, SMS_CHALLENGE_BITS=8, SMS_DAILY_LIMIT_PER_PHONE=4)
def test_near_the_cap_a_code_is_sent_only_after_the_proof_of_work(actors: Any) -> None:
    client = Client(HTTP_HOST=public_host(), HTTP_ACCEPT_LANGUAGE="en")
    assert _send(client).status_code == 200  # 1 of 4: nobody is asked
    assert _send(client).status_code == 200  # 2 of 4
    asked = _send(client)
    assert asked.status_code == 429 and asked.json()["reason"] == "challenge"
    assert len(DevBackend.outbox) == 2
    token, bits = asked.json()["challenge"], asked.json()["bits"]
    nonce = challenge_solve(token, bits=bits)
    assert _send(client, challenge=token, nonce=nonce).status_code == 200
    assert len(DevBackend.outbox) == 3
    replay = _send(client, challenge=token, nonce=nonce)
    assert replay.json()["reason"] == "challenge"


@override_settings(SMS_CHALLENGE_BITS=8)
def test_a_solution_is_bound_to_its_phone_and_good_once(db: Any) -> None:
    token = challenge_issue(phone=E164)
    nonce = challenge_solve(token, bits=8)
    assert not challenge_passed(token=token, nonce=nonce, phone="+8613500000000")
    assert challenge_passed(token=token, nonce=nonce, phone=E164)
    assert not challenge_passed(token=token, nonce=nonce, phone=E164)
