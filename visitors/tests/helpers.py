"""Test data for visitors: the seed's school — a unit (信息学院) with its head and a teacher who hosts,
the two default groups with one member each, a guard, a bystander with no part in the chain, and a
visitor (a portal customer whose phone was verified) — and helpers that walk an application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import Customer, StaffMember, StaffRole
from accounts.services import customer_get_or_create, staff_create
from visitors import services
from visitors.models import Application, ApproverGroup, Invitation, Unit, VisitorType
from visitors.organisation import MATERIALS_GROUP, REPORTING_GROUP
from visitors.validators import resident_id_check_digit

PASSWORD = "secret-123"


def resident_id(first17: str = "11010519491231002") -> str:
    return first17 + resident_id_check_digit(first17)


def _staff(role: str, phone: str, name: str) -> StaffMember:
    existing = StaffMember.objects.filter(phone="+86" + phone).first()
    return existing or staff_create(phone=phone, password=PASSWORD, role=role, display_name=name)


@dataclass
class School:
    admin: StaffMember
    host: StaffMember
    head: StaffMember
    materials: StaffMember
    materials2: StaffMember
    reporting: StaffMember
    guard: StaffMember
    bystander: StaffMember
    unit: Unit
    visitor: Customer

    def data(self, **overrides: Any) -> services.ApplicationData:
        now = timezone.now()
        values: dict[str, Any] = {
            "name": "王访客",
            "phone": self.visitor.phone,
            "id_type": "resident_id",
            "id_number": resident_id(),
            "unit": self.unit,
            "host": self.host,
            "visit_start": now - timedelta(minutes=5),
            "visit_end": now + timedelta(hours=4),
            "visitor_type": VisitorType.TEMPORARY,
            "companions": "李同行",
            "driving": True,
            "plate_number": "粤A12345",
            "reason": "参加学术交流",
        }
        values.update(overrides)
        return services.ApplicationData(**values)

    def submit(self, **overrides: Any) -> Application:
        return services.application_submit(applicant=self.visitor, data=self.data(**overrides))

    def invite(self, *, phone: str | None = None, send: bool = True, **overrides: Any) -> Invitation:
        now = timezone.now()
        values: dict[str, Any] = {
            "name": "王访客",
            "phone": phone or self.visitor.phone,
            "visit_start": now,
            "visit_end": now + timedelta(days=1),
            "host": self.host,
            "unit": self.unit,
            "visitor_type": VisitorType.LONG_TERM,
            "visitors_count": 2,
            "note": "",
        }
        values.update(overrides)
        invitation = services.invitation_create(actor=self.host, data=services.InvitationData(**values))
        if send:
            invitation = services.invitation_send(actor=self.host, invitation=invitation)
        return invitation

    def approve_all(self, application: Application) -> Application:
        """Walk the seed's chain to the end: contact person, unit head, then the branch's group."""
        for approver in (self.host, self.head):
            services.application_decide(actor=approver, application=application, approve=True)
        branch = self.materials if application.visitor_type == VisitorType.TEMPORARY else self.reporting
        services.application_decide(actor=branch, application=application, approve=True)
        application.refresh_from_db()
        return application


def make_school(actors: Any) -> School:
    admin = StaffMember.objects.get(pk=actors.owner_a.pk)
    host = _staff(StaffRole.SUPERVISOR, "13800000201", "对接人张老师")
    head = _staff(StaffRole.SUPERVISOR, "13800000202", "院长李老师")
    materials = _staff(StaffRole.DISPATCHER, "13800000203", "物资组赵老师")
    materials2 = _staff(StaffRole.DISPATCHER, "13800000206", "物资组钱老师")
    reporting = _staff(StaffRole.DISPATCHER, "13800000204", "信息组孙老师")
    guard = _staff(StaffRole.GUARD, "13800000205", "门卫周师傅")
    bystander = StaffMember.objects.get(pk=actors.engineer_a.pk)
    unit = services.unit_save(actor=admin, name="信息学院", head=head, members=[host])
    services.chain_default_ensure()
    ApproverGroup.objects.get(name=MATERIALS_GROUP).members.set([materials, materials2])
    ApproverGroup.objects.get(name=REPORTING_GROUP).members.set([reporting])
    visitor = customer_get_or_create(phone="13700000301", name="王访客")
    return School(admin, host, head, materials, materials2, reporting, guard, bystander, unit, visitor)


def later(minutes: int = 0, hours: int = 0, days: int = 0) -> datetime:
    return timezone.now() + timedelta(minutes=minutes, hours=hours, days=days)
