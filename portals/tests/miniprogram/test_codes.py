"""Binding the mini-program in the console, the connection check in words, and the 葵花码: the
portal's (made once, regenerated on request), a company's registration code and the machine label
sheet, each scene mapping back to its target through the API."""

from __future__ import annotations

from typing import Any

from django_tenants.utils import schema_context

from accounts.models import CustomerCompany
from integrations.miniprogram.models import MiniProgramAccount, MiniProgramCode
from integrations.tests.fake_miniprogram import FakeMiniProgram
from portals.tests.miniprogram.fixtures import APPID_MP, SECRET_MP, bearer
from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.tests.helpers import Cast


def test_an_admin_binds_the_mini_program_and_a_wrong_secret_is_refused_in_words(
    fake_mp: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin, HTTP_ACCEPT_LANGUAGE="en")
    wrong = console.post(
        "/console/miniprogram/", {"action": "connect", "appid": APPID_MP, "secret": "X" * 32}
    )
    page = text_of(wrong)
    assert "AppSecret is wrong" in page and "X" * 32 not in page
    right = console.post(
        "/console/miniprogram/", {"action": "connect", "appid": APPID_MP, "secret": SECRET_MP}
    )
    assert right.status_code == 302
    with schema_context(actors.tenant_a.schema_name):
        account = MiniProgramAccount.objects.get()
        assert account.is_connected and SECRET_MP not in account.secret_sealed
    shown = text_of(console.get("/console/miniprogram/"))
    assert APPID_MP in shown and SECRET_MP not in shown


def test_the_connection_check_says_what_is_wrong_in_words(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin, HTTP_ACCEPT_LANGUAGE="en")
    works = console.post("/console/miniprogram/", {"action": "check"}, follow=True)
    assert "the connection works" in text_of(works)
    mp_a.apps[APPID_MP] = "Z" * 32  # the secret was reset in WeChat's admin
    from django.core.cache import cache

    cache.clear()  # no shared token left
    broken = text_of(console.post("/console/miniprogram/", {"action": "check"}, follow=True))
    assert "AppSecret is wrong" in broken and "Traceback" not in broken and SECRET_MP not in broken


def test_the_portal_code_is_made_once_and_regenerated_on_request(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin)
    console.post("/console/miniprogram/", {"action": "code", "kind": "portal"})
    console.post("/console/miniprogram/", {"action": "code", "kind": "portal"})
    assert len(mp_a.codes_made) == 1
    image = console.get("/console/miniprogram/code/portal.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    console.post("/console/miniprogram/", {"action": "regenerate", "kind": "portal"})
    assert len(mp_a.codes_made) == 2
    assert mp_a.codes_made[0]["scene"] == mp_a.codes_made[1]["scene"]  # printed codes stay valid
    scene = mp_a.codes_made[0]["scene"]
    assert len(scene) <= 32
    target = bearer(actors.tenant_a).get(f"/api/v1/miniprogram/scene/{scene}/").json()
    assert target["kind"] == "portal" and target["page"] == "pages/home/index"


def test_a_company_code_opens_that_companys_registration_until_its_token_is_renewed(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin)
    image = console.get(f"/console/miniprogram/companies/{cast.company.pk}/code.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    scene = mp_a.codes_made[-1]["scene"]
    target = bearer(actors.tenant_a).get(f"/api/v1/miniprogram/scene/{scene}/").json()
    assert target["kind"] == "company" and target["values"]["company"] == "芒果科技"
    assert bearer(actors.tenant_b).get(f"/api/v1/miniprogram/scene/{scene}/").status_code == 404
    with schema_context(actors.tenant_a.schema_name):
        CustomerCompany.objects.filter(pk=cast.company.pk).update(registration_token="renewed-token")
    assert bearer(actors.tenant_a).get(f"/api/v1/miniprogram/scene/{scene}/").status_code == 404


def test_machine_labels_print_mini_program_codes_that_open_the_report_page(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin)
    pdf = console.get("/console/assets/labels.pdf", {"ids": cast.asset.pk, "code": "miniprogram"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert [c["page"] for c in mp_a.codes_made] == ["pages/report/index"]
    target = bearer(actors.tenant_a).get(f"/api/v1/miniprogram/scene/{mp_a.codes_made[0]['scene']}/").json()
    assert target == {
        "kind": "asset",
        "page": "pages/report/index",
        "values": {"asset": cast.asset.token, "machine_no": "NO000028"},
    }
    console.get("/console/assets/labels.pdf", {"ids": cast.asset.pk, "code": "miniprogram"})
    assert len(mp_a.codes_made) == 1  # kept, not asked again
    with schema_context(actors.tenant_a.schema_name):
        assert MiniProgramCode.objects.get(kind="asset").image.name.endswith(".png")


def test_labels_without_a_bound_mini_program_say_so(
    fake_mp: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    console = signed_in(actors.tenant_a, cast.admin, HTTP_ACCEPT_LANGUAGE="en")
    answer = console.get(
        "/console/assets/labels.pdf", {"ids": cast.asset.pk, "code": "miniprogram"}, follow=True
    )
    assert "Bind the mini-program first" in text_of(answer)


def test_an_unknown_scene_is_404_and_the_launch_config_names_the_provider(actors: Any) -> None:
    assert bearer(actors.tenant_a).get("/api/v1/miniprogram/scene/p.nothing/").status_code == 404
    config = bearer(actors.tenant_a).get("/api/v1/miniprogram/config/").json()
    assert config["provider"] == actors.tenant_a.name


def test_a_staff_member_gets_a_one_time_binding_qr(cast: Cast, actors: Any) -> None:
    image = signed_in(actors.tenant_a, cast.engineer).get("/console/miniprogram/me/code.png")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_a_scanned_company_code_makes_the_bound_customer_a_member(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    from portals.tests.miniprogram.fixtures import sign_in

    pair = sign_in(mp_a, actors.tenant_a, "o-joiner")
    client = bearer(actors.tenant_a, pair["access_token"])
    body = {"registration_token": cast.company.registration_token}
    early = client.post("/api/v1/auth/miniprogram/company/", body, format="json")
    assert early.status_code == 409 and early.json()["code"] == "phone_required"
    client.post("/api/v1/auth/miniprogram/phone/", {"code": mp_a.phone_code("13700000103")}, format="json")
    joined = client.post("/api/v1/auth/miniprogram/company/", body, format="json")
    assert joined.status_code == 200
    assert client.get("/api/v1/me/").json()["department"] == "芒果科技"
    stale = client.post(
        "/api/v1/auth/miniprogram/company/", {"registration_token": "withdrawn"}, format="json"
    )
    assert stale.status_code == 400
