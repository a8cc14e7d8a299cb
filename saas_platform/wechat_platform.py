"""``settings.WECHAT_PLATFORM_STORE``: the public-schema records of our WeChat third-party platform,
reached by ``integrations.wechat`` through a dotted path (it must never import the public site).

The tables live in the public schema; a tenant's search_path ("t_x, public") reaches them too, so
the console's authorization callback (on a tenant host) can record its route here."""

from __future__ import annotations

from saas_platform.models import WeChatAuthorizer, WeChatComponentTicket


def ticket_save(*, component_appid: str, ticket: str) -> None:
    WeChatComponentTicket.objects.update_or_create(
        component_appid=component_appid, defaults={"ticket": ticket}
    )


def ticket_get(*, component_appid: str) -> str:
    row = WeChatComponentTicket.objects.filter(component_appid=component_appid).first()
    return row.ticket if row else ""


def authorizer_bind(*, authorizer_appid: str, provider_id: int) -> None:
    """Route ``authorizer_appid`` to one provider; an account re-authorized by another provider
    moves there (WeChat lets one official account authorize one platform once)."""
    WeChatAuthorizer.objects.update_or_create(
        authorizer_appid=authorizer_appid, defaults={"provider_id": provider_id}
    )


def authorizer_unbind(*, authorizer_appid: str, provider_id: int | None = None) -> None:
    rows = WeChatAuthorizer.objects.filter(authorizer_appid=authorizer_appid)
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    rows.delete()


def authorizer_provider_id(*, authorizer_appid: str) -> int | None:
    return (
        WeChatAuthorizer.objects.filter(authorizer_appid=authorizer_appid)
        .values_list("provider_id", flat=True)
        .first()
    )
