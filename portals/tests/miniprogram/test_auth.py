"""Mini-program sign-in and bearer tokens: the whole customer flow with only the token, tenant
binding, expiry, refresh rotation, sign-out, deactivation, bad ``wx.login`` codes, phone and staff
binding, the device list, and the OpenAPI scheme."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import ProviderSettings, StaffMember
from accounts.services import staff_deactivate
from integrations.miniprogram.models import ApiSession, MiniProgramUser
from integrations.miniprogram.signin import staff_bind_scene_issue
from integrations.tests.fake_miniprogram import FakeMiniProgram
from portals.tests.miniprogram.fixtures import APPID_MP, bearer, sign_in
from portals.tests.orders.helpers import signed_in
from repair_forms import services
from repair_forms.tests.helpers import Cast


def _bind_phone(fake: FakeMiniProgram, provider: Any, token: str, phone: str) -> Any:
    return bearer(provider, token).post(
        "/api/v1/auth/miniprogram/phone/", {"code": fake.phone_code(phone)}, format="json"
    )


def test_a_customer_reports_follows_urges_confirms_and_rates_with_only_the_bearer_token(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    tenant = actors.tenant_a
    with schema_context(tenant.schema_name):
        ProviderSettings.objects.update(urge_after_hours=0)
    pair = sign_in(mp_a, tenant, "o-reporter", nickname="小张的微信")
    assert pair["token_type"] == "Bearer" and pair["phone_bound"] is False
    client = bearer(tenant, pair["access_token"])
    assert client.get("/api/v1/me/").json()["kind"] == "wechat"
    assert client.get("/api/v1/portal/orders/").status_code == 403  # no phone yet

    bound = _bind_phone(mp_a, tenant, pair["access_token"], "13700000101")
    assert bound.status_code == 200 and bound.json()["phone_bound"] is True
    me = client.get("/api/v1/me/").json()
    assert me["kind"] == "customer" and me["nickname"] == "小张的微信"
    assert me["department"] == "芒果科技" and me["account"] == "137****0101"

    form = client.get("/api/v1/portal/form/").json()
    assert form["template"]["fields"][0]["key"] == "machine"
    brand, category, model = cast.catalog
    values = {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": "小程序报修：打印机卡纸",
        "service_type": "repair",
    }
    submitted = client.post("/api/v1/portal/orders/", {"values": values}, format="json")
    assert submitted.status_code == 201, submitted.json()
    pk = submitted.json()["id"]
    mine = client.get("/api/v1/portal/orders/", {"tab": "pending"}).json()
    assert [o["id"] for o in mine["results"]] == [pk]
    urged = client.post(f"/api/v1/portal/orders/{pk}/urge/", {}, format="json")
    assert urged.status_code == 200, urged.json()
    assert urged.json()["is_urged"] is True

    with schema_context(tenant.schema_name):
        from repair_forms.models import RepairOrder

        order = RepairOrder.objects.get(pk=pk)
        admin, engineer = cast.actor("admin"), cast.actor("engineer")
        services.order_accept(actor=admin, order=order)
        services.order_dispatch(actor=admin, order=order, engineer=cast.engineer)
        services.order_start(actor=engineer, order=order)
        services.order_submit_job_sheet(actor=engineer, order=order, work_done="换搓纸轮", result="已修复")
    confirmed = client.post(f"/api/v1/portal/orders/{pk}/confirm/", {}, format="json")
    assert confirmed.json()["status"] == "completed"
    rated = client.post(f"/api/v1/portal/orders/{pk}/rate/", {"stars": 5, "tags": ["技术好"]}, format="json")
    assert rated.status_code == 200 and rated.json()["rating"]["stars"] == 5
    assert "rate" in [e["transition"] for e in rated.json()["timeline"]]


def test_a_token_of_provider_a_is_refused_on_provider_b_host(mp_a: FakeMiniProgram, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-traveller")
    response = bearer(actors.tenant_b, pair["access_token"]).get("/api/v1/me/")
    assert response.status_code == 401 and response.json()["detail"]
    assert bearer(actors.tenant_a, pair["access_token"]).get("/api/v1/me/").status_code == 200


def test_an_expired_access_token_is_refused_until_refreshed(mp_a: FakeMiniProgram, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-late")
    with schema_context(actors.tenant_a.schema_name):
        ApiSession.objects.filter(pk=pair["session_id"]).update(
            access_expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert bearer(actors.tenant_a, pair["access_token"]).get("/api/v1/me/").status_code == 401
    fresh = bearer(actors.tenant_a).post(
        "/api/v1/auth/refresh/", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    assert fresh.status_code == 200
    assert bearer(actors.tenant_a, fresh.json()["access_token"]).get("/api/v1/me/").status_code == 200


def test_a_refresh_token_works_once_and_its_reuse_ends_the_session(
    mp_a: FakeMiniProgram, actors: Any
) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-rotating")
    anonymous = bearer(actors.tenant_a)
    first = anonymous.post("/api/v1/auth/refresh/", {"refresh_token": pair["refresh_token"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh_token"] != pair["refresh_token"]
    replay = anonymous.post("/api/v1/auth/refresh/", {"refresh_token": pair["refresh_token"]}, format="json")
    assert replay.status_code == 401 and replay.json()["code"] == "reused"
    # Someone held a copy: the new pair is dead too.
    assert bearer(actors.tenant_a, first.json()["access_token"]).get("/api/v1/me/").status_code == 401
    again = anonymous.post(
        "/api/v1/auth/refresh/", {"refresh_token": first.json()["refresh_token"]}, format="json"
    )
    assert again.status_code == 401


def test_signing_out_ends_the_token(mp_a: FakeMiniProgram, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-leaving")
    client = bearer(actors.tenant_a, pair["access_token"])
    assert client.post("/api/v1/auth/sign-out/").status_code == 200
    assert client.get("/api/v1/me/").status_code == 401
    refreshed = bearer(actors.tenant_a).post(
        "/api/v1/auth/refresh/", {"refresh_token": pair["refresh_token"]}, format="json"
    )
    assert refreshed.status_code == 401


def test_a_forged_or_malformed_token_is_401(mp_a: FakeMiniProgram, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-forger")
    forged = pair["access_token"][:-3] + "abc"
    assert bearer(actors.tenant_a, forged).get("/api/v1/me/").status_code == 401
    assert bearer(actors.tenant_a, "nonsense").get("/api/v1/portal/orders/").status_code == 401
    # The refresh token is not an access token.
    assert bearer(actors.tenant_a, pair["refresh_token"]).get("/api/v1/me/").status_code == 401


def test_an_invalid_or_replayed_login_code_is_refused_in_words(mp_a: FakeMiniProgram, actors: Any) -> None:
    client = bearer(actors.tenant_a)
    invalid = client.post(
        "/api/v1/auth/miniprogram/", {"code": "not-a-code"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert invalid.status_code == 400
    assert invalid.json()["code"] == "invalid_code" and "40029" in invalid.json()["detail"]
    code = mp_a.login(APPID_MP, "o-replay")
    assert client.post("/api/v1/auth/miniprogram/", {"code": code}, format="json").status_code == 200
    replay = client.post(
        "/api/v1/auth/miniprogram/", {"code": code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert replay.status_code == 400 and "already been used" in replay.json()["detail"]


def test_wechat_rate_limit_on_sign_in_is_429_in_words(mp_a: FakeMiniProgram, actors: Any) -> None:
    mp_a.fail_next("/sns/jscode2session", 45011)
    code = mp_a.login(APPID_MP, "o-busy")
    response = bearer(actors.tenant_a).post(
        "/api/v1/auth/miniprogram/", {"code": code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 429 and "slow down" in response.json()["detail"]


def test_sign_in_is_rate_limited_per_client_address(
    mp_a: FakeMiniProgram, actors: Any, settings: Any
) -> None:
    settings.PUBLIC_RATE_LIMITS = {"login": (2, 600)}
    client = bearer(actors.tenant_a)
    answers = [
        client.post(
            "/api/v1/auth/miniprogram/", {"code": mp_a.login(APPID_MP, f"o-{i}")}, format="json"
        ).status_code
        for i in range(3)
    ]
    assert answers == [200, 200, 429]


def test_a_provider_without_a_mini_program_says_so(fake_mp: FakeMiniProgram, actors: Any) -> None:
    response = bearer(actors.tenant_a).post("/api/v1/auth/miniprogram/", {"code": "x" * 32}, format="json")
    assert response.status_code == 503 and response.json()["code"] == "not_bound"


def test_a_phone_binds_once(mp_a: FakeMiniProgram, cast: Cast, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-once")
    assert _bind_phone(mp_a, actors.tenant_a, pair["access_token"], "13700000103").status_code == 200
    again = _bind_phone(mp_a, actors.tenant_a, pair["access_token"], "13700000102")
    assert again.status_code == 409 and again.json()["code"] == "already_bound"
    stale = bearer(actors.tenant_a, pair["access_token"]).post(
        "/api/v1/auth/miniprogram/phone/", {"code": "used-or-invalid"}, format="json"
    )
    assert stale.status_code == 409
    with schema_context(actors.tenant_a.schema_name):
        assert MiniProgramUser.objects.get(openid="o-once").customer_id == cast.loner.pk


def test_a_phone_binds_by_sms_code(mp_a: FakeMiniProgram, actors: Any) -> None:
    from integrations.sms.gateway import DevBackend

    pair = sign_in(mp_a, actors.tenant_a, "o-sms")
    client = bearer(actors.tenant_a, pair["access_token"])
    assert (
        client.post(
            "/api/v1/auth/miniprogram/phone/sms-code/", {"phone": "13700000555"}, format="json"
        ).status_code
        == 200
    )
    code = next(m for m in reversed(DevBackend.outbox) if m.phone.endswith("13700000555")).params["code"]
    wrong = client.post(
        "/api/v1/auth/miniprogram/phone/", {"phone": "13700000555", "sms_code": "000000"}, format="json"
    )
    assert wrong.status_code == 400
    right = client.post(
        "/api/v1/auth/miniprogram/phone/", {"phone": "13700000555", "sms_code": code}, format="json"
    )
    assert right.status_code == 200 and right.json()["phone_bound"] is True
    assert client.get("/api/v1/me/").json()["account"] == "137****0555"


def test_a_new_mini_program_user_with_a_known_unionid_is_the_same_customer(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    first = mp_a.login(APPID_MP, "o-first", unionid="u-zhang")
    pair = bearer(actors.tenant_a).post("/api/v1/auth/miniprogram/", {"code": first}, format="json").json()
    _bind_phone(mp_a, actors.tenant_a, pair["access_token"], "13700000101")
    second = mp_a.login(APPID_MP, "o-second-app", unionid="u-zhang")
    again = bearer(actors.tenant_a).post("/api/v1/auth/miniprogram/", {"code": second}, format="json").json()
    assert again["phone_bound"] is True
    me = bearer(actors.tenant_a, again["access_token"]).get("/api/v1/me/").json()
    assert me["id"] == cast.reporter.pk


def test_an_engineer_binds_by_the_console_code_and_gets_jobs_with_the_token(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-engineer")
    with schema_context(actors.tenant_a.schema_name):
        scene = staff_bind_scene_issue(staff=cast.engineer)
    assert len(scene) <= 32
    client = bearer(actors.tenant_a, pair["access_token"])
    bound = client.post("/api/v1/auth/miniprogram/staff/", {"scene": scene}, format="json")
    assert bound.status_code == 200 and bound.json()["staff"] is True
    assert client.get("/api/v1/engineer/jobs/").status_code == 200
    assert client.get("/api/v1/me/").json()["role"] == "engineer"
    reused = client.post("/api/v1/auth/miniprogram/staff/", {"scene": scene}, format="json")
    assert reused.status_code == 400


def test_a_deactivated_staff_members_token_stops_working(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-leaver")
    with schema_context(actors.tenant_a.schema_name):
        scene = staff_bind_scene_issue(staff=cast.engineer2)
    client = bearer(actors.tenant_a, pair["access_token"])
    client.post("/api/v1/auth/miniprogram/staff/", {"scene": scene}, format="json")
    assert client.get("/api/v1/engineer/jobs/").status_code == 200
    with schema_context(actors.tenant_a.schema_name):
        staff_deactivate(actor=StaffMember.objects.get(pk=cast.admin.pk), staff=cast.engineer2)
        assert ApiSession.objects.get(pk=pair["session_id"]).revoked_at is not None
    assert client.get("/api/v1/engineer/jobs/").status_code == 401


def test_customers_list_and_revoke_their_devices_and_staff_can_too(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    phone_one = sign_in(mp_a, actors.tenant_a, "o-dev", device="iPhone")
    _bind_phone(mp_a, actors.tenant_a, phone_one["access_token"], "13700000101")
    phone_two = sign_in(mp_a, actors.tenant_a, "o-dev", device="iPad")
    client = bearer(actors.tenant_a, phone_two["access_token"])
    devices = client.get("/api/v1/me/sessions/").json()
    assert {d["device"] for d in devices} == {"iPhone", "iPad"}
    assert [d["current"] for d in devices if d["device"] == "iPad"] == [True]
    assert client.delete(f"/api/v1/me/sessions/{phone_one['session_id']}/").status_code == 200
    assert bearer(actors.tenant_a, phone_one["access_token"]).get("/api/v1/me/").status_code == 401

    office = signed_in(actors.tenant_a, cast.dispatcher, api=True)
    listed = office.get(f"/api/v1/console/customers/{cast.reporter.pk}/sessions/").json()
    assert [d["id"] for d in listed] == [phone_two["session_id"]]
    assert (
        office.delete(
            f"/api/v1/console/customers/{cast.reporter.pk}/sessions/{phone_two['session_id']}/"
        ).status_code
        == 200
    )
    assert client.get("/api/v1/me/").status_code == 401
    engineer = signed_in(actors.tenant_a, cast.engineer, api=True)
    assert engineer.get(f"/api/v1/console/customers/{cast.reporter.pk}/sessions/").status_code == 403


def test_the_profile_changes_name_nickname_and_avatar(mp_a: FakeMiniProgram, cast: Cast, actors: Any) -> None:
    pair = sign_in(mp_a, actors.tenant_a, "o-profile")
    _bind_phone(mp_a, actors.tenant_a, pair["access_token"], "13700000101")
    client = bearer(actors.tenant_a, pair["access_token"])
    changed = client.patch(
        "/api/v1/me/",
        {"name": "张三", "nickname": "阿张", "avatar_url": "https://thirdwx.qlogo.cn/a.png"},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "张三" and changed.json()["nickname"] == "阿张"
    assert client.get("/api/v1/me/").json()["avatar_url"] == "https://thirdwx.qlogo.cn/a.png"


def test_sessions_still_work_and_staff_see_their_role(actors: Any) -> None:
    client = signed_in(actors.tenant_a, actors.engineer_a, api=True)
    data = client.get("/api/v1/me/").json()
    assert data["kind"] == "staff" and data["phone"] == "+8613800000011"


def test_openapi_documents_the_bearer_scheme(actors: Any) -> None:
    schema = bearer(actors.tenant_a).get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/auth/miniprogram/" in schema["paths"]
    assert {"bearerAuth": []} in schema["paths"]["/api/v1/portal/orders/"]["get"]["security"]


def test_a_post_with_the_patch_override_edits_like_a_patch(
    mp_a: FakeMiniProgram, cast: Cast, actors: Any
) -> None:
    """wx.request cannot send PATCH: the client POSTs with X-HTTP-Method-Override."""
    pair = sign_in(mp_a, actors.tenant_a, "o-override")
    _bind_phone(mp_a, actors.tenant_a, pair["access_token"], "13700000101")
    client = bearer(actors.tenant_a, pair["access_token"])
    changed = client.post("/api/v1/me/", {"name": "改名"}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="PATCH")
    assert changed.status_code == 200 and changed.json()["name"] == "改名"
    refused = client.post("/api/v1/me/sessions/1/", {}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="DELETE")
    assert refused.status_code == 405  # only PATCH may be asked for
