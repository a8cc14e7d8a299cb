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


def test_production_settings_start_without_pgserver_installed_when_a_database_url_is_given() -> None:
    """The runtime image has no embedded PostgreSQL (pgserver is the ``embedded`` extra)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "import sys; sys.modules['pgserver'] = None\n"  # importing it now fails, as in the image
        "import django; django.setup()\n"
        "from django.conf import settings; print(settings.DATABASES['default']['HOST'])\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saas_platform.settings.production",
        "SECRET_KEY": "k" * 60,
        "BASE_DOMAIN": "baoxiu.example",
        "DATABASE_URL": "postgres://app@db.internal:5432/baoxiu",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("db.internal")
