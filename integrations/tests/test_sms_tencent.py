"""The real Tencent adapter against the loopback fake of ``SendSms``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from integrations.sms.codes import CodeRefused, code_send, code_verify
from integrations.sms.gateway import SmsSendError, sms_send
from integrations.tests.fake_tencent_sms import FakeTencentSms, start

LOGGED: list[dict[str, Any]] = []


def capture(**row: Any) -> None:
    LOGGED.append(row)


@pytest.fixture
def fake() -> Iterator[FakeTencentSms]:
    LOGGED.clear()
    fake = FakeTencentSms()
    server = start(fake)
    with override_settings(
        SMS_BACKEND="tencent",
        SMS_LOG_SINK="integrations.tests.test_sms_tencent.capture",
        TENCENT_SMS_ENDPOINT=fake.url,
        TENCENT_SMS_SECRET_ID=fake.secret_id,
        TENCENT_SMS_SECRET_KEY=fake.secret_key,
        TENCENT_SMS_SDK_APP_ID=fake.sdk_app_id,
        TENCENT_SMS_SIGN_NAME="报修平台",
        TENCENT_SMS_TEMPLATES={"verify_code": "1110"},
    ):
        yield fake
    server.shutdown()
    server.server_close()


def send_code(phone: str = "13812345678") -> None:
    code_send(phone=phone, purpose="signup", scope="public", ip="10.0.0.1")


def test_a_code_goes_out_through_tencent_and_can_be_verified(fake: FakeTencentSms) -> None:
    send_code()
    [delivered] = fake.delivered
    assert delivered["phone"] == "+8613812345678"
    assert delivered["template"] == "1110"
    code, minutes = delivered["params"]
    assert minutes == "5"
    code_verify(phone="13812345678", purpose="signup", scope="public", code=code)


def test_the_request_carries_the_documented_headers(fake: FakeTencentSms) -> None:
    send_code()
    headers = fake.requests[0]["headers"]
    assert headers["x-tc-action"] == "SendSms"
    assert headers["x-tc-version"] == "2021-01-11"
    assert headers["x-tc-region"] == "ap-guangzhou"
    assert headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=" + fake.secret_id)


def test_the_sms_log_never_shows_a_real_code(fake: FakeTencentSms) -> None:
    send_code()
    code = fake.delivered[0]["params"][0]
    [row] = LOGGED
    assert row["status"] == "sent"
    assert row["backend"] == "tencent"
    assert code not in row["text"]
    assert "******" in row["text"]
    assert row["vendor_id"].startswith("5000:")


def test_a_wrong_secret_key_fails_the_signature_check(fake: FakeTencentSms) -> None:
    with override_settings(TENCENT_SMS_SECRET_KEY="not-the-key"), pytest.raises(CodeRefused) as info:
        send_code()
    assert info.value.reason == "send_failed"
    assert LOGGED[-1]["status"] == "failed"
    assert "AuthFailure.SignatureFailure" in LOGGED[-1]["error"]
    assert fake.delivered == []


def test_an_unknown_secret_id_is_refused(fake: FakeTencentSms) -> None:
    with override_settings(TENCENT_SMS_SECRET_ID="AKIDunknown"), pytest.raises(SmsSendError) as info:
        sms_send(
            phone="+8613812345678", template="verify_code", params={"code": "1", "minutes": "5"}, scope="x"
        )
    assert info.value.vendor_code == "AuthFailure.SecretIdNotFound"


def test_an_unapproved_sign_name_is_a_failed_operation(fake: FakeTencentSms) -> None:
    with override_settings(TENCENT_SMS_SIGN_NAME="未审核"), pytest.raises(SmsSendError) as info:
        sms_send(
            phone="+8613812345678", template="verify_code", params={"code": "1", "minutes": "5"}, scope="x"
        )
    assert info.value.vendor_code == "FailedOperation.SignatureIncorrectOrUnapproved"
    assert info.value.reason == "failed"


def test_the_vendors_daily_limit_becomes_a_daily_limit_refusal(fake: FakeTencentSms) -> None:
    fake.daily_limit_per_phone = 0
    with pytest.raises(CodeRefused) as info:
        send_code()
    assert info.value.reason == "daily_limit_phone"
    assert "LimitExceeded.PhoneNumberDailyLimit" in LOGGED[-1]["error"]


def test_a_number_the_vendor_rejects_is_an_invalid_phone(fake: FakeTencentSms) -> None:
    with pytest.raises(SmsSendError) as info:
        sms_send(
            phone="+85291234567", template="verify_code", params={"code": "1", "minutes": "5"}, scope="x"
        )
    assert info.value.vendor_code == "InvalidParameterValue.IncorrectPhoneNumber"
    assert info.value.reason == "invalid_phone"


def test_a_failed_send_can_be_retried_at_once(fake: FakeTencentSms) -> None:
    fake.fail_next = "FailedOperation"
    with pytest.raises(CodeRefused) as info:
        send_code()
    assert info.value.reason == "send_failed"
    send_code()  # no 60-second wait: nothing was sent
    assert len(fake.delivered) == 1


def test_an_unreachable_endpoint_is_a_send_failure(fake: FakeTencentSms) -> None:
    with override_settings(TENCENT_SMS_ENDPOINT="http://127.0.0.1:9"), pytest.raises(CodeRefused) as info:
        send_code()
    assert info.value.reason == "send_failed"


def test_a_template_without_a_configured_id_is_not_sent(fake: FakeTencentSms) -> None:
    with override_settings(TENCENT_SMS_TEMPLATES={}), pytest.raises(SmsSendError):
        sms_send(
            phone="+8613812345678", template="verify_code", params={"code": "1", "minutes": "5"}, scope="x"
        )
    assert fake.requests == []
