from __future__ import annotations

from typing import Any

from django.test import Client


def test_the_landing_page_speaks_chinese_by_default(public_client: Client, db: Any) -> None:
    response = public_client.get("/")
    assert response.status_code == 200
    assert "让客户真正愿意用的报修系统" in response.content.decode()
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_landing_page_speaks_english_when_asked(public_client: Client, db: Any) -> None:
    response = public_client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Fault reporting your customers will actually use" in response.content.decode()


def test_the_language_switch_remembers_the_choice(public_client: Client, db: Any) -> None:
    public_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "15-day free trial" in public_client.get("/").content.decode()


def test_static_files_are_served_by_the_app(public_client: Client, db: Any) -> None:
    response = public_client.get("/static/css/app.css")
    assert response.status_code == 200


def test_the_operator_console_requires_an_operator(public_client: Client, db: Any) -> None:
    response = public_client.get("/operator/")
    assert response.status_code == 302
    assert "/operator/login/" in response["Location"]
