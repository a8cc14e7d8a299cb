"""Test data for repair_forms: people, catalog, assets and orders walked to a state by the services
(never by writing ``status`` directly, so every order under test has a truthful timeline)."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.services import customer_get_or_create, staff_create
from repair_forms import services
from repair_forms.asset_services import AssetData, asset_create, catalog_path_get_or_create
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, OrderStatus, RepairOrder

S = OrderStatus


def jpeg(
    width: int = 64, height: int = 48, color: str = "red", name: str = "p.jpg", fmt: str = "JPEG"
) -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@dataclass
class Cast:
    company: CustomerCompany
    reporter: Customer
    manager: Customer
    loner: Customer  # a customer of no company
    admin: StaffMember
    dispatcher: StaffMember
    supervisor: StaffMember
    engineer: StaffMember
    engineer2: StaffMember
    asset: Asset
    catalog: tuple[Any, Any, Any]

    def actor(self, who: str) -> Actor:
        person = getattr(self, who)
        if isinstance(person, Customer):
            return Actor.for_customer(person)
        return Actor.for_staff(person)

    def form_data(self, **overrides: Any) -> dict[str, Any]:
        brand, category, model = self.catalog
        data: dict[str, Any] = {
            "machine": {"brand": brand.pk, "category": category.pk, "model": model.pk},
            "machine_no": "",
            "serial": "",
            "fault_description": "不能打印",
            "service_type": "repair",
            "warranty": "out",
            "notes": "",
        }
        data.update(overrides)
        return data


def _staff(role: str, phone: str, name: str) -> StaffMember:
    existing = StaffMember.objects.filter(phone="+86" + phone).first()
    return existing or staff_create(phone=phone, password="secret-123", role=role, display_name=name)


def make_cast(actors: Any) -> Cast:
    company = CustomerCompany.objects.create(name="芒果科技", registration_token="tok-mango")
    reporter = customer_get_or_create(phone="13700000101", name="报修人小张", company=company)
    manager = customer_get_or_create(phone="13700000102", name="负责人老刘", company=company)
    manager.is_company_manager = True
    manager.save(update_fields=["is_company_manager"])
    loner = customer_get_or_create(phone="13700000103", name="散户小赵")
    admin = StaffMember.objects.get(is_owner=True)  # the owner of whichever schema is active
    catalog = catalog_path_get_or_create(brand="联想", category="打印机", model="N900")
    asset = asset_create(
        actor=Actor.for_staff(admin),
        data=AssetData(
            machine_no="NO000028",
            serials=["SN-00000168"],
            brand=catalog[0],
            category=catalog[1],
            model=catalog[2],
            company=company,
            location_building="A栋",
            location_room="301",
        ),
    )
    return Cast(
        company=company,
        reporter=reporter,
        manager=manager,
        loner=loner,
        admin=admin,
        dispatcher=_staff(StaffRole.DISPATCHER, "13700000201", "调度员小李"),
        supervisor=_staff(StaffRole.SUPERVISOR, "13700000202", "主管老陈"),
        # A's engineer in A; in another schema (a cross-tenant test) an engineer of that tenant.
        engineer=StaffMember.objects.filter(phone=actors.engineer_a.phone).first()
        or _staff(StaffRole.ENGINEER, "13800000011", "工程师小王"),
        engineer2=_staff(StaffRole.ENGINEER, "13700000203", "工程师小孙"),
        asset=asset,
        catalog=catalog,
    )


# The path every order takes; ``drive`` stops at the first state equal to the target.
PATH = [
    S.SUBMITTED,
    S.ACCEPTED,
    S.DISPATCHED,
    S.IN_PROGRESS,
    S.SUSPENDED,
    S.AWAITING_CONFIRMATION,
    S.COMPLETED,
]


def drive(
    cast: Cast,
    state: str,
    *,
    start: datetime | None = None,
    pending_suspension: bool = False,
    reporter: Customer | None = None,
) -> RepairOrder:
    """A new order of ``reporter`` (default: the company member) walked to ``state``; each step an
    hour after the previous one, starting ``start`` (default: two days ago)."""
    clock = start or timezone.now() - timedelta(days=2)

    def tick() -> datetime:
        nonlocal clock
        clock += timedelta(hours=1)
        return clock

    who = Actor.for_customer(reporter or cast.reporter)
    order = services.order_submit(actor=who, data=cast.form_data(), now=clock)
    if state == S.CANCELLED:
        return services.order_cancel(actor=who, order=order, reason="不需要了", now=tick())
    admin, engineer = cast.actor("admin"), cast.actor("engineer")
    steps = {
        S.ACCEPTED: lambda o: services.order_accept(actor=admin, order=o, now=tick()),
        S.DISPATCHED: lambda o: (
            services.order_dispatch(actor=admin, order=o, engineer=cast.engineer, now=tick()).order
        ),
        S.IN_PROGRESS: lambda o: services.order_start(actor=engineer, order=o, now=tick()),
        S.SUSPENDED: lambda o: _suspend(cast, o, tick),
        S.AWAITING_CONFIRMATION: lambda o: (
            services.order_submit_job_sheet(
                actor=engineer, order=o, work_done="更换硒鼓", result="已修复", now=tick()
            ).order
        ),
        S.COMPLETED: lambda o: services.order_confirm_completion(actor=who, order=o, now=tick()),
    }
    for step in PATH[1:]:
        if order.status == state:
            break
        if step == S.SUSPENDED and state != S.SUSPENDED:
            continue
        if step == S.AWAITING_CONFIRMATION and order.status == S.SUSPENDED:
            order = services.order_resume(actor=engineer, order=order, now=tick())
        order = steps[step](order)
    assert order.status == state, (order.status, state)
    if pending_suspension:
        services.order_request_suspension(actor=engineer, order=order, reason="缺少配件", now=tick())
    order.refresh_from_db()
    return order


def _suspend(cast: Cast, order: RepairOrder, tick: Any) -> RepairOrder:
    services.order_request_suspension(
        actor=cast.actor("engineer"), order=order, reason="缺少配件", now=tick()
    )
    return services.order_approve_suspension(actor=cast.actor("supervisor"), order=order, now=tick())


@contextlib.contextmanager
def queries_at_most(limit: int) -> Iterator[list[str]]:
    """Like ``django_assert_max_num_queries`` but not counting django-tenants' ``SET search_path``
    (it re-sends one before every query unless TENANT_LIMIT_SET_CALLS is on)."""
    with CaptureQueriesContext(connection) as context:
        real: list[str] = []
        yield real
    real.extend(q["sql"] for q in context.captured_queries if not q["sql"].startswith("SET search_path"))
    assert len(real) <= limit, f"{len(real)} queries (limit {limit}):\n" + "\n".join(real)
