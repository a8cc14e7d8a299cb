"""Provisioning and every other piece of code that crosses schemas.

``provider_provision`` is all or nothing: the Provider row, its Domain, the new schema and the
per-tenant seed data are written in one PostgreSQL transaction (DDL is transactional there), so a
failure at any step leaves nothing behind.

A new schema comes from, in order of preference:
1. a spare: a pre-migrated empty schema renamed with ``ALTER SCHEMA … RENAME`` (constant time);
2. a DDL copy of the template schema (``tenants.schema_clone``), which ``migrate_schemas`` always
   keeps fully migrated.
Migrations are never replayed for a new tenant.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists
from psycopg.errors import DuplicateSchema

from tenants.broker import publish
from tenants.domains import subdomain_host
from tenants.models import (
    Domain,
    DomainKind,
    Provider,
    ProviderStatus,
    SpareSchema,
    StaffDirectory,
    validate_subdomain,
)
from tenants.schema_clone import clone_schema, qn

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OwnerSpec:
    """The provider's first admin, created inside the new schema by the seeders."""

    phone: str
    password: str
    name: str = ""


class ProvisioningError(ValidationError):
    pass


def schema_name_for(subdomain: str) -> str:
    return "t_" + subdomain.replace("-", "_")


def template_schema() -> str:
    return str(settings.TENANT_TEMPLATE_SCHEMA)


# --- Migration fingerprints ---------------------------------------------------------------------


def migration_fingerprint(schema: str) -> str:
    """md5 over the sorted applied migrations of one schema ('' when it has none)."""
    if not schema_exists(schema):
        return ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) "
            f"FROM {qn(schema)}.django_migrations"
        )
        row = cursor.fetchone()
    return row[0] or "" if row else ""


def fingerprints_of(schemas: list[str]) -> dict[str, str]:
    """One query for any number of schemas: schema → fingerprint of its applied migrations."""
    if not schemas:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "WHERE c.relname = 'django_migrations' AND nspname = ANY(%s)",
            [schemas],
        )
        present = [row[0] for row in cursor.fetchall()]
        if not present:
            return dict.fromkeys(schemas, "")
        union = " UNION ALL ".join(
            f"SELECT %s, md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) "
            f"FROM {qn(s)}.django_migrations"
            for s in present
        )
        cursor.execute(union, present)
        found = {schema: fp or "" for schema, fp in cursor.fetchall()}
    return {s: found.get(s, "") for s in schemas}


# --- Provisioning ---------------------------------------------------------------------------------


def provider_provision(*, name: str, subdomain: str, owner: OwnerSpec, use_spare: bool = True) -> Provider:
    """Create a provider with its subdomain, schema and seed data, all or nothing.

    Two signups racing for one name or subdomain both pass the checks; the database's unique
    constraints pick the winner, and the loser gets the very ``ProvisioningError`` it would have
    got had it come second — never an ``IntegrityError``."""
    name = (name or "").strip()
    subdomain = (subdomain or "").strip().lower()
    errors = _provision_errors(name=name, subdomain=subdomain)
    if errors:
        raise ProvisioningError(errors)

    schema = schema_name_for(subdomain)
    try:
        with transaction.atomic():
            provider = Provider(name=name, schema_name=schema, owner_phone=_e164(owner.phone))
            provider.save()
            Domain.objects.create(
                domain=subdomain_host(subdomain), tenant=provider, is_primary=True, kind=DomainKind.SUBDOMAIN
            )
            _create_tenant_schema(schema, use_spare=use_spare)
            for hook in settings.PROVIDER_PROVISIONED_HOOKS:
                import_string(hook)(provider=provider)
            with schema_context(schema):
                for seeder in settings.TENANT_SEEDERS:
                    import_string(seeder)(provider=provider, owner=owner)
    except (IntegrityError, ProgrammingError) as exc:
        if isinstance(exc, ProgrammingError) and not isinstance(exc.__cause__, DuplicateSchema):
            raise
        logger.info("signup for %r / %r lost a uniqueness race: %s", name, subdomain, exc)
        raise ProvisioningError(
            _provision_errors(name=name, subdomain=subdomain)
            or {"subdomain": [_("This subdomain is already taken.")]}
        ) from None
    if settings.TENANT_SPARE_POOL_SIZE:
        # Robust: a broker outage must not turn a committed signup into an error (beat refills too).
        transaction.on_commit(_enqueue_refill, robust=True)
    logger.info("provisioned provider %s (%s)", provider.name, schema)
    return provider


def _provision_errors(*, name: str, subdomain: str) -> dict[str, list[str]]:
    """What is wrong with this name and subdomain, as the signup form shows it (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter the provider name.")]
    elif len(name) > 80:
        errors["name"] = [_("The provider name can be at most 80 characters.")]
    elif Provider.objects.filter(name__iexact=name).exists():
        errors["name"] = [_("A provider with this name already exists.")]
    try:
        validate_subdomain(subdomain)
    except ValidationError as exc:
        errors["subdomain"] = list(exc.messages)
    else:
        if Domain.objects.filter(domain=subdomain_host(subdomain)).exists() or schema_exists(
            schema_name_for(subdomain)
        ):
            errors["subdomain"] = [_("This subdomain is already taken.")]
    return errors


def _e164(phone: str) -> str:
    """The owner's phone as stored by accounts (E.164), so the public site can look it up.
    An unparsable number is kept as given: the owner seeder refuses it inside the transaction."""
    try:
        parsed = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return phone
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _enqueue_refill() -> None:
    from tenants.tasks import refill_spare_schemas

    publish(refill_spare_schemas)  # never raises: the periodic refill runs anyway


def _create_tenant_schema(schema: str, *, use_spare: bool) -> None:
    current = migration_fingerprint(template_schema())
    if not current:
        raise ProvisioningError(_("The tenant template schema is missing; run migrate_schemas."))
    with connection.cursor() as cursor:
        if use_spare:
            spare = (
                SpareSchema.objects.select_for_update(skip_locked=True)
                .filter(fingerprint=current)
                .order_by("created_at")
                .first()
            )
            if spare is not None:
                cursor.execute(f"ALTER SCHEMA {qn(spare.name)} RENAME TO {qn(schema)}")
                spare.delete()
                return
        clone_schema(cursor, template_schema(), schema)


# --- Template schema and spare pool ------------------------------------------------------------


def spare_pool_refill(*, size: int | None = None) -> int:
    """Top the pool of spare schemas up to ``size``; drop stale ones. Returns how many were made."""
    size = settings.TENANT_SPARE_POOL_SIZE if size is None else size
    current = migration_fingerprint(template_schema())
    if not current:
        return 0
    spare_pool_drop_stale(current)
    made = 0
    while SpareSchema.objects.filter(fingerprint=current).count() < size:
        name = "spare_" + secrets.token_hex(8)
        with transaction.atomic(), connection.cursor() as cursor:
            clone_schema(cursor, template_schema(), name)
            SpareSchema.objects.create(name=name, fingerprint=current)
        made += 1
    return made


def spare_pool_drop_stale(current: str) -> int:
    dropped = 0
    for spare in SpareSchema.objects.exclude(fingerprint=current):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {qn(spare.name)} CASCADE")
            spare.delete()
        dropped += 1
    return dropped


def outdated_tenant_schemas() -> list[str]:
    """Tenant schemas whose applied migrations differ from the template's — one query for all."""
    current = migration_fingerprint(template_schema())
    schemas = list(Provider.objects.values_list("schema_name", flat=True))
    return [s for s, fp in fingerprints_of(schemas).items() if fp != current]


@contextlib.contextmanager
def in_tenant(provider: Provider) -> Iterator[Provider]:
    """Run a block inside one provider's schema (tasks, commands)."""
    with schema_context(provider.schema_name):
        yield provider


# Set by ``tenant_scope`` (the per-tenant task of a fanned-out periodic job): ``for_each_tenant`` then
# visits that one schema and lets its failure propagate so the task retries it.
_SCOPE: ContextVar[str | None] = ContextVar("tenant_scope", default=None)


@contextlib.contextmanager
def tenant_scope(schema_name: str) -> Iterator[None]:
    """Restrict ``for_each_tenant`` to one schema for the duration of the block."""
    token = _SCOPE.set(schema_name)
    try:
        yield
    finally:
        _SCOPE.reset(token)


def tenant_schema_names(*, only_active: bool = True) -> list[str]:
    """Every provider's schema, in a stable order (what a periodic job fans out over)."""
    providers = Provider.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("pk")
    if only_active:
        providers = providers.filter(status=ProviderStatus.ACTIVE)
    return list(providers.values_list("schema_name", flat=True))


def for_each_tenant(func: Callable[[Provider], Any], *, only_active: bool = True) -> dict[str, Any]:
    """Call ``func(provider)`` inside each provider's schema (periodic jobs). One provider's failure
    is logged and recorded as the exception, never stopping the others. Returns schema → result.

    Inside ``tenant_scope(schema)`` only that provider is visited and its failure is raised."""
    results: dict[str, Any] = {}
    scope = _SCOPE.get()
    providers = Provider.objects.exclude(schema_name=settings.PUBLIC_SCHEMA_NAME).order_by("pk")
    if only_active:
        providers = providers.filter(status=ProviderStatus.ACTIVE)
    if scope is not None:
        providers = providers.filter(schema_name=scope)
    for provider in providers.iterator():
        try:
            with schema_context(provider.schema_name):
                results[provider.schema_name] = func(provider)
        except Exception as exc:
            logger.exception("tenant job failed for %s", provider.schema_name)
            if scope is not None:
                raise
            results[provider.schema_name] = exc
    return results


def across_tenants(
    select_sql: str, *, params: tuple[Any, ...] = (), chunk: int = 200
) -> list[tuple[Any, ...]]:
    """Run one read-only ``SELECT`` in every provider's schema and return all rows, each starting
    with its schema name: one ``UNION ALL`` statement per ``chunk`` schemas, never a query (or a
    task) per tenant. ``select_sql`` names its tables as ``{schema}.table`` (metrics, the operator
    health page)."""
    schemas = tenant_schema_names(only_active=False)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(schemas), chunk):
        part = schemas[start : start + chunk]
        sql = " UNION ALL ".join(
            f"(SELECT %s AS schema_name, q.* FROM ({select_sql.format(schema=qn(name))}) AS q)"
            for name in part
        )
        args: list[Any] = []
        for name in part:
            args.extend((name, *params))
        with connection.cursor() as cursor:
            cursor.execute(sql, args)
            rows.extend(tuple(row) for row in cursor.fetchall())
    return rows


def provider_set_status(*, provider: Provider, status: str, reason: str = "") -> Provider:
    provider.status = status
    provider.suspended_reason = reason
    provider.save(update_fields=["status", "suspended_reason"])
    return provider


# --- Staff directory and cross-schema staff passwords ------------------------------------------


def staff_directory_add(*, phone: str) -> None:
    """Record that ``phone`` is staff of the provider whose schema is active. Called by
    ``accounts.services.staff_create`` inside the tenant schema, in its transaction."""
    schema = getattr(connection, "schema_name", settings.PUBLIC_SCHEMA_NAME)
    provider = Provider.objects.filter(schema_name=schema).first()
    if provider is None:  # the template schema or a spare: no provider to point at
        return
    StaffDirectory.objects.get_or_create(phone=phone, provider=provider)


def _staff_user(phone: str) -> Any:
    user = get_user_model().objects.filter(username=phone).first()
    return user if user is not None and user.is_active else None


def staff_password_check(*, provider: Provider, phone: str, password: str) -> bool:
    """Is ``password`` right for the active user ``phone`` in ``provider``'s schema?"""
    with schema_context(provider.schema_name):
        user = _staff_user(phone)
        return bool(user is not None and password and user.check_password(password))


@transaction.atomic
def staff_password_set(*, provider: Provider, phone: str, password: str) -> None:
    """Set a new password for ``phone`` in ``provider``'s schema (password reset by SMS code).
    Raises ValidationError({"password": ...}) for a weak password or an unknown/inactive user."""
    with schema_context(provider.schema_name):
        user = _staff_user(phone)
        if user is None:
            raise ValidationError({"provider": [_("This phone number cannot sign in at that provider.")]})
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
