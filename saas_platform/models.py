"""Public-schema records of the platform itself (not of any one provider)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SmsStatus(models.TextChoices):
    # "SMS" context: the bare "Failed" (发送失败) also labelled failed asset imports.
    SENT = "sent", pgettext_lazy("sms", "Sent")
    FAILED = "failed", pgettext_lazy("sms", "Failed")


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


class WeChatComponentTicket(models.Model):
    """The latest ``component_verify_ticket`` WeChat pushed to our third-party platform (every 10
    minutes, valid 12 hours): needed to fetch the component access token."""

    component_appid = models.CharField(max_length=32, unique=True)
    ticket = models.CharField(max_length=255)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat component ticket")

    def __str__(self) -> str:
        return self.component_appid


class WeChatAuthorizer(models.Model):
    """Which provider an authorized official account belongs to, so the platform's shared
    message endpoint (``/wechat/component/<appid>/callback/``) reaches the right schema."""

    authorizer_appid = models.CharField(max_length=32, unique=True)
    provider = models.ForeignKey("tenants.Provider", on_delete=models.CASCADE, related_name="+")
    authorized_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("WeChat authorizer")

    def __str__(self) -> str:
        return self.authorizer_appid
