"""Tell a provider's admins when the platform operator decides on its subdomain request.

The operator decides in the public schema (``tenants.domain_requests``), which announces the
decision after commit (``domain_request_decided``); this tenant-side module enters the provider's
schema, finds its active admins and texts them (and e-mails those with an address), in the
platform's language, with the new address or the operator's reason.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from integrations.sms.gateway import SmsSendError, sms_send
from integrations.sms.templates import TEMPLATES, SmsTemplate
from tenants.domain_requests import domain_request_decided
from tenants.domains import portal_url
from tenants.models import DomainRequest, DomainRequestStatus
from tenants.services import in_tenant

logger = logging.getLogger(__name__)

DOMAIN_APPROVED = SmsTemplate(
    name="domain_approved",
    text="{provider}：您申请的门户地址 {host} 已通过审核并已启用：{link}",
    params=("provider", "host", "link"),
)
DOMAIN_REJECTED = SmsTemplate(
    name="domain_rejected",
    text="{provider}：您申请的门户地址 {host} 未通过审核，原因：{reason}",
    params=("provider", "host", "reason"),
)


def register() -> None:
    for template in (DOMAIN_APPROVED, DOMAIN_REJECTED):
        TEMPLATES.setdefault(template.name, template)


def _text(request: DomainRequest, params: dict[str, str]) -> tuple[str, str]:
    if request.status == DomainRequestStatus.APPROVED:
        return (
            _("Your portal address %(host)s was approved") % params,
            _("The platform approved your portal address %(host)s; it is live now: %(link)s") % params,
        )
    return (
        _("Your portal address %(host)s was not approved") % params,
        _("The platform did not approve the portal address %(host)s. Reason: %(reason)s") % params,
    )


def domain_decision_notify(*, request_id: int) -> int:
    """Text and e-mail the provider's active admins; returns how many messages went out."""
    request = DomainRequest.objects.select_related("provider").filter(pk=request_id).first()
    if request is None or request.status not in (DomainRequestStatus.APPROVED, DomainRequestStatus.REJECTED):
        return 0
    provider = request.provider
    params = {
        "provider": provider.name,
        "host": request.hostname,
        "link": portal_url(request.hostname, "/console/"),
        "reason": request.reason or "-",
    }
    approved = request.status == DomainRequestStatus.APPROVED
    template = DOMAIN_APPROVED.name if approved else DOMAIN_REJECTED.name
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), in_tenant(provider):
        subject, body = _text(request, params)
        admins = list(StaffMember.objects.filter(role=StaffRole.ADMIN, is_active=True).select_related("user"))
        for admin in admins:
            try:
                sms_send(phone=admin.phone, template=template, params=params, scope=provider.schema_name)
                sent += 1
            except SmsSendError as exc:
                logger.warning("domain decision SMS to %s failed: %s", admin.phone, exc)
            email = getattr(admin.user, "email", "")
            if email:
                sent += send_mail(
                    subject=subject, message=body, from_email=None, recipient_list=[email], fail_silently=True
                )
    return sent


def _on_decided(sender: Any, request_id: int, **kwargs: Any) -> None:
    try:
        domain_decision_notify(request_id=request_id)
    except Exception:  # the decision stands; a failed notice must not break the operator's page
        logger.exception("could not tell the provider about domain request %s", request_id)


def connect() -> None:
    register()
    domain_request_decided.connect(_on_decided, dispatch_uid="integrations.domain_notices")
