"""Demo data for ``manage.py seed_demo``: a catalog, a customer company with a manager, a few assets
and orders in every state, made through the services (so each has a real timeline). Runs once per
tenant: nothing is added when the tenant already has orders."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, CustomerCompany, StaffMember, StaffRole
from accounts.services import customer_get_or_create
from repair_forms import jobs, services
from repair_forms.asset_services import AssetData, apply_asset_data, catalog_path_get_or_create
from repair_forms.form_templates import builtin_templates_ensure
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, RepairOrder, WarrantyStatus

CATALOG = [
    ("联想", "打印机", ["N900", "M7400", "LJ2605"]),
    ("联想", "笔记本电脑", ["ThinkPad X1", "ThinkPad T14"]),
    ("格力", "空调", ["KFR-72LW/(72591)NhAa-3", "KFR-35GW"]),
    ("惠普", "打印机", ["LaserJet Pro M404", "OfficeJet 8020"]),
]
ASSETS = [
    (
        "NO000028",
        "SN-00000168",
        ("格力", "空调", "KFR-72LW/(72591)NhAa-3"),
        "A栋",
        "301",
        WarrantyStatus.CONTRACT,
    ),
    ("NO000031", "345", ("联想", "打印机", "N900"), "A栋", "205", WarrantyStatus.OUT),
    ("NO000032", "36363636", ("联想", "打印机", "M7400"), "B栋", "102", WarrantyStatus.FACTORY),
    ("NO000040", "PF2X9K01", ("联想", "笔记本电脑", "ThinkPad X1"), "B栋", "210", WarrantyStatus.FACTORY),
    (
        "NO000041",
        "CNB8J4M2",
        ("惠普", "打印机", "LaserJet Pro M404"),
        "C栋",
        "一层大厅",
        WarrantyStatus.UNKNOWN,
    ),
]


@transaction.atomic
def demo_data_ensure() -> int:
    """Create the demo catalog, assets and orders if the tenant has no orders. Returns the number
    of orders created."""
    builtin_templates_ensure()
    if RepairOrder.objects.exists():
        return 0
    for brand, category, models in CATALOG:
        for model in models:
            catalog_path_get_or_create(brand=brand, category=category, model=model)
    company, _created = CustomerCompany.objects.get_or_create(
        name="芒果科技有限公司",
        defaults={
            "registration_token": "demo-mango",
            "contact_person": "刘经理",
            "contact_phone": "020-88886666",
        },
    )
    assets = []
    for machine_no, serial, (brand, category, model), building, room, warranty in ASSETS:
        asset = Asset.objects.filter(machine_no=machine_no).first() or Asset()
        b, c, m = catalog_path_get_or_create(brand=brand, category=category, model=model)
        apply_asset_data(
            asset,
            AssetData(
                machine_no=machine_no,
                serials=[serial],
                brand=b,
                category=c,
                model=m,
                company=company,
                location_plot="科学城",
                location_building=building,
                location_room=room,
                location_address="广州市黄埔区科学大道 100 号",
                warranty_status=warranty,
                warranty_ends_on=timezone.localdate() + timedelta(days=200),
            ),
        )
        asset.save()
        assets.append(asset)

    reporter = customer_get_or_create(phone="13600136001", name="张小姐", company=company)
    manager = customer_get_or_create(phone="13600136002", name="刘经理", company=company)
    if not manager.is_company_manager:
        manager.is_company_manager = True
        manager.save(update_fields=["is_company_manager"])
    walk_in = customer_get_or_create(phone="13600136003", name="王先生")
    staff = {s.role: s for s in StaffMember.objects.filter(is_active=True).order_by("-is_owner", "pk")}
    back_office = staff.get(StaffRole.DISPATCHER) or staff.get(StaffRole.ADMIN)
    supervisor = staff.get(StaffRole.SUPERVISOR) or staff.get(StaffRole.ADMIN)
    engineer = staff.get(StaffRole.ENGINEER)
    if back_office is None or supervisor is None or engineer is None:
        return 0
    office, boss, fixer = Actor.for_staff(back_office), Actor.for_staff(supervisor), Actor.for_staff(engineer)
    now = timezone.now()

    def submit(
        who: Customer, asset: Asset, fault: str, hours_ago: float, service_type: str = "repair"
    ) -> RepairOrder:
        return services.order_submit(
            actor=Actor.for_customer(who),
            data={"serial": asset.serials[0], "fault_description": fault, "service_type": service_type},
            asset=asset,
            now=now - timedelta(hours=hours_ago),
        )

    def at(hours_ago: float) -> datetime:
        return now - timedelta(hours=hours_ago)

    # Pending, urged and overdue.
    late = submit(reporter, assets[1], "不能打印，指示灯闪烁", 6)
    services.order_urge(actor=Actor.for_customer(reporter), order=late, now=at(3))
    # Pending, fresh, free-form by a walk-in customer.
    submit(walk_in, assets[4], "卡纸，进纸器异响", 0.5, "maintenance")
    # Accepted.
    accepted = submit(reporter, assets[2], "打印有黑线", 20)
    services.order_accept(actor=office, order=accepted, now=at(19))
    # Dispatched.
    dispatched = submit(manager, assets[3], "开机蓝屏", 26)
    services.order_accept(actor=office, order=dispatched, now=at(25))
    services.order_dispatch(actor=office, order=dispatched, engineer=engineer, now=at(24))
    # In repair.
    repairing = submit(reporter, assets[0], "空调不制冷", 30)
    services.order_accept(actor=office, order=repairing, now=at(29))
    services.order_dispatch(actor=office, order=repairing, engineer=engineer, now=at(28))
    services.order_start(actor=fixer, order=repairing, now=at(27))
    # Suspended (waiting for parts).
    suspended = submit(reporter, assets[1], "硒鼓损坏", 50)
    services.order_accept(actor=office, order=suspended, now=at(49))
    services.order_dispatch(actor=office, order=suspended, engineer=engineer, now=at(48))
    services.order_start(actor=fixer, order=suspended, now=at(47))
    services.order_request_suspension(actor=fixer, order=suspended, reason="缺少硒鼓，等待到货", now=at(46))
    services.order_approve_suspension(actor=boss, order=suspended, note="同意", now=at(45))
    # Awaiting confirmation.
    awaiting = submit(reporter, assets[2], "扫描仪无法连接", 72)
    services.order_accept(actor=office, order=awaiting, now=at(71))
    services.order_dispatch(actor=office, order=awaiting, engineer=engineer, now=at(70))
    services.order_start(actor=fixer, order=awaiting, now=at(69))
    services.order_submit_job_sheet(
        actor=fixer, order=awaiting, work_done="重装驱动并更新固件", result="已修复", now=at(66)
    )
    # Completed and rated.
    done = submit(reporter, assets[0], "遥控器失灵", 120, "maintenance")
    services.order_accept(actor=office, order=done, now=at(119))
    services.order_dispatch(actor=office, order=done, engineer=engineer, now=at(118))
    services.order_start(actor=fixer, order=done, now=at(117))
    services.order_submit_job_sheet(
        actor=fixer,
        order=done,
        work_done="更换遥控器电池与接收板",
        result="已修复",
        parts=[{"name": "接收板", "quantity": 1}],
        now=at(115),
    )
    services.order_confirm_completion(actor=Actor.for_customer(manager), order=done, now=at(110))
    services.order_rate(
        actor=Actor.for_customer(reporter), order=done, stars=5, tags=["很不错", "响应快"], now=at(100)
    )
    # Cancelled.
    cancelled = submit(walk_in, assets[3], "键盘失灵", 40)
    services.order_cancel(actor=Actor.for_customer(walk_in), order=cancelled, reason="已自行解决", now=at(39))
    jobs.flag_overdue_orders(now=now)
    return RepairOrder.objects.count()
