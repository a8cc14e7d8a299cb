"""One entry per named route of the tenant urlconf: how to reach it and what kind it is.

Adding a route without an entry here fails ``test_every_tenant_route_has_an_isolation_case``.

What ``Public`` and ``Private`` cases check is told in ``tests/isolation/case.py``; an area adds
its routes in its own ``cases_<area>.py``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from tests.isolation.case import Build, Case, Private, Public, _kwargs, _marker_only, _no_object

__all__ = ["CASES", "Build", "Case", "Private", "Public", "_kwargs", "_marker_only", "_no_object"]


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

    from integrations.wechat.accounts import current_schema
    from integrations.wechat.views import STAFF_BIND_SALT

    _wechat_account()(actors)
    token = signing.dumps({"s": actors.owner_a.pk, "schema": current_schema()}, salt=STAFF_BIND_SALT)
    return {"token": token}, "甲公众号isoA"


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


# --- Repair orders (issue 4): portal, console, engineer and manager views, the order API -----------

ISO_REPORTER, ISO_MANAGER = "13700004401", "13700004402"
ORDER_MARKER = "甲方故障isoA"
ASSET_MARKER = "ISOA甲方设备1"


def _iso_people() -> tuple[Any, Any]:
    from accounts.models import CustomerCompany
    from accounts.services import customer_get_or_create

    company = CustomerCompany.objects.filter(name="甲方报修公司isoA").first()
    if company is None:
        company = CustomerCompany.objects.create(name="甲方报修公司isoA", registration_token="iso-a-orders")
    reporter = customer_get_or_create(phone=ISO_REPORTER, name="甲方报修人isoA", company=company)
    manager = customer_get_or_create(phone=ISO_MANAGER, name="甲方负责人isoA", company=company)
    if not manager.is_company_manager:
        manager.is_company_manager = True
        manager.save(update_fields=["is_company_manager"])
    return reporter, manager


def _jpeg() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, format="JPEG")
    return SimpleUploadedFile("iso.jpg", buffer.getvalue(), content_type="image/jpeg")


def _iso_order(actors: Any, state: str, *, pending: bool = False, photo: bool = False) -> Any:
    """An order of tenant A walked through the services to ``state`` (filed five hours ago)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import StaffMember
    from repair_forms import services
    from repair_forms.asset_services import catalog_path_get_or_create
    from repair_forms.lifecycle import Actor

    reporter, _manager = _iso_people()
    brand, category, model = catalog_path_get_or_create(brand="甲牌isoA", category="打印机", model="A1")
    clock = timezone.now() - timedelta(hours=5)

    def tick() -> Any:
        nonlocal clock
        clock += timedelta(minutes=10)
        return clock

    data: dict[str, Any] = {
        "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
        "fault_description": ORDER_MARKER,
        "service_type": "repair",
    }
    if photo:
        data["photos"] = [_jpeg()]
    who = Actor.for_customer(reporter)
    order = services.order_submit(actor=who, data=data, now=clock)
    owner = Actor.for_staff(StaffMember.objects.get(pk=actors.owner_a.pk))
    engineer_staff = StaffMember.objects.get(pk=actors.engineer_a.pk)
    engineer = Actor.for_staff(engineer_staff)
    steps = ["accepted", "dispatched", "in_progress", "suspended", "awaiting_confirmation", "completed"]
    for step in steps[: steps.index(state) + 1] if state in steps else []:
        if step == "accepted":
            services.order_accept(actor=owner, order=order, now=tick())
        elif step == "dispatched":
            services.order_dispatch(actor=owner, order=order, engineer=engineer_staff, now=tick())
        elif step == "in_progress":
            services.order_start(actor=engineer, order=order, now=tick())
        elif step == "suspended" and state == "suspended":
            services.order_request_suspension(actor=engineer, order=order, reason="缺配件", now=tick())
            services.order_approve_suspension(actor=owner, order=order, now=tick())
        elif step == "awaiting_confirmation":
            services.order_submit_job_sheet(
                actor=engineer, order=order, work_done="修好", result="好", now=tick()
            )
        elif step == "completed":
            services.order_confirm_completion(actor=who, order=order, now=tick())
    if pending:
        services.order_request_suspension(actor=engineer, order=order, reason="缺配件", now=tick())
    order.refresh_from_db()
    return order


def _order(state: str = "submitted", *, pending: bool = False, **extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        order = _iso_order(actors, state, pending=pending)
        return {"pk": order.pk, **extra}, ORDER_MARKER

    return build


def _order_photo(actors: Any) -> tuple[dict[str, Any], str]:
    order = _iso_order(actors, "submitted", photo=True)
    return {"pk": order.photos.get().pk}, ORDER_MARKER


def _form_template(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from accounts.models import StaffMember
        from repair_forms.form_templates import default_template, form_template_copy
        from repair_forms.lifecycle import Actor

        owner = Actor.for_staff(StaffMember.objects.get(pk=actors.owner_a.pk))
        copy = form_template_copy(actor=owner, template=default_template(), name="甲方表单isoA")
        return {"pk": copy.pk, **extra}, copy.name

    return build


def _asset(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from accounts.models import StaffMember
        from repair_forms.asset_services import AssetData, asset_create
        from repair_forms.lifecycle import Actor

        owner = Actor.for_staff(StaffMember.objects.get(pk=actors.owner_a.pk))
        asset = asset_create(actor=owner, data=AssetData(machine_no=ASSET_MARKER, serials=["ISOA-SN-1"]))
        return ({"pk": asset.pk} if not extra else {}) | extra, ASSET_MARKER

    return build


def _import_job(actors: Any) -> tuple[dict[str, Any], str]:
    from repair_forms.models import ImportJob

    job = ImportJob.objects.create(original_name="甲方导入isoA.csv", file_format="csv")
    return {"pk": job.pk}, job.original_name


def _brand(**extra: Any) -> Build:
    def build(actors: Any) -> tuple[dict[str, Any], str]:
        from repair_forms.models import Brand

        brand = Brand.objects.create(name="甲牌目录isoA")
        return {"pk": brand.pk, **extra}, brand.name

    return build


def _customer_viewer(phone: str) -> Callable[[Any], Any]:
    """A client of tenant A signed in as the customer with ``phone`` (made if missing)."""

    def viewer(actors: Any) -> Any:
        from django.test import Client
        from django_tenants.utils import schema_context

        from tests.actors import host_of

        client = Client(HTTP_HOST=host_of(actors.tenant_a))
        with schema_context(actors.tenant_a.schema_name):
            reporter, manager = _iso_people()
            client.force_login((reporter if phone == ISO_REPORTER else manager).user)
        return client

    return viewer


def _engineer_viewer(actors: Any) -> Any:
    from tests.actors import client_for

    return client_for(actors.tenant_a, actors.engineer_a)


REPORTER = _customer_viewer(ISO_REPORTER)
MANAGER = _customer_viewer(ISO_MANAGER)


def _photo_upload(actors: Any) -> dict[str, Any]:
    return {"file": _jpeg()}


_CORE_CASES: dict[str, Case] = {
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
    # Repair orders (issue 4). Steps post from the order pages; a GET shows the step's page.
    "portal:report": Public(),
    "portal:orders": Private(build=_marker_only(_order()), viewer=REPORTER),
    "portal:order-detail": Private(build=_order(), viewer=REPORTER),
    "portal:order-edit": Private(build=_order(), viewer=REPORTER),
    "portal:order-action": Private(build=_order(action="cancel"), viewer=REPORTER),
    "portal:photo": Private(build=_order_photo, viewer=REPORTER),
    "portal:query": Private(viewer=REPORTER),
    "portal:manager-orders": Private(build=_marker_only(_order()), viewer=MANAGER),
    "console:orders": Private(build=_marker_only(_order())),
    "console:orders-export": Private(build=_marker_only(_order())),
    "console:dashboard": Private(build=_marker_only(_order())),
    "console:order-detail": Private(build=_order()),
    "console:order-action": Private(build=_order(action="accept")),
    "console:photo": Private(build=_order_photo),
    "console:forms": Private(build=_marker_only(_form_template())),
    "console:form-preview": Private(build=_form_template()),
    "console:form-edit": Private(build=_form_template()),
    "console:form-versions": Private(build=_form_template()),
    "console:form-action": Private(build=_form_template(action="copy")),
    "console:assets": Private(build=_marker_only(_asset())),
    "console:asset-new": Private(),
    "console:asset-edit": Private(build=_asset()),
    "console:asset-labels": Private(build=_marker_only(_asset())),
    "console:asset-export": Private(build=_asset(file_format="csv")),
    "console:asset-import": Private(build=_marker_only(_import_job)),
    "console:asset-import-template": Private(build=_kwargs(file_format="xlsx")),
    "console:asset-import-job": Private(build=_import_job),
    "console:asset-import-status": Private(build=_import_job),
    "console:catalog": Private(build=_marker_only(_brand())),
    "console:catalog-entry": Private(build=_brand(kind="brand")),
    "console:jobs": Private(build=_marker_only(_order("dispatched")), viewer=_engineer_viewer),
    "console:job-detail": Private(build=_order("dispatched"), viewer=_engineer_viewer),
    "console:job-action": Private(build=_order("dispatched", action="start"), viewer=_engineer_viewer),
    "api-portal-form": Public(),
    "api-portal-asset-lookup": Private(
        build=_marker_only(_asset()), data={"q": ASSET_MARKER}, viewer=REPORTER
    ),
    "api-portal-photos": Private(methods=("post",), data=_photo_upload, viewer=REPORTER),
    "api-portal-orders": Private(build=_marker_only(_order()), viewer=REPORTER),
    "api-portal-order": Private(build=_order(), viewer=REPORTER),
    "api-portal-order-cancel": Private(
        methods=("post",), build=_order(), data={"reason": "不要了"}, viewer=REPORTER
    ),
    "api-portal-order-urge": Private(methods=("post",), build=_order(), viewer=REPORTER),
    "api-portal-order-confirm": Private(
        methods=("post",), build=_order("awaiting_confirmation"), viewer=MANAGER
    ),
    "api-portal-order-reject": Private(
        methods=("post",), build=_order("awaiting_confirmation"), data={"reason": "没修好"}, viewer=REPORTER
    ),
    "api-portal-order-rate": Private(
        methods=("post",), build=_order("completed"), data={"stars": 5}, viewer=REPORTER
    ),
    "api-console-orders": Private(build=_marker_only(_order())),
    "api-console-order": Private(build=_order()),
    "api-console-engineers": Private(),
    "api-console-order-accept": Private(methods=("post",), build=_order()),
    "api-console-order-dispatch": Private(
        methods=("post",), build=_order("accepted"), data=lambda actors: {"engineer": actors.engineer_a.pk}
    ),
    "api-console-order-approve-suspension": Private(
        methods=("post",), build=_order("in_progress", pending=True)
    ),
    "api-console-order-reject-suspension": Private(
        methods=("post",), build=_order("in_progress", pending=True), data={"reason": "继续修"}
    ),
    "api-console-order-progress": Private(
        methods=("post",), build=_order(), data={"status": "cancelled", "reason": "电话已解决"}
    ),
    "api-console-order-notes": Private(methods=("post",), build=_order(), data={"note": "内部备注"}),
}


def _area_cases() -> dict[str, Case]:
    """Every ``tests/isolation/cases_<area>.py`` module's ``CASES``; a route named twice is an error."""
    import tests.isolation as package

    merged: dict[str, Case] = {}
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not module_info.name.startswith("cases_"):
            continue
        module = importlib.import_module(f"tests.isolation.{module_info.name}")
        for route, case in module.CASES.items():
            if route in merged or route in _CORE_CASES:
                raise ValueError(f"isolation case for {route!r} is defined twice ({module_info.name})")
            merged[route] = case
    return merged


CASES: dict[str, Case] = {**_CORE_CASES, **_area_cases()}
