from __future__ import annotations

import pytest

from integrations.sms.gateway import DevBackend


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> None:
    DevBackend.outbox.clear()
