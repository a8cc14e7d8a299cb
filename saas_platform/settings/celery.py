"""Celery: Redis broker when ``REDIS_URL`` is set; otherwise tasks run in-process (eager) and the
periodic schedule below is driven by ``saas_platform.scheduler`` on a thread of the web process."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from saas_platform.settings.env import env_bool, env_optional, env_str

_redis = env_optional("REDIS_URL")
CELERY_BROKER_URL = env_optional("CELERY_BROKER_URL") or _redis or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not _redis)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "baoxiu"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never waits on a broker that is down: one short connect, no retries (a retry costs
# seconds inside a request). The outbox rows are the truth and the sweeper relays what was not sent.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 3, "max_retries": 0}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "Asia/Shanghai"
# Beat keeps its last-run times in a file; the image's /app is read-only, so it lives under var/
# (or wherever the deploy points it: a writable volume).
_var_dir = Path(env_str("BAOXIU_VAR_DIR", str(Path(__file__).resolve().parents[2] / "var")))
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(_var_dir / "celerybeat-schedule")
)

# One schedule for both drivers (celery beat, or the in-process scheduler without Redis).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "beat-heartbeat": {"task": "saas_platform.beat_heartbeat", "schedule": timedelta(minutes=1)},
    "metrics-snapshot": {"task": "saas_platform.collect_snapshot", "schedule": timedelta(minutes=1)},
    "refill-spare-schemas": {"task": "tenants.refill_spare_schemas", "schedule": timedelta(minutes=5)},
    "billing-advance-accounts": {"task": "billing.advance_accounts", "schedule": timedelta(minutes=10)},
    "billing-send-reminders": {"task": "billing.send_reminders", "schedule": timedelta(minutes=30)},
    "billing-check-ledger": {"task": "billing.check_ledger", "schedule": timedelta(hours=6)},
    # Jobs inside every tenant's schema: one task per tenant (saas_platform.tasks.fan_out).
    **{
        name: {
            "task": "saas_platform.fan_out",
            "schedule": every,
            "kwargs": {"task": task, "only_active": only_active},
        }
        for name, task, every, only_active in (
            ("notifications-sweep", "integrations.sweep_notifications", timedelta(minutes=1), False),
            ("orders-flag-overdue", "repair_forms.flag_overdue_orders", timedelta(minutes=5), True),
            ("orders-auto-confirm", "repair_forms.auto_confirm_orders", timedelta(hours=1), True),
            ("asset-sync-push-due", "asset_systems.push_due", timedelta(minutes=1), True),
            ("asset-sync-pull", "asset_systems.pull_all", timedelta(minutes=5), True),
            ("idempotency-purge", "portals.purge_idempotency_records", timedelta(hours=1), False),
            ("draft-photos-purge", "portals.purge_draft_photos", timedelta(hours=1), False),
        )
    },
}
# Task modules outside an app's ``tasks.py`` (autodiscovery finds only those).
CELERY_IMPORTS = ["integrations.tasks_orders"]
