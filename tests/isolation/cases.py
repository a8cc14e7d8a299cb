"""One entry per named route of the tenant urlconf: how to reach it and what kind it is.

Adding a route without an entry here fails ``test_every_tenant_route_has_an_isolation_case``.

- ``Public``: anyone may load it on a provider's host (portal pages, login, API schema). The harness
  still checks that tenant B's signed-in user sees none of A's private markers through it.
- ``Private``: needs a signed-in member of the provider. ``build`` runs inside tenant A's schema,
  creates whatever object the route shows, and returns the URL kwargs and a marker string that
  appears only in that object; B's user must never get that marker, on either host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Build = Callable[[Any], tuple[dict[str, Any], str]]


def _no_object(actors: Any) -> tuple[dict[str, Any], str]:
    return {}, actors.owner_a.phone


@dataclass(frozen=True)
class Case:
    private: bool
    build: Build = _no_object
    methods: tuple[str, ...] = ("get",)
    data: dict[str, Any] = field(default_factory=dict)


def Public(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=False, **kwargs)


def Private(**kwargs: Any) -> Case:  # noqa: N802
    return Case(private=True, **kwargs)


def _kwargs(**values: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        return dict(values), actors.owner_a.phone

    return build


def _handoff_token(actors: Any) -> tuple[dict[str, Any], str]:
    """A real, valid hand-off token for A's owner: B's host must refuse it."""
    from portals.console.handoff import handoff_token_make

    return {"token": handoff_token_make(provider=actors.tenant_a, phone=actors.owner_a.phone)}, (
        actors.owner_a.phone
    )


# --- Provider onboarding, tenant side (console staff/companies/settings, portal sign-in) ----------


def _staff_member(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.services import staff_create

    staff = staff_create(phone="13700007777", password=None, role="engineer", display_name="甲方工程师isoA")
    return {"pk": staff.pk}, "甲方工程师isoA"


def _marker_only(build: Build) -> Build:
    """For list pages: build the object, pass no URL kwargs, look for its marker."""

    def wrapped(actors: Any) -> tuple[dict[str, Any], str]:
        return {}, build(actors)[1]

    return wrapped


def _invitation(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.models import StaffMember
    from accounts.services import staff_invite
    from accounts.tokens import staff_invite_token

    owner = StaffMember.objects.get(pk=actors.owner_a.pk)
    staff = staff_invite(actor=owner, phone="13700008888", role="dispatcher", display_name="受邀isoA")
    uidb64, token = staff_invite_token(staff=staff)
    return {"uidb64": uidb64, "token": token}, actors.owner_a.phone


def _join_token(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.models import StaffMember
    from accounts.services import engineer_join_link_renew

    row = engineer_join_link_renew(actor=StaffMember.objects.get(pk=actors.owner_a.pk))
    return {"token": row.engineer_join_token}, row.engineer_join_token


def _join_token_kwargs(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        kwargs, _token = _join_token(actors)
        return ({**extra} if extra else kwargs), actors.owner_a.phone

    return build


def _company(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from accounts.models import CustomerCompany

        company = CustomerCompany.objects.create(
            name="甲方客户公司isoA", contact_phone="0571-1234567", registration_token="iso-a-company-token"
        )
        return {"pk": company.pk, **extra}, company.name

    return build


def _company_token(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.models import CustomerCompany

    company = CustomerCompany.objects.create(
        name="甲方注册公司isoA", contact_phone="0571-7654321", registration_token="iso-a-join-token"
    )
    return {"token": company.registration_token}, company.contact_phone


def _domain_request(kind: str) -> Build:
    """A domain request of tenant A (public table) whose hostname is the marker."""

    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from tenants.models import DomainRequest

        request = DomainRequest.objects.create(
            provider=actors.tenant_a,
            kind=kind,
            hostname=f"secret-{kind}-a.example",
            status="verifying" if kind == "custom" else "pending",
            txt_token="isolation-token",
        )
        return {"pk": request.pk}, request.hostname

    return build


def _domain_list(actors: Any) -> tuple[dict[str, Any], str]:
    _kwargs, hostname = _domain_request("subdomain")(actors)
    return {}, hostname


def _billing_order(*, wechat_qr: bool = False, in_url: bool = True) -> Build:
    """A billing order of tenant A (public table); its number is the marker."""

    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from billing.models import BillingOrder, PaymentMethod
        from billing.services import order_create_renewal

        order = order_create_renewal(
            provider=actors.tenant_a, plan_code="basic", months=1, method="balance", note="甲方订单isoA"
        )
        if wechat_qr:
            BillingOrder.objects.filter(pk=order.pk).update(
                method=PaymentMethod.WECHAT_PAY, gateway_url="weixin://wxpay/bizpayurl?pr=isoA"
            )
        return ({"number": order.number} if in_url else {}), order.number

    return build


# --- Notifications and WeChat (integrations) ------------------------------------------------------


def _notification(*, staff: bool) -> Build:
    """An in-app message about a fresh order of A, for A's owner (``staff``) or a customer of A."""

    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from accounts.models import StaffMember
        from accounts.services import customer_get_or_create
        from integrations.models import Notification
        from repair_forms.models import OrderEvent, RepairOrder

        customer = customer_get_or_create(phone="13700009991", name="甲通知客户isoA")
        order = RepairOrder.objects.create(number="BX-20240101-09991", reporter=customer)
        event = OrderEvent.objects.create(order=order, transition="submit", actor_kind="customer")
        marker = "甲通知标题isoA"
        notification = Notification.objects.create(
            event=event,
            staff=StaffMember.objects.get(pk=actors.owner_a.pk) if staff else None,
            customer=None if staff else customer,
            audience="back_office" if staff else "reporter",
            channel="inapp" if not staff else "sms",
            kind="submit:back_office",
            title=marker,
            body=marker,
            address="+8613800000001",
        )
        return {"pk": notification.pk}, marker

    return build


def _inbox_message(actors: Any) -> tuple[dict[str, Any], str]:
    kwargs, marker = _notification(staff=True)(actors)
    from integrations.models import Notification

    Notification.objects.filter(pk=kwargs["pk"]).update(channel="inapp")
    return {}, marker


def _wechat_account(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from integrations.wechat.accounts import account_get

        account = account_get()
        account.connection = "manual"
        account.appid = "wx" + "a9" * 8
        account.nickname = "甲公众号isoA"
        account.save()
        return dict(extra), account.nickname

    return build


def _wechat_menu(actors: Any) -> tuple[dict[str, Any], str]:
    from integrations.wechat.menu import menu_get

    menu = menu_get()
    menu.draft = [{"name": "甲菜单iso", "kind": "reply", "reply": "甲菜单回复isoA"}]
    menu.save()
    return {}, "甲菜单回复isoA"


def _staff_bind_token(actors: Any) -> tuple[dict[str, Any], str]:
    from django.core import signing
    from django.db import connection

    from integrations.wechat.views import STAFF_BIND_SALT

    _wechat_account()(actors)
    token = signing.dumps({"s": actors.owner_a.pk, "schema": connection.schema_name}, salt=STAFF_BIND_SALT)
    return {"token": token}, "甲公众号isoA"


def _billing_order(*, wechat_qr: bool = False, in_url: bool = True) -> Build:
    """A billing order of tenant A (public table). Its note is the marker: the number is in the URL,
    and 404 pages echo the path."""

    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from billing.models import BillingOrder, PaymentMethod
        from billing.services import order_create_renewal

        order = order_create_renewal(
            provider=actors.tenant_a, plan_code="basic", months=1, method="balance", note="甲方订单isoA"
        )
        if wechat_qr:
            BillingOrder.objects.filter(pk=order.pk).update(
                method=PaymentMethod.WECHAT_PAY, gateway_url="weixin://wxpay/bizpayurl?pr=isoA"
            )
        return ({"number": order.number} if in_url else {}), order.note

    return build


# --- Asset system (integrations.asset_systems; premium) ---------------------------------------------


def _asset_binding(actors: Any) -> tuple[dict[str, Any], str]:
    """A's binding on the premium plan (the screens show the upgrade prompt otherwise)."""
    from billing.entitlements import forget
    from billing.models import BillingAccount, Plan
    from integrations.asset_systems.models import AssetSystemBinding

    account = BillingAccount.objects.get(provider=actors.tenant_a)
    account.plan = Plan.objects.get(code="premium")
    account.save()
    forget(actors.tenant_a.pk)
    binding = AssetSystemBinding(
        name="甲资产系统isoA", kind="snipeit", base_url="https://assets.example.com", auth_mode="bearer"
    )
    binding.set_secret("token-isoA")
    binding.set_webhook_secret("whsec-isoA")
    binding.save()
    return {"pk": binding.pk}, binding.name


def _asset_binding_id(actors: Any) -> tuple[dict[str, Any], str]:
    kwargs, marker = _asset_binding(actors)
    return {"binding_id": kwargs["pk"]}, marker


def _asset_link(actors: Any) -> tuple[dict[str, Any], str]:
    from accounts.services import customer_get_or_create
    from integrations.asset_systems.models import AssetSystemBinding, ExternalOrderLink
    from repair_forms.models import RepairOrder

    _asset_binding(actors)
    customer = customer_get_or_create(phone="13700009901", name="甲客户isoA")
    order = RepairOrder.objects.create(number="BX-20260101-99901", reporter=customer)
    binding = AssetSystemBinding.objects.get()
    link = ExternalOrderLink.objects.create(
        binding=binding, order=order, push_status="failed", last_error="甲推送失败isoA"
    )
    return {"pk": link.pk}, link.last_error


CASES: dict[str, Case] = {
    "healthz": Public(),
    "set_language": Public(methods=("post",), data={"language": "en", "next": "/"}),
    "api-schema": Public(),
    "api-docs": Public(),
    "api-me": Private(),
    "console:login": Public(),
    "console:logout": Public(methods=("post",)),
    "console:home": Private(),
    "console:portal-qr": Private(build=_kwargs(kind="png")),
    "portal:home": Public(),
    "tls-ask": Public(),
    "console:handoff": Public(build=_handoff_token),
    # Domain forms post and redirect; a GET shows the page they belong to (POSTs: test_console_domains).
    "console:domains": Private(build=_domain_list),
    "console:domain-subdomain": Private(build=_domain_list),
    "console:domain-custom": Private(build=_domain_list),
    "console:domain-detail": Private(build=_domain_request("custom")),
    "console:domain-verify": Private(build=_domain_request("custom")),
    "console:domain-cancel": Private(build=_domain_request("subdomain")),
    # 我的账户 (billing). Forms post and redirect; a GET shows the page they belong to
    # (POSTs, roles and cross-tenant order numbers: portals/tests/test_console_billing.py).
    "console:account": Private(build=_billing_order(in_url=False)),
    "console:account-renew": Private(build=_billing_order(in_url=False)),
    "console:account-upgrade": Private(build=_billing_order(in_url=False)),
    "console:account-top-up": Private(build=_billing_order(in_url=False)),
    "console:account-order": Private(build=_billing_order()),
    "console:account-order-pay": Private(build=_billing_order()),
    "console:account-order-status": Private(build=_billing_order()),
    "console:account-order-qr": Private(build=_billing_order(wechat_qr=True)),
    "console:account-order-cancel": Private(build=_billing_order()),
    "console:account-order-return": Private(build=_billing_order()),
    # Provider onboarding, tenant side.
    "console:profile": Private(),
    "console:settings": Private(),
    "console:embed": Private(),
    "console:staff": Private(build=_marker_only(_staff_member)),
    "console:staff-invite": Private(),
    "console:staff-detail": Private(build=_staff_member),
    "console:staff-join-link": Private(build=_marker_only(_join_token)),
    "console:staff-join-qr": Private(build=_join_token_kwargs(kind="png")),
    "console:staff-welcome": Public(build=_invitation),
    "console:engineer-join": Public(build=_join_token_kwargs()),
    "console:companies": Private(build=_marker_only(_company())),
    "console:company-new": Private(),
    "console:company-detail": Private(build=_company()),
    "console:company-edit": Private(build=_company()),
    "console:company-qr": Private(build=_company(kind="svg")),
    "console:company-poster": Private(build=_company()),
    "portal:login": Public(),
    "portal:logout": Public(methods=("post",)),
    "portal:company-join": Public(build=_company_token),
    "portal:embed-login": Public(),
    "portal:embed-enter": Public(),
    # Notifications and WeChat (integrations). Actions post from these pages; GET shows the page.
    "console:messages": Private(build=_inbox_message),
    "console:message-log": Private(build=_marker_only(_notification(staff=True))),
    "console:message-detail": Private(build=_notification(staff=True)),
    "console:wechat": Private(build=_wechat_account()),
    "console:wechat-authorize": Private(),
    "console:wechat-authorized": Private(),
    "console:wechat-menu": Private(build=_wechat_menu),
    "console:wechat-me": Private(),
    "console:wechat-me-qr": Private(build=_wechat_account(kind="png")),
    "portal:messages": Public(build=_marker_only(_notification(staff=False))),
    "wechat-callback": Public(build=_wechat_account()),
    "wechat-oauth-start": Public(build=_wechat_account()),
    "wechat-oauth-callback": Public(),
    "wechat-bind": Public(),
    "wechat-staff-bind": Public(build=_staff_bind_token),
    # Asset system (premium). Actions post and redirect; a GET shows the page they belong to
    # (POSTs, roles and plans: portals/tests/test_console_asset_systems.py).
    "console:sync": Private(build=_marker_only(_asset_binding)),
    "console:sync-new": Private(build=_marker_only(_asset_binding)),
    "console:sync-binding": Private(build=_asset_binding),
    "console:sync-test": Private(build=_asset_binding),
    "console:sync-toggle": Private(build=_asset_binding),
    "console:sync-rotate": Private(build=_asset_binding),
    "console:sync-log": Private(build=_marker_only(_asset_link)),
    "console:sync-retry-failed": Private(build=_marker_only(_asset_link)),
    "console:sync-retry": Private(build=_asset_link),
    "asset-webhook": Public(methods=("post",), build=_asset_binding_id),
}
