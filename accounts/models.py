"""Staff of one provider. A staff member is a Django user (username = phone) plus a role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DISPATCHER = "dispatcher", _("Dispatcher")
    SUPERVISOR = "supervisor", _("Supervisor")
    ENGINEER = "engineer", _("Engineer")


class StaffMember(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=StaffRole.choices)
    is_owner = models.BooleanField(_("owner"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.display_name or self.phone
