from __future__ import annotations

from typing import Any

from integrations.sms.codes import code_send
from integrations.sms.gateway import DevBackend
from saas_platform.models import SmsMessage


def test_every_code_is_recorded_in_the_sms_log_unmasked_for_the_dev_backend(db: Any) -> None:
    DevBackend.outbox.clear()
    code_send(phone="13812345678", purpose="signup", scope="t_tenant_a", ip="10.0.0.1")
    row = SmsMessage.objects.get()
    assert row.phone == "+8613812345678"
    assert row.scope == "t_tenant_a"
    assert row.status == "sent"
    assert row.backend == "dev"
    assert DevBackend.outbox[-1].params["code"] in row.text
