"""Deliver billing reminders to a provider's admins by SMS and email
(``settings.BILLING_REMINDER_DELIVERY``).

Billing (public schema) decides which reminder is due and records it once; this module, a tenant
app, reads the reminder, enters the provider's schema to find its active admins, and sends. A
reminder is marked delivered when at least one message went out; otherwise the next run retries.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from billing.models import BillingReminder, ReminderKind
from billing.services import reminder_mark_delivered
from integrations.sms.gateway import SmsSendError, sms_send
from tenants.domains import portal_url
from tenants.services import in_tenant

logger = logging.getLogger(__name__)

SMS_TEMPLATE = {
    ReminderKind.THREE_DAYS: "billing_ending",
    ReminderKind.ONE_DAY: "billing_ending",
    ReminderKind.ENDED: "billing_ended",
    ReminderKind.EXPIRED: "billing_expired",
}


def reminder_text(reminder: BillingReminder, params: dict[str, str]) -> str:
    if reminder.kind == ReminderKind.THREE_DAYS:
        return (
            _("Your Baoxiu service ends in 3 days (%(ends)s). Renew in the console under My account.")
            % params
        )
    if reminder.kind == ReminderKind.ONE_DAY:
        return (
            _("Your Baoxiu service ends tomorrow (%(ends)s). Renew in the console under My account.") % params
        )
    if reminder.kind == ReminderKind.ENDED:
        return (
            _(
                "Your Baoxiu service ended on %(ends)s. Everything keeps working until %(grace)s; "
                "renew before then."
            )
            % params
        )
    return _(
        "Your Baoxiu service has expired: the console is read-only and customers cannot file new reports "
        "until you renew. No data has been deleted."
    )


def deliver(*, reminder_id: int) -> str:
    """Send one reminder to every active admin of its provider. Safe to call twice."""
    reminder = BillingReminder.objects.select_related("account__provider").get(pk=reminder_id)
    if reminder.delivered_at is not None:
        return reminder.delivery
    provider = reminder.account.provider
    params = {
        "provider": provider.name,
        "ends": timezone.localtime(reminder.period_ends_at).strftime("%Y-%m-%d %H:%M"),
        "grace": timezone.localtime(reminder.account.grace_ends_at).strftime("%Y-%m-%d"),
    }
    template = SMS_TEMPLATE[ReminderKind(reminder.kind)]
    link = portal_url(provider.primary_host, "/console/account/") if provider.primary_host else ""
    sms_sent = emails_sent = 0
    with translation.override(settings.LANGUAGE_CODE), in_tenant(provider):
        text = reminder_text(reminder, params)
        admins = list(StaffMember.objects.filter(role=StaffRole.ADMIN, is_active=True).select_related("user"))
        for admin in admins:
            try:
                sms_send(phone=admin.phone, template=template, params=params, scope=provider.schema_name)
                sms_sent += 1
            except SmsSendError as exc:
                logger.warning("billing reminder SMS to %s failed: %s", admin.phone, exc)
            email = getattr(admin.user, "email", "")
            if email:
                emails_sent += send_mail(
                    subject=_("Baoxiu: your service for %(provider)s") % params,
                    message=f"{text}\n\n{link}".strip(),
                    from_email=None,
                    recipient_list=[email],
                    fail_silently=True,
                )
    if not (sms_sent or emails_sent):
        raise RuntimeError(f"no admin of {provider.schema_name} could be reached")
    delivery = f"sms:{sms_sent} email:{emails_sent}"
    reminder_mark_delivered(reminder_id=reminder.pk, delivery=delivery)
    return delivery
