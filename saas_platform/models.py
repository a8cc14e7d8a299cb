"""Public-schema records of the platform itself (not of any one provider)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SmsMessage(models.Model):
    """One text message we tried to send, from the public site or any provider (``scope``).

    With the development backend this is the inbox developers read codes from; real vendors' rows
    have codes masked (``integrations.sms``)."""

    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    template = models.CharField(_("template"), max_length=40)
    text = models.TextField(_("text"))
    scope = models.CharField(_("sent for"), max_length=63, db_index=True, help_text=_("public or a schema"))
    backend = models.CharField(_("backend"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)
    vendor_id = models.CharField(_("vendor message id"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("SMS log")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.phone} {self.template} {self.status}"
