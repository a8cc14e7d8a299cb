from __future__ import annotations

from typing import Any

from django.test import Client

from tests.actors import PASSWORD, client_for, host_of


def test_staff_sign_in_with_their_phone_number_in_any_common_spelling(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    response = client.post("/console/login/", {"username": "138 0000 0001", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/console/"
    page = client.get("/console/")
    assert page.status_code == 200
    assert "http://tenant-a.baoxiu.test:8000/" in page.content.decode()


def test_a_wrong_password_is_refused_with_a_message_in_the_users_language(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    zh = client.post("/console/login/", {"username": "13800000001", "password": "wrong"})
    assert zh.status_code == 200
    assert "请输入一个正确的" in zh.content.decode()
    en = client.post(
        "/console/login/", {"username": "13800000001", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Please enter a correct" in en.content.decode()


def test_tenant_b_owner_cannot_sign_in_on_tenant_a(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    response = client.post("/console/login/", {"username": "13900000002", "password": PASSWORD})
    assert response.status_code == 200  # the form again, no session
    assert client.get("/console/").status_code == 302


def test_the_console_sends_visitors_to_the_login_page(actors: Any) -> None:
    response = Client(HTTP_HOST=host_of(actors.tenant_a)).get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/console/login/?next=/console/")


def test_the_workbench_offers_the_portal_qr_code_as_png_and_svg(actors: Any) -> None:
    client = client_for(actors.tenant_a, actors.engineer_a)
    png = client.get("/console/portal-qr.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get("/console/portal-qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert client.get("/console/portal-qr.gif").status_code == 404


def test_the_api_tells_staff_who_they_are(actors: Any) -> None:
    client = client_for(actors.tenant_a, actors.engineer_a)
    data = client.get("/api/v1/me/").json()
    assert data["phone"] == "+8613800000011"
    assert data["role"] == "engineer"


def test_the_api_schema_and_docs_are_served_offline(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/" in docs


def test_the_portal_home_leads_straight_to_a_quick_report(actors: Any) -> None:
    client = Client(HTTP_HOST=host_of(actors.tenant_a))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "快捷报修" in page
    assert 'action="/report/"' in page and 'name="q"' in page
