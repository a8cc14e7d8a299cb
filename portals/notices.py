"""Text messages the console sends to staff (invitations, registration decisions).

Sent right after the service call has committed, from the view, so the admin is told on the spot
when the SMS gateway refused: the person's record is saved either way and the console offers to
send the invitation again. Verification codes are sent by ``integrations.sms.codes`` itself.
"""

from __future__ import annotations

import logging

from integrations.sms.gateway import SmsSendError, sms_send
from portals.web import current_schema

logger = logging.getLogger(__name__)


def text_staff(*, phone: str, template: str, params: dict[str, str]) -> bool:
    """True when the gateway accepted the message."""
    try:
        sms_send(phone=phone, template=template, params=params, scope=current_schema())
    except SmsSendError as exc:
        logger.warning("SMS %s to %s not sent: %s", template, phone, exc)
        return False
    return True
