"""Isolation cases of the mini-program routes (sign-in, API sessions, profile, 葵花码 scenes).

Token-only routes are viewed by a bearer-token client of tenant A (a mini-program user made in
A's schema); ``test_miniprogram_tokens`` also sends tenant B's bearer token to every API route on
A's host.
"""

from __future__ import annotations

from typing import Any

from tests.isolation.case import Case, Private, Public

ISO_OPENID = "iso-mini-openid-A"
ISO_DEVICE = "甲方设备isoA"


def _mini_user(actors: Any) -> Any:
    """Tenant A's mini-program user, bound to a customer (call inside A's schema)."""
    from accounts.services import customer_get_or_create
    from integrations.miniprogram.models import MiniProgramUser

    customer = customer_get_or_create(phone="13700007777", name="小程序isoA")
    user, _created = MiniProgramUser.objects.get_or_create(
        openid=ISO_OPENID, defaults={"customer": customer, "nickname": "微信isoA"}
    )
    return user


def token_client(actors: Any, *, bound: bool = True) -> Any:
    """A client of tenant A's host carrying only a fresh bearer token of A's mini-program user."""
    from django_tenants.utils import schema_context
    from rest_framework.test import APIClient

    from integrations.miniprogram.api_tokens import api_session_issue
    from integrations.miniprogram.models import MiniProgramUser
    from tests.actors import host_of

    with schema_context(actors.tenant_a.schema_name):
        if bound:
            user = _mini_user(actors)
        else:
            user, _created = MiniProgramUser.objects.get_or_create(openid="iso-mini-unbound")
        issued = api_session_issue(user=user, device="viewer")
    client = APIClient(HTTP_HOST=host_of(actors.tenant_a))
    client.default_format = "json"  # the mini-program sends JSON
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.access}")
    return client


def _unbound_token_client(actors: Any) -> Any:
    return token_client(actors, bound=False)


def _session(actors: Any) -> tuple[dict[str, Any], str]:
    from integrations.miniprogram.api_tokens import api_session_issue

    issued = api_session_issue(user=_mini_user(actors), device=ISO_DEVICE)
    return {"pk": issued.session.pk}, ISO_DEVICE


def _sessions_marker(actors: Any) -> tuple[dict[str, Any], str]:
    _session(actors)
    return {}, ISO_DEVICE


def _customer_sessions(actors: Any) -> tuple[dict[str, Any], str]:
    kwargs, marker = _session(actors)
    return {"pk": _mini_user(actors).customer_id}, marker


def _customer_session(actors: Any) -> tuple[dict[str, Any], str]:
    kwargs, marker = _session(actors)
    return {"pk": _mini_user(actors).customer_id, "session_pk": kwargs["pk"]}, marker


def _staff_scene(actors: Any) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from accounts.models import StaffMember
    from integrations.miniprogram.signin import staff_bind_scene_issue

    with schema_context(actors.tenant_a.schema_name):
        return {"scene": staff_bind_scene_issue(staff=StaffMember.objects.get(pk=actors.engineer_a.pk))}


def _stored_code(kind: str, target: str) -> Any:
    """A 葵花码 already kept in storage (so the route needs no WeChat call)."""
    from django.core.files.base import ContentFile

    from integrations.miniprogram.models import MiniProgramCode
    from integrations.tests.fake_miniprogram import PNG_1PX

    code, _created = MiniProgramCode.objects.get_or_create(
        kind=kind, target=target, defaults={"scene": f"{kind[0]}.iso{target[:8]}"}
    )
    if not code.image:
        code.image.save(f"iso-{kind}.png", ContentFile(PNG_1PX))
    return code


def _portal_code(actors: Any) -> tuple[dict[str, Any], str]:
    _stored_code("portal", "")
    return {"kind": "portal"}, "isoA-no-text-in-a-png"


def _company_code(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.models import CustomerCompany

    company, _created = CustomerCompany.objects.get_or_create(
        name="小程序码公司isoA", defaults={"registration_token": "iso-mp-company-token"}
    )
    _stored_code("company", company.registration_token)
    return {"pk": company.pk}, "isoA-no-text-in-a-png"


def _scene(actors: Any) -> tuple[dict[str, Any], str]:
    code = _stored_code("portal", "")
    return {"scene": code.scene}, "isoA-no-secret-in-a-scene"


def _company_join(actors: Any) -> dict[str, Any]:
    from django_tenants.utils import schema_context

    from accounts.models import CustomerCompany

    with schema_context(actors.tenant_a.schema_name):
        company, _created = CustomerCompany.objects.get_or_create(
            name="小程序注册公司isoA", defaults={"registration_token": "iso-mp-join-token"}
        )
    return {"registration_token": company.registration_token}


CASES: dict[str, Case] = {
    "api-auth-miniprogram": Public(methods=("post",), data={"code": "iso"}),
    "api-auth-refresh": Public(methods=("post",), data={"refresh_token": "iso"}),
    "api-auth-sign-out": Private(methods=("post",), viewer=token_client),
    "api-auth-phone": Public(methods=("post",)),  # token only; refusals in test_miniprogram_tokens
    "api-auth-phone-sms-code": Private(
        methods=("post",), data={"phone": "13700006666"}, viewer=_unbound_token_client
    ),
    "api-auth-staff-bind": Private(methods=("post",), data=_staff_scene, viewer=_unbound_token_client),
    "api-auth-company-join": Private(methods=("post",), data=_company_join, viewer=token_client),
    "api-me-sessions": Private(build=_sessions_marker, viewer=token_client),
    "api-me-session": Private(build=_session, methods=("delete",), viewer=token_client),
    "api-customer-sessions": Private(build=_customer_sessions),
    "api-customer-session": Private(build=_customer_session, methods=("delete",)),
    "api-miniprogram-scene": Public(build=_scene),
    "api-miniprogram-config": Public(),
    "api-miniprogram-subscriptions": Private(
        methods=("post",), data={"results": {"iso-template-0001": "accept"}}, viewer=token_client
    ),
    "console:miniprogram": Private(),
    "console:miniprogram-code": Private(build=_portal_code),
    "console:miniprogram-company-code": Private(build=_company_code),
    "console:miniprogram-me-code": Private(),
}
