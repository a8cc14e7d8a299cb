"""Issue 14, the operator console: every operator page in the same chrome (header, sidebar with
the billing dashboard / health / audit links, sign-out), every label in Chinese in the zh UI, and a
provider list that shows plan, billing state, trial end, paid-until, repair orders and signup date,
filtered by state and plan."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context

from billing import services as billing
from repair_forms import services as orders
from repair_forms.lifecycle import Actor
from repair_forms.tests.helpers import make_cast
from tenants.models import Provider
from tests.actors import public_host

PROVIDERS = "/operator/tenants/provider/"
CHROME_PAGES = ("/operator/billing/dashboard/", "/operator/health/", "/operator/audit/")


@pytest.fixture
def operator(actors: Any) -> Client:
    user = get_user_model().objects.create_superuser("ops-console", password="ops-password-1")
    client = Client(HTTP_HOST=public_host())
    client.force_login(user)
    return client


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(page: str, name: str) -> str:
    """The text of the list row that names ``name``."""
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", page, re.S)
    assert match is not None, name
    return _text(match.group(0))


@pytest.mark.parametrize("url", CHROME_PAGES)
def test_operator_pages_share_the_console_chrome(operator: Client, url: str) -> None:
    page = operator.get(url).content.decode()
    assert 'id="nav-sidebar"' in page
    assert "/operator/logout/" in page
    for link in CHROME_PAGES:  # each page links to the others from the sidebar
        assert f'href="{link}"' in page
    assert "/operator/tenants/provider/" in page


def test_the_console_index_lists_the_operator_pages(operator: Client) -> None:
    page = operator.get("/operator/").content.decode()
    for link in CHROME_PAGES:
        assert f'href="{link}"' in page


ENGLISH_LEFT = ("Platform", "Providers", "Spare schemas", "Schema name", "Is primary", "Kind", "Axes")


def test_console_labels_are_chinese_in_the_zh_ui(operator: Client, actors: Any) -> None:
    pages = [
        "/operator/",
        PROVIDERS,
        f"{PROVIDERS}{actors.tenant_a.pk}/change/",
        "/operator/tenants/spareschema/",
        "/operator/billing/billingorder/",
        "/operator/billing/webhookevent/",
        "/operator/axes/accessattempt/",
    ]
    for url in pages:
        text = _text(operator.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
        for english in ENGLISH_LEFT:
            assert not re.search(rf"\b{english}\b", text, flags=re.I), (url, english)
    index = _text(operator.get("/operator/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "平台" in index and "服务商" in index and "备用数据库模式" in index
    change = _text(
        operator.get(
            f"{PROVIDERS}{actors.tenant_a.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    )
    assert "主域名" in change and "数据库模式名" in change


def test_the_provider_list_shows_billing_and_usage_and_filters_by_state_and_plan(
    operator: Client, actors: Any
) -> None:
    ops = get_user_model().objects.get(username="ops-console")
    billing.account_change_plan(provider=actors.tenant_b, plan_code="premium", operator=ops, reason="试点")
    billing.account_suspend(provider=actors.tenant_b, operator=ops, reason="付款争议")
    with schema_context(actors.tenant_a.schema_name):
        cast = make_cast(actors)
        for fault in ("不能打印", "卡纸", "蓝屏"):
            orders.order_submit(
                actor=Actor.for_customer(cast.reporter), data=cast.form_data(fault_description=fault)
            )

    page = operator.get(PROVIDERS, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    text = _text(page)
    for header in ("套餐", "计费状态", "试用结束", "付费截止", "报修单数", "创建时间"):
        assert header in text, header
    row_a = _row(page, "甲维修服务中心")
    assert "试用中" in row_a and " 3 " in f" {row_a} "
    row_b = _row(page, "乙售后服务")
    assert "已暂停" in row_b and "高级版" in row_b
    assert " 0 " in f" {row_b} "

    suspended = _text(operator.get(PROVIDERS, {"billing_state": "suspended"}).content.decode())
    assert actors.tenant_b.name in suspended and actors.tenant_a.name not in suspended
    premium = _text(operator.get(PROVIDERS, {"plan": "premium"}).content.decode())
    assert actors.tenant_b.name in premium and actors.tenant_a.name not in premium
    trial = _text(operator.get(PROVIDERS, {"plan": "trial", "q": "Tenant A"}).content.decode())
    assert actors.tenant_a.name in trial and actors.tenant_b.name not in trial


def test_the_provider_list_reads_order_counts_in_one_statement(operator: Client, actors: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert operator.get(PROVIDERS).status_code == 200
    union = [q["sql"] for q in queries.captured_queries if "UNION ALL" in q["sql"]]
    assert len(union) == 1
    assert union[0].count("count(*)") == Provider.objects.count()  # every provider on the page


def test_audit_and_ledger_amounts_read_in_yuan(operator: Client, actors: Any) -> None:
    ops = get_user_model().objects.get(username="ops-console")
    billing.account_credit(
        provider=actors.tenant_a, amount_fen=50050, reference="ICBC-77", operator=ops, reason="对公转账"
    )
    for url in ("/operator/billing/auditlog/", "/operator/billing/ledgerentry/"):
        text = _text(operator.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
        assert "500.50" in text, url
        assert "50050" not in text, url
    account_page = _text(
        operator.get(
            f"/operator/billing/billingaccount/{actors.tenant_a.billing_account.pk}/change/"
        ).content.decode()
    )
    assert "500.50" in account_page and "50050" not in account_page


def test_a_provider_without_a_schema_does_not_break_the_list(operator: Client, actors: Any) -> None:
    from saas_platform.operator_providers import repair_order_counts

    counts = repair_order_counts([actors.tenant_a.schema_name, "t_never_provisioned"])
    assert set(counts) == {actors.tenant_a.schema_name}


def test_the_suspend_form_says_who_reads_the_reason(operator: Client, actors: Any) -> None:
    from django.contrib.admin import helpers

    form = operator.post(
        PROVIDERS,
        {"action": "suspend", helpers.ACTION_CHECKBOX_NAME: [actors.tenant_a.pk]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "其员工和客户都能看到" in form.content.decode()
