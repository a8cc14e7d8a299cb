"""设置 and 我的信息: validated with messages in both languages, admin only."""

from __future__ import annotations

from typing import Any

from accounts.models import ProviderProfile, ProviderSettings
from portals.tests.helpers import in_schema, text_of
from tests.actors import client_for


def settings_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ratings_enabled": "on",
        "free_form_reporting_enabled": "",
        "star_1": "很差",
        "star_2": "较差",
        "star_3": "一般",
        "star_4": "满意",
        "star_5": "非常满意",
        "rating_tags": "很不错\n技术好\n态度很好",
        "waiting_sla_hours": "4",
        "repair_sla_hours": "24",
        "urge_after_hours": "3",
        "auto_confirm_days": "5",
        "embed_allowed_origins": "",
    }
    data.update(overrides)
    return {
        k: v
        for k, v in data.items()
        if v != "" or k not in {"ratings_enabled", "free_form_reporting_enabled"}
    }


def test_an_admin_saves_every_setting(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    page = owner.get("/console/settings/")
    assert page.status_code == 200 and "非常满意" in text_of(page)
    response = owner.post(
        "/console/settings/",
        settings_data(
            rating_tags="很不错，技术好\n 响应快 \n很不错",
            embed_allowed_origins="HTTPS://WWW.Example.com/ https://*.shop.cn",
        ),
    )
    assert response.status_code == 302
    with in_schema(actors.tenant_a):
        row = ProviderSettings.objects.get(pk=1)
    assert row.ratings_enabled and not row.free_form_reporting_enabled
    assert row.star_descriptions == {"1": "很差", "2": "较差", "3": "一般", "4": "满意", "5": "非常满意"}
    assert row.rating_tags == ["很不错", "技术好", "响应快"]
    assert (row.waiting_sla_hours, row.repair_sla_hours, row.urge_after_hours, row.auto_confirm_days) == (
        4,
        24,
        3,
        5,
    )
    assert row.embed_allowed_origins == ["https://www.example.com", "https://*.shop.cn"]


def test_bad_settings_are_refused_field_by_field_and_nothing_is_saved(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    with in_schema(actors.tenant_a):
        before = ProviderSettings.objects.get(pk=1).waiting_sla_hours
    bad = settings_data(
        star_3="",
        waiting_sla_hours="0",
        repair_sla_hours="abc",
        rating_tags="这个标签实在是太长了超过十个字",
        embed_allowed_origins="javascript:alert(1) https://ok.example.com/path",
    )
    en = text_of(owner.post("/console/settings/", bad, HTTP_ACCEPT_LANGUAGE="en"))
    assert "This field is required." in en
    assert "greater than or equal to 1" in en
    assert "Enter a whole number." in en
    zh = text_of(owner.post("/console/settings/", bad))
    assert "确保该值大于或等于1" in zh
    with in_schema(actors.tenant_a):
        assert ProviderSettings.objects.get(pk=1).waiting_sla_hours == before


def test_rating_tags_and_origins_are_checked_by_the_service_rules(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    too_long = owner.post(
        "/console/settings/",
        settings_data(rating_tags="这个标签实在是太长了超过十个字"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "is too long: at most 10 characters" in text_of(too_long)
    too_many = owner.post(
        "/console/settings/",
        settings_data(rating_tags="\n".join(f"标签{i}" for i in range(13))),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Use at most 12 rating tags." in text_of(too_many)
    none = owner.post("/console/settings/", settings_data(rating_tags=""), HTTP_ACCEPT_LANGUAGE="en")
    assert "Add at least one rating tag, or switch ratings off." in text_of(none)
    origins = owner.post(
        "/console/settings/",
        settings_data(embed_allowed_origins="https://ok.example.com/path"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "is not a site address like https://www.example.com" in text_of(origins)
    injection = owner.post(
        "/console/settings/",
        settings_data(embed_allowed_origins="https://a.com;script-src"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "is not a site address" in text_of(injection)
    zh = owner.post("/console/settings/", settings_data(rating_tags=""))
    assert "评价标签" in text_of(zh)
    # Ratings off: no tags needed.
    assert (
        owner.post("/console/settings/", settings_data(ratings_enabled="", rating_tags="")).status_code == 302
    )


def test_the_provider_name_is_read_only_and_profile_fields_are_validated(actors: Any) -> None:
    owner = client_for(actors.tenant_a, actors.owner_a)
    page = text_of(owner.get("/console/profile/"))
    assert f'value="{actors.tenant_a.name}" readonly' in page
    bad = owner.post(
        "/console/profile/",
        {"contact_person": "陈", "contact_phone": "abc", "address": "", "about": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Enter a phone number customers can call" in text_of(bad)
    zh = owner.post(
        "/console/profile/", {"contact_person": "陈", "contact_phone": "abc", "address": "", "about": ""}
    )
    assert "请输入客户可以拨打的电话" in text_of(zh)
    too_long = owner.post(
        "/console/profile/", {"contact_phone": "", "about": "长" * 2001}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "at most 2000 characters" in text_of(too_long)
    with in_schema(actors.tenant_a):
        assert ProviderProfile.objects.get(pk=1).contact_person != "陈"
    # The name field is display only: posting a name changes nothing.
    owner.post("/console/profile/", {"name": "Renamed", "contact_phone": "13800001111"})
    actors.tenant_a.refresh_from_db()
    assert actors.tenant_a.name != "Renamed"
