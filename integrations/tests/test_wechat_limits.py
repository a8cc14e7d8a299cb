"""WeChat's typed template fields, sealed secrets and map links: pure functions, no database."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from integrations import crypto, maps
from integrations.wechat.limits import fit, fit_data, violations


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (
            "thing",
            "打印机不能打印，卡纸并且显示错误代码E05请尽快处理",
            "打印机不能打印，卡纸并且显示错误代码E…",
        ),
        ("thing", "短文本", "短文本"),
        ("thing", "  多余\n空白  ", "多余 空白"),
        ("thing", "", "-"),
        ("character_string", "BX-20240101-00001", "BX-20240101-00001"),
        ("character_string", "单号BX-1", "BX-1"),
        ("character_string", "A" * 40, "A" * 32),
        ("phrase", "已受理", "已受理"),
        ("phrase", "等待客户确认完成", "等待客户确"),
        ("phrase", "Accepted", "通知"),
        ("phone_number", "+86 138-0013-8000 转 123", "+86 138-0013-8000"),
        ("number", "共 12.5.3 件", "12.53"),
        ("letter", "abc-DEF 123 ghijk", "abcDEFghijk"),
        ("symbol", "★★★abc★★★", "★★★★★"),
        ("car_number", "浙A 12345 学", "浙A12345学"),
        ("car_number", "浙A123456789", "浙A123456"),
        ("name", "欧阳娜娜娜娜娜娜娜娜娜", "欧阳娜娜娜娜娜娜娜娜"),
        ("name", "Alexander Hamilton-Smith", "Alexander Hamilton-S"),
        ("amount", "共计 1234.567 元", "¥1234.56"),
    ],
)
def test_values_are_cut_to_what_wechat_accepts_for_their_type(kind: str, value: str, expected: str) -> None:
    assert fit(kind, value) == expected


def test_time_fields_use_wechats_date_format_in_shanghai_time() -> None:
    moment = datetime(2024, 10, 1, 7, 1, tzinfo=ZoneInfo("UTC"))
    assert fit("time", moment) == "2024年10月1日 15:01"
    assert fit("date", moment) == "2024年10月1日"


def test_fitted_data_names_types_by_key_and_passes_the_fakes_checks() -> None:
    data = fit_data(
        {
            "character_string1": "BX-20240101-00001",
            "thing2": "一二三四五六七八九十一二三四五六七八九十一二",
            "phrase3": "等待客户确认",
            "time4": datetime(2024, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
            "phone_number5": "13800138000",
        }
    )
    assert len(data["thing2"]["value"]) == 20
    assert data["thing2"]["value"].endswith("…")
    assert data["phrase3"]["value"] == "等待客户确"
    assert violations(data) == []
    assert violations({"thing1": {"value": "x" * 21}, "phrase2": {"value": "OK"}}) == ["thing1", "phrase2"]


def test_a_sealed_secret_is_not_the_clear_value_and_reads_back() -> None:
    sealed = crypto.seal("appsecret-0123456789abcdef")
    assert "appsecret" not in sealed
    assert crypto.reveal(sealed) == "appsecret-0123456789abcdef"
    assert crypto.seal("") == "" and crypto.reveal("") == ""
    assert crypto.masked("0123456789abcdef0123") == "••••••0123"


def test_a_secret_sealed_under_a_retired_key_is_refused_not_garbled() -> None:
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        sealed = crypto.seal("secret")
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert crypto.reveal(sealed) == "secret"  # rotation: the old key still decrypts
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]), pytest.raises(crypto.SecretUnreadable):
        crypto.reveal(sealed)


@override_settings(TENCENT_MAPS_KEY="MYKEY-123")
def test_route_link_plans_a_drive_to_the_sites_coordinates() -> None:
    link = maps.route_link(address="杭州市西湖区三墩镇 A栋", coordinates=(30.3, 120.1))
    assert link.startswith("https://apis.map.qq.com/uri/v1/routeplan?type=drive&")
    assert "fromcoord=CurrentLocation" in link  # from where the engineer's phone is
    assert "tocoord=30.3%2C120.1" in link
    assert "referer=MYKEY-123" in link


@override_settings(TENCENT_MAPS_KEY="MYKEY-123")
def test_without_coordinates_the_link_is_still_a_route_to_the_address_and_without_one_there_is_none() -> None:
    link = maps.route_link(address="广州市黄埔区科学大道100号 A栋")
    base, _, query = link.partition("?")
    assert base == "https://apis.map.qq.com/uri/v1/routeplan"  # a route, not a keyword search
    params = parse_qs(query)
    assert params == {"type": ["drive"], "to": ["广州市黄埔区科学大道100号 A栋"], "referer": ["MYKEY-123"]}
    # No from/fromcoord: Tencent starts the route where the engineer's phone is.
    assert maps.route_link(address="") == ""
    assert maps.parse_coordinates("91,10") is None
    assert maps.parse_coordinates({"lat": "30.1", "lng": "120.2"}) == (30.1, 120.2)
