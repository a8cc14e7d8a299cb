from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation

from integrations.sms import codes
from integrations.sms.codes import CodeRefused, code_send, code_verify
from integrations.sms.gateway import DevBackend

PHONE = "13812345678"
E164 = "+8613812345678"


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    DevBackend.outbox.clear()


def last_code(phone: str = E164) -> str:
    message = [m for m in DevBackend.outbox if m.phone == phone][-1]
    return message.params["code"]


def refused(reason: str, func: Any, **kwargs: Any) -> CodeRefused:
    with pytest.raises(CodeRefused) as info:
        func(**kwargs)
    assert info.value.reason == reason, info.value.messages
    return info.value


def send(
    phone: str = PHONE, purpose: str = "signup", scope: str = "public", ip: str | None = "10.0.0.1"
) -> None:
    code_send(phone=phone, purpose=purpose, scope=scope, ip=ip)


def verify(code: str, phone: str = PHONE, purpose: str = "signup", scope: str = "public") -> None:
    code_verify(phone=phone, purpose=purpose, scope=scope, code=code)


def test_a_sent_code_is_six_digits_and_accepted_once(db: Any) -> None:
    send()
    code = last_code()
    assert re.fullmatch(r"\d{6}", code)
    verify(code)
    refused("used", verify, code=code)


def test_a_code_is_bound_to_its_purpose_and_scope(db: Any) -> None:
    send(purpose="signup", scope="t_a")
    code = last_code()
    refused("expired", verify, code=code, purpose="reset", scope="t_a")
    refused("expired", verify, code=code, purpose="signup", scope="t_b")
    verify(code, purpose="signup", scope="t_a")


def test_an_expired_code_is_refused(db: Any, monkeypatch: Any) -> None:
    send()
    code = last_code()
    real_now = codes._now()
    monkeypatch.setattr(codes, "_now", lambda: real_now + 301)
    error = refused("expired", verify, code=code)
    assert "过期" in error.messages[0]


def test_five_wrong_tries_lock_the_code_even_for_the_right_one(db: Any) -> None:
    send()
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        error = refused("wrong", verify, code=wrong)
        assert str(left) in error.messages[0]
    refused("locked", verify, code=wrong)
    refused("locked", verify, code=code)


def test_a_new_code_replaces_a_locked_one(db: Any) -> None:
    send()
    for _ in range(5):
        with pytest.raises(CodeRefused):
            verify("999999" if last_code() != "999999" else "888888")
    codes.cache.delete(codes._key("cooldown", "public", E164))  # the minute has passed
    send()
    verify(last_code())


def test_a_malformed_code_does_not_count_as_a_try(db: Any) -> None:
    send()
    for _ in range(10):
        refused("invalid_format", verify, code="12ab")
    verify(last_code())


def test_resending_within_a_minute_is_refused_with_the_wait(db: Any) -> None:
    send()
    error = refused("too_soon", send)
    assert "秒" in error.messages[0]
    with translation.override("en"):
        error = refused("too_soon", send)
    assert "seconds" in error.messages[0]


def test_a_phone_gets_at_most_the_daily_cap(db: Any) -> None:
    with override_settings(SMS_DAILY_LIMIT_PER_PHONE=3):
        for index in range(3):
            send(ip=f"10.0.0.{index}")
            codes.cache.delete(codes._key("cooldown", "public", E164))
        error = refused("daily_limit_phone", send, ip="10.9.9.9")
    assert "明天" in error.messages[0]


def test_one_ip_gets_at_most_the_daily_cap(db: Any) -> None:
    with override_settings(SMS_DAILY_LIMIT_PER_IP=2):
        send(phone="13800000101")
        send(phone="13800000102")
        with translation.override("en"):
            error = refused("daily_limit_ip", send, phone="13800000103")
        assert "network" in error.messages[0]
        send(phone="13800000103", ip="10.1.1.1")


def test_a_bad_phone_is_refused_before_anything_is_sent(db: Any) -> None:
    refused("invalid_phone", send, phone="12345")
    refused("invalid_phone", verify, code="123456", phone="abc")
    assert DevBackend.outbox == []


def test_the_refusal_is_a_validation_error_with_both_languages(db: Any) -> None:
    from django.core.exceptions import ValidationError

    with translation.override("en"):
        error = refused("expired", verify, code="123456")
    assert isinstance(error, ValidationError)
    assert "expired" in error.messages[0]
