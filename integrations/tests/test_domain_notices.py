"""The provider hears the operator's decision on its subdomain request: its admins get a text
(and an e-mail when they have an address) with the new address or the operator's reason."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from integrations.tests.wechat_fixtures import *  # noqa: F403
from tenants.domain_requests import domain_request_approve, domain_request_reject, subdomain_request_create


def _operator() -> Any:
    return get_user_model().objects.create_superuser("operator-notices", password="x-operator-notices")


def test_the_providers_admins_are_told_when_the_subdomain_is_approved(
    actors: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-notice")
    with django_capture_on_commit_callbacks(execute=True):
        domain_request_approve(request_id=request.pk, operator=_operator())
    texts = [m for m in sms_outbox if m.phone == str(actors.owner_a.phone)]
    assert len(texts) == 1
    assert "jia-notice.baoxiu.test" in texts[0].text() and "已通过审核" in texts[0].text()


def test_the_providers_admins_are_told_the_reason_when_the_subdomain_is_rejected(
    actors: Any, sms_outbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    request = subdomain_request_create(provider=actors.tenant_a, subdomain="jia-refused")
    with django_capture_on_commit_callbacks(execute=True):
        domain_request_reject(request_id=request.pk, operator=_operator(), reason="与已有品牌名称冲突")
    texts = [m for m in sms_outbox if m.phone == str(actors.owner_a.phone)]
    assert len(texts) == 1
    assert "未通过审核" in texts[0].text() and "与已有品牌名称冲突" in texts[0].text()
