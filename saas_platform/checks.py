"""Deployment checks: ``manage.py check --deploy`` fails when a production configuration would
silently behave like a development one. Each error names the environment variable to set.

* ``baoxiu.E001`` ``SMS_BACKEND`` is ``dev``: codes only printed to the log, notices marked sent.
* ``baoxiu.E002`` no ``REDIS_URL``: tasks run eagerly inside requests and no periodic job runs
  under gunicorn (the in-process scheduler is started by ``manage.py serve`` only).
* ``baoxiu.E003`` no ``S3_BUCKET``: files land on one replica's disk and are 404 on the others.
* ``baoxiu.E004`` no ``FIELD_ENCRYPTION_KEY``: secrets at rest (WeChat, asset systems) cannot be
  encrypted with a key kept outside the database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def production_configuration(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    if str(getattr(settings, "SMS_BACKEND", "dev")) == "dev":
        errors.append(
            Error(
                "SMS_BACKEND is 'dev': verification codes are only printed to the log.",
                hint="Set SMS_BACKEND=tencent and the TENCENT_SMS_* variables.",
                id="baoxiu.E001",
            )
        )
    if not getattr(settings, "REDIS_URL", None):
        errors.append(
            Error(
                "REDIS_URL is not set: tasks run inside web requests and no periodic job runs.",
                hint="Set REDIS_URL=redis://host:6379/0 and run a Celery worker and beat.",
                id="baoxiu.E002",
            )
        )
    if not getattr(settings, "S3_BUCKET", None):
        errors.append(
            Error(
                "S3_BUCKET is not set: uploaded files stay on one replica's local disk.",
                hint="Set S3_BUCKET (with S3_ENDPOINT_URL or S3_REGION and the S3_* credentials).",
                id="baoxiu.E003",
            )
        )
    if not getattr(settings, "FIELD_ENCRYPTION_KEYS", None):
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEY is not set: stored secrets cannot be encrypted at rest.",
                hint="Set FIELD_ENCRYPTION_KEY to a Fernet key (cryptography's Fernet.generate_key()).",
                id="baoxiu.E004",
            )
        )
    return errors
