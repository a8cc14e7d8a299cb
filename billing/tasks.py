"""Billing's periodic jobs (``CELERY_BEAT_SCHEDULE``). Each is safe to run twice and at any time.

Delivering reminders needs the provider's staff (tenant schema) and the SMS gateway (a tenant
app), which billing may not import, so delivery is plugged in by ``settings.BILLING_REMINDER_DELIVERY``
(a dotted path called with ``reminder_id=``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from billing import services
from billing.models import BillingReminder

logger = logging.getLogger(__name__)

# Reminders that could not be delivered are retried by later runs for this long.
RETRY_FOR = timedelta(days=2)


@shared_task(name="billing.advance_accounts", ignore_result=True)
def advance_accounts() -> dict[str, int]:
    return services.accounts_advance()


@shared_task(name="billing.check_ledger", ignore_result=True)
def check_ledger() -> int:
    """Balance == sum(ledger) for every account; mismatches are logged as errors."""
    return len(services.ledger_check())


@shared_task(name="billing.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Record the reminders due now (each once), then deliver every undelivered recent one."""
    services.reminders_claim()
    deliver = import_string(settings.BILLING_REMINDER_DELIVERY)
    pending = BillingReminder.objects.filter(
        delivered_at__isnull=True, created_at__gte=timezone.now() - RETRY_FOR
    ).values_list("pk", flat=True)
    sent = 0
    for reminder_id in list(pending):
        try:
            deliver(reminder_id=reminder_id)
            sent += 1
        except Exception:
            logger.exception("billing reminder %s not delivered; retried at the next run", reminder_id)
    return sent
