"""The customer portal's home (seed 002): 立即查询 next to 不知道机器编号或序列号报修, a link to the
customer's messages, and no staff sign-in card among the customer's cards."""

from __future__ import annotations

from typing import Any

from django.test import Client

from portals.tests.orders.helpers import set_provider, signed_in, text_of
from repair_forms.tests.helpers import Cast
from tests.actors import host_of


def test_the_home_card_offers_lookup_and_reporting_without_a_number_and_no_staff_card(
    cast: Cast, actors: Any
) -> None:
    set_provider(actors.tenant_a, free_form_reporting_enabled=True)
    page = text_of(Client(HTTP_HOST=host_of(actors.tenant_a)).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "立即查询" in page and "不知道机器编号或序列号报修" in page and "/report/?free=1" in page
    assert "员工登录" not in page and "/console/login/" not in page
    mine = text_of(signed_in(actors.tenant_a, cast.reporter).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "/messages/" in mine
