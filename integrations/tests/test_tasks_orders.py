"""The Celery wrappers of the order jobs: they visit every active tenant, and the import task runs
in the schema it was sent from once the upload has committed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import StaffMember
from accounts.services import customer_get_or_create
from integrations import tasks_orders
from repair_forms import services
from repair_forms.imports import import_job_create
from repair_forms.lifecycle import Actor
from repair_forms.models import Asset, ImportJob, RepairOrder
from tenants.models import ProviderStatus
from tenants.services import for_each_tenant


def test_overdue_task_flags_orders_in_every_active_tenant(actors: Any) -> None:
    with schema_context(actors.tenant_a.schema_name):
        _late_order_a = _late_order_free_form()
    with schema_context(actors.tenant_b.schema_name):
        _late_order_b = _late_order_free_form()

    assert tasks_orders.flag_overdue_orders.apply().get() == 2

    for tenant, order in ((actors.tenant_a, _late_order_a), (actors.tenant_b, _late_order_b)):
        with schema_context(tenant.schema_name):
            assert RepairOrder.objects.get(pk=order.pk).is_overdue


def _late_order_free_form() -> RepairOrder:
    from repair_forms.models import FormTemplate

    minimal = FormTemplate.objects.get(builtin_key="minimal")
    return services.order_submit(
        actor=Actor.for_customer(customer_get_or_create(phone="13700000601", name="客户")),
        data={"fault_description": "坏了"},
        template_version=minimal.current_version,
        now=timezone.now() - timedelta(hours=5),
    )


def test_for_each_tenant_skips_suspended_providers_and_survives_failures(actors: Any) -> None:
    actors.tenant_b.status = ProviderStatus.SUSPENDED
    actors.tenant_b.save(update_fields=["status"])

    def job(provider: Any) -> int:
        if provider.pk == actors.tenant_a.pk:
            raise RuntimeError("boom")
        return 1

    results = for_each_tenant(job)
    assert isinstance(results[actors.tenant_a.schema_name], RuntimeError)
    assert actors.tenant_b.schema_name not in results


def test_import_task_runs_after_commit_in_the_senders_schema(
    actors: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with schema_context(actors.tenant_a.schema_name):
        admin = Actor.for_staff(StaffMember.objects.get(pk=actors.owner_a.pk))
        upload = SimpleUploadedFile("a.csv", "机器编号,序列号\nNO900001,SN-9\n".encode())
        with django_capture_on_commit_callbacks(execute=True):
            job = import_job_create(actor=admin, file=upload, filename="a.csv")
            tasks_orders.enqueue_asset_import(job)
        assert ImportJob.objects.get(pk=job.pk).status == "succeeded"
        assert Asset.objects.filter(machine_no="NO900001").exists()
    with schema_context(actors.tenant_b.schema_name):
        assert not Asset.objects.filter(machine_no="NO900001").exists()
