"""``seed_demo``: the demo provider ``demo`` with staff to try every role. Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from accounts.models import StaffMember, StaffRole
from accounts.services import staff_create
from repair_forms.demo import demo_data_ensure
from tenants.domains import portal_url, public_url
from tenants.models import Provider
from tenants.services import OwnerSpec, provider_provision
from visitors.demo import visitor_demo_ensure

DEMO_PASSWORD = "demo1234"
DEMO_STAFF = [
    ("13800138000", StaffRole.ADMIN, "演示管理员"),
    ("13800138001", StaffRole.DISPATCHER, "调度员小李"),
    ("13800138002", StaffRole.SUPERVISOR, "主管老陈"),
    ("13800138003", StaffRole.ENGINEER, "工程师小王"),
    ("13800138005", StaffRole.GUARD, "门卫周师傅"),  # visitors: the gate page
]


class Command(BaseCommand):
    help = "Create (or keep) the demo provider and its staff, and print where to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        provider = Provider.objects.filter(schema_name="t_demo").first()
        if provider is None:
            phone, _role, name = DEMO_STAFF[0]
            provider = provider_provision(
                name="演示售后服务中心",
                subdomain="demo",
                owner=OwnerSpec(phone=phone, password=DEMO_PASSWORD, name=name),
            )
        with schema_context(provider.schema_name):
            for phone, role, name in DEMO_STAFF[1:]:
                if not StaffMember.objects.filter(phone=f"+86{phone}").exists():
                    staff_create(phone=phone, password=DEMO_PASSWORD, role=role, display_name=name)
            demo_data_ensure()  # catalog, assets and orders in every state (once)
            by_role = {
                str(s.role): s
                for s in StaffMember.objects.filter(phone__in=[f"+86{p}" for p, *_ in DEMO_STAFF])
            }
            visitor_demo_ensure(admin=by_role["admin"], staff=by_role)  # units, groups, chain, an invitation
        host = provider.primary_host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Baoxiu is ready / 报修已就绪"))
        self.stdout.write(f"  public site / 公共站点:   {public_url('/')}")
        self.stdout.write(f"  demo portal / 演示门户:   {portal_url(host, '/')}")
        self.stdout.write(f"  demo console / 演示后台:  {portal_url(host, '/console/')}")
        for phone, role, name in DEMO_STAFF:
            self.stdout.write(f"    {role.label:<14} {phone} / {DEMO_PASSWORD}   ({name})")
        self.stdout.write("")
