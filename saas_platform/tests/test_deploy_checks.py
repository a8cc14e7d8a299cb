"""``check --deploy`` refuses a production configuration that would behave like development."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from saas_platform.checks import production_configuration

GOOD: dict[str, Any] = {
    "SMS_BACKEND": "tencent",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "S3_BUCKET": "media",
    "FIELD_ENCRYPTION_KEYS": ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="],
}


def _ids(**overrides: object) -> list[str]:
    with override_settings(**{**GOOD, **overrides}):
        return [message.id or "" for message in production_configuration()]


def test_a_complete_production_configuration_passes() -> None:
    assert _ids() == []


def test_each_missing_production_setting_fails_and_names_its_variable() -> None:
    cases: dict[str, tuple[dict[str, Any], str]] = {
        "SMS_BACKEND": ({"SMS_BACKEND": "dev"}, "baoxiu.E001"),
        "REDIS_URL": ({"REDIS_URL": None}, "baoxiu.E002"),
        "S3_BUCKET": ({"S3_BUCKET": None}, "baoxiu.E003"),
        "FIELD_ENCRYPTION_KEY": ({"FIELD_ENCRYPTION_KEYS": []}, "baoxiu.E004"),
    }
    for variable, (overrides, check_id) in cases.items():
        with override_settings(**{**GOOD, **overrides}):
            messages = production_configuration()
        assert [m.id for m in messages] == [check_id]
        assert variable in messages[0].msg
