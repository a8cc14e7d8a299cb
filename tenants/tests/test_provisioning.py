from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tenants.utils import schema_context, schema_exists

from accounts.models import StaffMember
from tenants import services
from tenants.models import Domain, Provider, SpareSchema
from tenants.schema_clone import schema_signature
from tenants.services import OwnerSpec, provider_provision

OWNER = OwnerSpec(phone="13700000077", password="Kestrel-4821")


def _applied(schema: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations ORDER BY app, name')
        return cursor.fetchall()


def test_provisioning_creates_provider_domain_schema_and_owner(db: Any) -> None:
    provider = provider_provision(name="新服务商", subdomain="new-shop", owner=OWNER)

    assert Domain.objects.get(tenant=provider).domain == "new-shop.baoxiu.test"
    assert provider.schema_name == "t_new_shop"
    assert schema_exists("t_new_shop")
    with schema_context(provider.schema_name):
        owner = StaffMember.objects.get()
        assert owner.is_owner and owner.role == "admin" and owner.phone == "+8613700000077"
        assert owner.user.check_password("Kestrel-4821")


def test_new_tenant_has_exactly_the_template_migrations_and_structure(db: Any) -> None:
    provider = provider_provision(name="结构检查", subdomain="shape-check", owner=OWNER)

    template = services.template_schema()
    assert _applied(provider.schema_name) == _applied(template)
    with connection.cursor() as cursor:
        assert schema_signature(cursor, provider.schema_name) == schema_signature(cursor, template)


def test_cloned_identity_columns_have_their_own_sequences(db: Any) -> None:
    first = provider_provision(name="序列一", subdomain="seq-one", owner=OWNER)
    second = provider_provision(
        name="序列二", subdomain="seq-two", owner=OwnerSpec("13700000078", "Kestrel-4821")
    )
    with schema_context(first.schema_name):
        first_id = StaffMember.objects.get().pk
    with schema_context(second.schema_name):
        assert StaffMember.objects.get().pk == first_id  # each schema counts from its own start


def test_a_spare_schema_is_renamed_into_place_when_one_is_ready(db: Any) -> None:
    assert services.spare_pool_refill(size=1) == 1
    spare = SpareSchema.objects.get()

    provider = provider_provision(name="备用池", subdomain="from-spare", owner=OWNER)

    assert not schema_exists(spare.name)
    assert not SpareSchema.objects.exists()
    assert _applied(provider.schema_name) == _applied(services.template_schema())


def test_a_stale_spare_is_never_handed_out(db: Any) -> None:
    services.spare_pool_refill(size=1)
    spare = SpareSchema.objects.get()
    SpareSchema.objects.filter(pk=spare.pk).update(fingerprint="stale")

    provider_provision(name="旧备用", subdomain="no-stale", owner=OWNER)

    assert schema_exists(spare.name)  # untouched; the tenant was cloned from the template
    services.spare_pool_refill(size=0)
    assert not schema_exists(spare.name)


def test_a_failing_seeder_leaves_no_provider_domain_or_schema(db: Any) -> None:
    seeders = ["accounts.seed.create_owner", "tenants.tests.helpers.explode"]
    with override_settings(TENANT_SEEDERS=seeders), pytest.raises(RuntimeError, match="seeding failed"):
        provider_provision(name="半成品", subdomain="half-made", owner=OWNER)

    assert not Provider.objects.filter(name="半成品").exists()
    assert not Domain.objects.filter(domain__startswith="half-made.").exists()
    assert not schema_exists("t_half_made")


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [("www", "reserved"), ("ab", "3–30"), ("-bad-", "3–30"), ("UPPER_case", "3–30"), ("tenant-a", "taken")],
)
def test_bad_or_taken_subdomains_are_refused_with_a_reason(actors: Any, subdomain: str, message: str) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        provider_provision(name="某服务商", subdomain=subdomain, owner=OWNER)
    assert message in " ".join(caught.value.message_dict["subdomain"])


def test_refusals_are_worded_in_chinese_by_default(actors: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider_provision(name="某服务商", subdomain="tenant-a", owner=OWNER)
    assert caught.value.message_dict["subdomain"] == ["该二级域名已被占用。"]


def test_a_duplicate_provider_name_is_refused(actors: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        provider_provision(name=actors.tenant_a.name.upper(), subdomain="other-one", owner=OWNER)
    assert "name" in caught.value.message_dict


def test_a_provider_name_cannot_be_changed(actors: Any) -> None:
    provider = Provider.objects.get(pk=actors.tenant_a.pk)
    provider.name = "改名"
    with pytest.raises(ValidationError):
        provider.save()


def test_create_provider_twice_with_one_subdomain_fails_clearly_and_leaves_nothing(db: Any) -> None:
    out = StringIO()
    call_command(
        "create_provider",
        "--name",
        "命令行",
        "--subdomain",
        "cli-shop",
        "--phone",
        "13700000079",
        "--password",
        "Kestrel-4821",
        stdout=out,
    )
    assert out.getvalue().strip() == "http://cli-shop.baoxiu.test:8000/"
    providers_before = Provider.objects.count()

    with pytest.raises(CommandError, match="subdomain: 该二级域名已被占用"):
        call_command(
            "create_provider",
            "--name",
            "命令行二",
            "--subdomain",
            "cli-shop",
            "--phone",
            "13700000080",
            "--password",
            "Kestrel-4821",
        )
    assert Provider.objects.count() == providers_before
    assert not Provider.objects.filter(name="命令行二").exists()


def test_create_provider_refuses_a_short_password_and_leaves_nothing(db: Any) -> None:
    with pytest.raises(CommandError, match="password"):
        call_command(
            "create_provider",
            "--name",
            "短密码",
            "--subdomain",
            "short-pw",
            "--phone",
            "13700000081",
            "--password",
            "123",
        )
    assert not Provider.objects.filter(name="短密码").exists()
    assert not schema_exists("t_short_pw")


def test_finding_outdated_schemas_costs_the_same_for_any_number_of_tenants(actors: Any) -> None:
    with CaptureQueriesContext(connection) as few:
        assert services.outdated_tenant_schemas() == []
    for n in range(3):
        provider_provision(name=f"更多{n}", subdomain=f"more-{n}", owner=OWNER)
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{actors.tenant_b.schema_name}".django_migrations '
            f'WHERE id = (SELECT max(id) FROM "{actors.tenant_b.schema_name}".django_migrations)'
        )
    with CaptureQueriesContext(connection) as many:
        outdated = services.outdated_tenant_schemas()
    assert outdated == [actors.tenant_b.schema_name]

    # Whether a `SET search_path` precedes depends on what ran before (it is sent once per switch).
    def statements(ctx: CaptureQueriesContext) -> int:
        return sum(not q["sql"].startswith("SET search_path") for q in ctx.captured_queries)

    assert statements(many) == statements(few)


def test_migrate_schemas_brings_an_outdated_tenant_back_in_line(actors: Any) -> None:
    schema = actors.tenant_b.schema_name
    with connection.cursor() as cursor:  # as if the sessions app had just been added
        cursor.execute(f'DROP TABLE "{schema}".django_session')
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s', ["sessions"])
    assert services.outdated_tenant_schemas() == [schema]

    out = StringIO()
    call_command("migrate_schemas", stdout=out)

    assert "tenant schemas migrated: 1" in out.getvalue()
    assert services.outdated_tenant_schemas() == []
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_session')
