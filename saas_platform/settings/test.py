"""Test settings: real PostgreSQL (``DATABASE_URL`` or the embedded server), eager tasks, fast
password hashing, a test base domain so tenant hosts look like ``a.baoxiu.test``."""

from __future__ import annotations

import os

os.environ.setdefault("BASE_DOMAIN", "baoxiu.test")

from saas_platform.settings.base import *  # noqa: E402,F403
from saas_platform.settings.env import env_str  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
TENANT_SPARE_POOL_SIZE = 0
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "baoxiu-test"}}
STORAGES = {
    "default": {"BACKEND": "tenants.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# Several checkouts (or helpers) may test against one server at once: each picks its own name.
DATABASES["default"]["TEST"] = {"NAME": env_str("BAOXIU_TEST_DB", "test_baoxiu")}  # noqa: F405
LANGUAGE_CODE = "zh-hans"
# Tests of the SMS limits meet the limits; tests of the proof-of-work challenge switch it on.
SMS_CHALLENGE_FROM = 2.0
