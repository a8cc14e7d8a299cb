"""Writes for the asset-system sync: the binding (console), the lookup cache, order pushes, status
changes (webhook and pull) and retries.

What must stay true:
- only an admin changes a binding, and only while the plan includes asset sync;
- a secret typed into the binding form is sealed before it is saved and never returned;
- a push never runs inside the customer's request: the order is linked in its transaction and
  pushed after commit by a task (``tasks.push_order``), which retries with exponential backoff; a
  failure leaves the order untouched and the link ``pending`` (or ``failed`` once given up);
- an external status becomes our status only through ``repair_forms.services`` (one lifecycle
  transition per step, as ``Actor.asset_adapter``), so the events, SLA clocks and notifications
  are exactly those of the same steps taken in the console; a repeated change is a no-op;
- a webhook is accepted only with a valid HMAC-SHA256 signature of ``"<timestamp>.<body>"`` under
  the binding's secret, a timestamp within the tolerance and a delivery id never seen before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from accounts.validators import normalize_phone
from integrations.asset_systems.adapters import adapter_class, adapter_for, registered_kinds
from integrations.asset_systems.adapters.base import (
    AdapterError,
    ExternalAsset,
    NotApplicable,
    StatusChange,
    WorkOrderRequest,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    AuthMode,
    ExternalOrderLink,
    PushStatus,
    SyncLogEntry,
    SyncOperation,
    SyncResult,
    WebhookDelivery,
)
from integrations.asset_systems.selectors import active_binding, sync_allowed
from repair_forms.asset_services import (
    AssetData,
    apply_asset_data,
    asset_create,
    asset_data_errors,
    catalog_path_get_or_create,
    company_by_name,
)
from repair_forms.lifecycle import Actor, TransitionNotAllowed
from repair_forms.models import TERMINAL_STATUSES, Asset, AssetSource, OrderStatus, RepairOrder
from repair_forms.services import external_transition_for, order_apply_external_status

logger = logging.getLogger(__name__)

S = OrderStatus
MAPPABLE_STATUSES = [s for s in S.values if s != S.SUBMITTED]
IGNORE = "ignore"
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,59}$")
BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
DISABLED_RECHECK_SECONDS = 3600


def adapter_actor(binding: AssetSystemBinding) -> Actor:
    return Actor.asset_adapter(str(binding)[:60])


def log_entry(
    *,
    binding: AssetSystemBinding | None,
    operation: str,
    result: str,
    error: str = "",
    summary: str = "",
    order: RepairOrder | None = None,
    latency_ms: int = 0,
    http_status: int | None = None,
) -> SyncLogEntry:
    return SyncLogEntry.objects.create(
        binding=binding,
        operation=operation,
        result=result,
        error=str(error)[:500],
        request_summary=summary[:300],
        order=order,
        latency_ms=max(0, latency_ms),
        http_status=http_status,
    )


def _require_admin(actor: StaffMember) -> None:
    if actor.role != StaffRole.ADMIN or not actor.is_active:
        raise PermissionDenied(_("Only an administrator can change the asset-system binding."))


def _require_plan() -> None:
    if not sync_allowed():
        raise PermissionDenied(
            _("Your plan does not include asset-system sync. Upgrade to the premium plan.")
        )


# --- Binding (console) -----------------------------------------------------------------------------


@dataclass
class BindingInput:
    """What the binding form submits. ``secret`` empty keeps the stored one."""

    name: str
    kind: str
    base_url: str
    auth_mode: str
    username: str = ""
    header_name: str = ""
    secret: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    field_mapping: dict[str, Any] = field(default_factory=dict)
    status_mapping: dict[str, Any] = field(default_factory=dict)
    engineer: StaffMember | None = None


def status_mapping_errors(mapping: Any) -> list[str]:
    """Problems with a status mapping {external value: our status or "ignore"}."""
    if not isinstance(mapping, dict):
        return [_('The status mapping must be a JSON object like {"done": "completed"}.')]
    errors: list[str] = []
    allowed = ", ".join([*MAPPABLE_STATUSES, IGNORE])
    for key, value in mapping.items():
        if not str(key).strip():
            errors.append(_("A status mapping entry has an empty external value."))
        elif len(str(key)) > 80:
            errors.append(
                _("The external value “%(value)s” is longer than 80 characters.") % {"value": str(key)[:20]}
            )
        if value not in MAPPABLE_STATUSES and value != IGNORE:
            errors.append(
                _("“%(key)s” maps to “%(value)s”, which is not one of our statuses (%(allowed)s).")
                % {"key": key, "value": value, "allowed": allowed}
            )
    if len(mapping) > 100:
        errors.append(_("At most 100 status mapping entries."))
    return errors


def binding_errors(data: BindingInput, *, binding: AssetSystemBinding | None) -> dict[str, list[str]]:
    from django.core.validators import URLValidator

    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Enter a name.")]
    elif len(data.name.strip()) > 60:
        errors["name"] = [_("At most %(max)d characters.") % {"max": 60}]
    if data.kind not in registered_kinds():
        errors["kind"] = [_("Choose a system.")]
        return errors
    cls = adapter_class(data.kind)
    try:
        URLValidator(schemes=["http", "https"])(data.base_url)
    except ValidationError:
        errors["base_url"] = [_("Enter the system's address, starting with http:// or https://.")]
    if len(data.base_url) > 300:
        errors["base_url"] = [_("At most %(max)d characters.") % {"max": 300}]
    if data.auth_mode not in cls.auth_modes:
        errors["auth_mode"] = [
            _("%(system)s signs in with: %(modes)s.")
            % {"system": cls.label, "modes": ", ".join(str(AuthMode(m).label) for m in cls.auth_modes)}
        ]
    if data.auth_mode == AuthMode.PASSWORD and not data.username.strip():
        errors["username"] = [_("Enter the admin account.")]
    if len(data.username) > 120:
        errors["username"] = [_("At most %(max)d characters.") % {"max": 120}]
    if data.auth_mode == AuthMode.HEADER and not HEADER_NAME_RE.match(data.header_name.strip()):
        errors["header_name"] = [_("Enter the header name, e.g. X-Api-Key (letters, digits and hyphens).")]
    keeps_secret = (
        binding is not None
        and binding.has_secret
        and binding.auth_mode == data.auth_mode
        and binding.kind == data.kind
    )
    if not data.secret and not keeps_secret:
        errors["secret"] = [
            _("Enter the password.")
            if data.auth_mode == AuthMode.PASSWORD
            else _("Enter the API token or key.")
        ]
    if len(data.secret) > 4000:
        errors["secret"] = [_("At most %(max)d characters.") % {"max": 4000}]
    option_errors = (
        cls.options_errors(data.options, auth_mode=data.auth_mode)
        if isinstance(data.options, dict)
        else [_("Must be a JSON object.")]
    )
    if option_errors:
        errors["options"] = option_errors
    if not isinstance(data.field_mapping, dict):
        errors["field_mapping"] = [_("Must be a JSON object.")]
    else:
        mapping_errors = cls.field_mapping_errors(data.field_mapping)
        if mapping_errors:
            errors["field_mapping"] = mapping_errors
    status_errors = status_mapping_errors(data.status_mapping)
    if status_errors:
        errors["status_mapping"] = status_errors
    engineer = data.engineer
    if engineer is not None and (engineer.role != StaffRole.ENGINEER or not engineer.is_active):
        errors["engineer"] = [_("Choose an active engineer.")]
    return errors


@transaction.atomic
def binding_save(
    *, actor: StaffMember, data: BindingInput, binding: AssetSystemBinding | None = None
) -> AssetSystemBinding:
    """Create or edit the binding. A new binding starts disabled with a fresh webhook secret;
    changing the address, account or sign-in drops the cached session token."""
    _require_admin(actor)
    _require_plan()
    errors = binding_errors(data, binding=binding)
    if errors:
        raise ValidationError(errors)
    if binding is None:
        binding = AssetSystemBinding()
        binding.set_webhook_secret(new_webhook_secret())
    else:
        binding = AssetSystemBinding.objects.select_for_update().get(pk=binding.pk)
    sign_in_changed = (
        binding.base_url != data.base_url.strip()
        or binding.username != data.username.strip()
        or binding.auth_mode != data.auth_mode
    )
    binding.name = data.name.strip()
    binding.kind = data.kind
    binding.base_url = data.base_url.strip()
    binding.auth_mode = data.auth_mode
    binding.username = data.username.strip() if data.auth_mode == AuthMode.PASSWORD else ""
    binding.header_name = data.header_name.strip() if data.auth_mode == AuthMode.HEADER else ""
    if data.secret:
        binding.set_secret(data.secret)
    elif sign_in_changed:
        binding.session_token_sealed = ""
        binding.session_token_expires_at = None
    binding.options = data.options
    binding.field_mapping = data.field_mapping
    binding.status_mapping = {str(k).strip(): v for k, v in data.status_mapping.items()}
    binding.engineer = data.engineer
    binding.updated_by = actor
    binding.save()
    return binding


def binding_defaults(kind: str) -> dict[str, Any]:
    """The starting options and mappings of a new binding of ``kind`` (shown in the form)."""
    cls = adapter_class(kind)
    return {
        "options": cls.default_options(),
        "field_mapping": cls.default_field_mapping(),
        "status_mapping": cls.default_status_mapping(),
        "auth_mode": cls.auth_modes[0],
    }


@transaction.atomic
def binding_set_enabled(
    *, actor: StaffMember, binding: AssetSystemBinding, enabled: bool
) -> AssetSystemBinding:
    """Switch syncing on or off. Switching one binding on switches any other off."""
    _require_admin(actor)
    binding = AssetSystemBinding.objects.select_for_update().get(pk=binding.pk)
    if enabled:
        _require_plan()
        if not binding.has_secret:
            raise ValidationError(_("Enter the credentials before switching the sync on."))
        AssetSystemBinding.objects.filter(enabled=True).exclude(pk=binding.pk).update(enabled=False)
    binding.enabled = enabled
    binding.updated_by = actor
    binding.save(update_fields=["enabled", "updated_by", "updated_at"])
    return binding


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


@transaction.atomic
def binding_rotate_webhook_secret(*, actor: StaffMember, binding: AssetSystemBinding) -> AssetSystemBinding:
    """A new webhook secret; deliveries signed with the old one are refused from now on."""
    _require_admin(actor)
    _require_plan()
    binding = AssetSystemBinding.objects.select_for_update().get(pk=binding.pk)
    binding.set_webhook_secret(new_webhook_secret())
    binding.updated_by = actor
    binding.save(update_fields=["webhook_secret_sealed", "updated_by", "updated_at"])
    return binding


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


def binding_test(*, actor: StaffMember, binding: AssetSystemBinding) -> ConnectionResult:
    """测试连接: sign in and make one harmless read; the result is kept on the binding and logged.
    Not atomic on purpose: the call and its log row are kept whatever happens."""
    _require_admin(actor)
    _require_plan()
    started = time.monotonic()
    try:
        adapter = adapter_for(binding)
        message = adapter.test_connection()
        result = ConnectionResult(True, message or _("Connected."))
    except AdapterError as exc:
        result = ConnectionResult(False, exc.message)
    except Exception:
        logger.exception("connection test crashed for binding %s", binding.pk)
        result = ConnectionResult(False, _("The test failed unexpectedly. Check the address and try again."))
        log_entry(
            binding=binding,
            operation=SyncOperation.TEST,
            result=SyncResult.FAILED,
            error=result.message,
            latency_ms=int((time.monotonic() - started) * 1000),
        )
    AssetSystemBinding.objects.filter(pk=binding.pk).update(
        last_test_at=timezone.now(), last_test_ok=result.ok, last_test_message=result.message[:300]
    )
    return result


# --- Lookup cache -------------------------------------------------------------------------------------


def _asset_data(found: ExternalAsset, *, existing: Asset | None) -> AssetData:
    brand, category, model = catalog_path_get_or_create(
        brand=found.brand,
        category=found.category if found.brand else "",
        model=found.model if found.category else "",
    )
    company = company_by_name(found.company) if found.company else None
    return AssetData(
        machine_no=found.machine_no[:60],
        serials=[s[:80] for s in found.serials if s][:10],
        brand=brand,
        category=category,
        model=model,
        company=company or (existing.company if existing else None),
        location_plot=found.location_plot[:60],
        location_building=found.location_building[:60],
        location_room=found.location_room[:60],
        location_address=found.location_address[:200],
        warranty_status=existing.warranty_status if existing else "unknown",
        warranty_ends_on=found.warranty_ends_on,
        notes=found.notes[:500],
        source=AssetSource.EXTERNAL,
        external_id=found.external_id[:80],
    )


def external_asset_lookup(*, binding: AssetSystemBinding, query: str) -> Asset | None:
    """Ask the bound system for ``query``; a hit is saved (or refreshed) here as an external asset.
    Returns None on a miss, on any failure (logged) and for a machine deactivated here."""
    adapter = adapter_for(binding)
    adapter.client.timeout = float(settings.ASSET_SYNC_LOOKUP_TIMEOUT_SECONDS)
    try:
        found = adapter.lookup_asset(query)
    except AdapterError as exc:
        logger.warning("external lookup of %r failed: %s", query[:20], exc.message)
        return None
    if found is None or not found.external_id:
        return None
    return asset_cache_external(binding=binding, found=found)


def asset_cache_external(*, binding: AssetSystemBinding, found: ExternalAsset) -> Asset | None:
    """Save ``found`` as a local asset (source external), or refresh the one saved before."""
    actor = adapter_actor(binding)
    try:
        with transaction.atomic():
            existing = (
                Asset.objects.select_for_update()
                .filter(source=AssetSource.EXTERNAL, external_id=found.external_id[:80])
                .first()
            )
            if existing is not None and not existing.is_active:
                return None  # the provider switched this machine off here
            data = _asset_data(found, existing=existing)
            if existing is None:
                return asset_create(actor=actor, data=data)
            errors = asset_data_errors(data, exclude_pk=existing.pk)
            if errors:
                raise ValidationError(errors)
            apply_asset_data(existing, data)
            existing.save()
            return existing
    except IntegrityError:
        # Another lookup saved it a moment ago.
        return Asset.objects.filter(
            source=AssetSource.EXTERNAL, external_id=found.external_id[:80], is_active=True
        ).first()
    except ValidationError as exc:
        detail = "; ".join(str(m) for messages in exc.message_dict.values() for m in messages)
        log_entry(
            binding=binding,
            operation=SyncOperation.LOOKUP,
            result=SyncResult.FAILED,
            error=_("The machine was found but cannot be saved here: %(detail)s") % {"detail": detail},
            summary=f"asset {found.external_id[:40]}",
        )
        return None


# --- Push --------------------------------------------------------------------------------------------


def order_link_create(*, order: RepairOrder) -> ExternalOrderLink | None:
    """Called in the order's own transaction when it is submitted: remember that it must be sent.
    Nothing is sent here; ``tasks.push_order`` does it after commit."""
    binding = active_binding()
    if binding is None:
        return None
    link, _created = ExternalOrderLink.objects.get_or_create(
        order=order, defaults={"binding": binding, "next_retry_at": timezone.now()}
    )
    return link


def _location(order: RepairOrder) -> str:
    parts = [order.location_plot, order.location_building, order.location_room, order.location_address]
    return " ".join(p for p in parts if p)


def work_order_request_for(order: RepairOrder) -> WorkOrderRequest:
    asset = order.asset
    submitted = timezone.localtime(order.submitted_at)
    title = f"{order.number} {order.fault_description}".strip()
    return WorkOrderRequest(
        order_number=order.number,
        title=title[:100],
        description=order.fault_description,
        serial=order.serial or (asset.serials[0] if asset and asset.serials else ""),
        machine_no=order.machine_no or (asset.machine_no if asset else ""),
        asset_external_id=asset.external_id if asset and asset.source == AssetSource.EXTERNAL else "",
        brand=str(order.brand or ""),
        category=str(order.category or ""),
        model=str(order.model or ""),
        service_type=order.get_service_type_display() if order.service_type else "",
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        company=str(order.company or ""),
        address=_location(order),
        submitted_at=submitted.isoformat(timespec="seconds"),
        submitted_on=submitted.date().isoformat(),
    )


def backoff_seconds(attempts: int) -> int:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most 6 hours."""
    return int(min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)))


def order_push(*, link_id: int, now: datetime | None = None) -> ExternalOrderLink | None:
    """Send one pending order. Safe to run twice: the link row is locked for the call and a pushed
    link is left alone. Failure: retried later with backoff, or ``failed`` once given up."""
    now = now or timezone.now()
    with transaction.atomic():
        link = (
            ExternalOrderLink.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "binding", "order", "order__asset", "order__brand", "order__category", "order__model"
            )
            .filter(pk=link_id)
            .first()
        )
        if link is None or link.push_status != PushStatus.PENDING:
            return link
        binding = link.binding
        if not binding.enabled or not sync_allowed():
            link.last_error = _(
                "Sync is switched off or not included in the plan; the order will be sent later."
            )
            link.next_retry_at = now + timedelta(seconds=DISABLED_RECHECK_SECONDS)
            link.save(update_fields=["last_error", "next_retry_at", "updated_at"])
            return link
        adapter = adapter_for(binding)
        adapter.client.order = link.order
        link.attempts += 1
        try:
            result = adapter.push_order(work_order_request_for(link.order))
        except NotApplicable as exc:
            link.push_status = PushStatus.SKIPPED
            link.last_error = exc.message[:500]
            link.next_retry_at = None
        except AdapterError as exc:
            link.last_error = exc.message[:500]
            if exc.retryable and link.attempts < int(settings.ASSET_SYNC_PUSH_MAX_ATTEMPTS):
                link.next_retry_at = now + timedelta(seconds=backoff_seconds(link.attempts))
            else:
                link.push_status = PushStatus.FAILED
                link.next_retry_at = None
        else:
            link.push_status = PushStatus.PUSHED
            link.external_id = result.external_id[:80]
            link.external_status = result.external_status[:80]
            link.external_asset_id = result.external_asset_id[:80]
            link.pushed_at = now
            link.last_error = ""
            link.next_retry_at = None
            RepairOrder.objects.filter(pk=link.order_id).update(external_ref=link.external_id)
        link.save()
        return link


def _enqueue_push(link_ids: Sequence[int]) -> None:
    from integrations.asset_systems.tasks import enqueue_push

    ids, schema_name = list(link_ids), str(getattr(connection, "schema_name", ""))
    transaction.on_commit(lambda: enqueue_push(ids, schema_name=schema_name), robust=True)


@transaction.atomic
def link_retry(*, actor: StaffMember, link: ExternalOrderLink) -> ExternalOrderLink:
    """重试: a failed (or waiting) push is sent again now, with a fresh attempt budget."""
    if actor.role not in (StaffRole.ADMIN, StaffRole.DISPATCHER) or not actor.is_active:
        raise PermissionDenied(_("Only administrators and dispatchers can retry a push."))
    link = ExternalOrderLink.objects.select_for_update().get(pk=link.pk)
    if link.push_status not in (PushStatus.FAILED, PushStatus.PENDING, PushStatus.SKIPPED):
        raise ValidationError(_("This order has already been sent."))
    link.push_status = PushStatus.PENDING
    link.attempts = 0
    link.next_retry_at = timezone.now()
    link.save(update_fields=["push_status", "attempts", "next_retry_at", "updated_at"])
    _enqueue_push([link.pk])
    return link


@transaction.atomic
def links_retry_failed(*, actor: StaffMember) -> int:
    """Retry every failed push (e.g. after the credentials were corrected)."""
    if actor.role not in (StaffRole.ADMIN, StaffRole.DISPATCHER) or not actor.is_active:
        raise PermissionDenied(_("Only administrators and dispatchers can retry a push."))
    ids = list(
        ExternalOrderLink.objects.filter(push_status=PushStatus.FAILED).values_list("pk", flat=True)[:500]
    )
    ExternalOrderLink.objects.filter(pk__in=ids).update(
        push_status=PushStatus.PENDING, attempts=0, next_retry_at=timezone.now(), updated_at=timezone.now()
    )
    _enqueue_push(ids)
    return len(ids)


def due_push_ids(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        ExternalOrderLink.objects.filter(push_status=PushStatus.PENDING, next_retry_at__lte=now)
        .order_by("next_retry_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


# --- Status changes ------------------------------------------------------------------------------------


def lifecycle_path(current: str, target: str) -> list[str] | None:
    """The statuses an order passes through from ``current`` to ``target`` using only steps the
    asset adapter may take (shortest first). ``[]`` when already there; None when impossible."""
    if current == target:
        return []
    seen = {current}
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    while queue:
        status, path = queue.popleft()
        for candidate in S.values:
            if candidate in seen or external_transition_for(status, candidate) is None:
                continue
            next_path = [*path, candidate]
            if candidate == target:
                return next_path
            seen.add(candidate)
            queue.append((candidate, next_path))
    return None


def map_status(binding: AssetSystemBinding, external_status: str) -> str | None:
    """Our status for an external value (exact, then case-insensitive); None: not mapped/ignored."""
    mapping = binding.status_mapping or {}
    value = mapping.get(external_status)
    if value is None:
        lowered = external_status.strip().lower()
        value = next((v for k, v in mapping.items() if str(k).strip().lower() == lowered), None)
    if value in (None, IGNORE) or value not in MAPPABLE_STATUSES:
        return None
    return str(value)


def _engineer_for(binding: AssetSystemBinding, change: StatusChange) -> StaffMember | None:
    if change.engineer_phone:
        try:
            phone = normalize_phone(change.engineer_phone)
        except ValidationError:
            phone = ""
        if phone:
            named = StaffMember.objects.filter(phone=phone, role=StaffRole.ENGINEER, is_active=True).first()
            if named is not None:
                return named
    engineer = binding.engineer
    if engineer is not None and engineer.role == StaffRole.ENGINEER and engineer.is_active:
        return engineer
    return None


@dataclass(frozen=True)
class ApplyOutcome:
    result: str  # SyncResult
    message: str
    order: RepairOrder | None = None
    changed: bool = False  # the order moved


def status_change_apply(*, binding: AssetSystemBinding, change: StatusChange, via: str) -> ApplyOutcome:
    """Turn one external status change into our lifecycle steps (all or none) and log it."""
    summary = f"{via} {change.external_id[:40]} “{change.external_status[:40]}”"
    link = (
        ExternalOrderLink.objects.filter(binding=binding, external_id=change.external_id)
        .select_related("order")
        .first()
        if change.external_id
        else None
    )
    if link is None:
        message = _("No order here has the external work order %(id)s.") % {"id": change.external_id[:40]}
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.REFUSED,
            error=message,
            summary=summary,
        )
        return ApplyOutcome(SyncResult.REFUSED, message)
    order = link.order
    target = map_status(binding, change.external_status)
    if target is None:
        ExternalOrderLink.objects.filter(pk=link.pk).update(
            external_status=change.external_status[:80], synced_at=timezone.now()
        )
        message = _("“%(value)s” is not mapped to one of our statuses; nothing changed.") % {
            "value": change.external_status[:40]
        }
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.OK,
            error=message,
            summary=summary,
            order=order,
        )
        return ApplyOutcome(SyncResult.OK, message, order)
    try:
        with transaction.atomic():
            locked = RepairOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
            before = locked.status
            if before in TERMINAL_STATUSES and before != target:
                raise TransitionNotAllowed(
                    _("Order %(number)s is already %(status)s here.")
                    % {"number": locked.number, "status": S(before).label},
                    transition="external_sync",
                )
            path = lifecycle_path(before, target)
            if path is None:
                raise TransitionNotAllowed(
                    _("Order %(number)s cannot go from “%(current)s” to “%(target)s” by a sync.")
                    % {"number": locked.number, "current": S(before).label, "target": S(target).label},
                    transition="external_sync",
                )
            engineer = _engineer_for(binding, change)
            actor = adapter_actor(binding)
            for index, step in enumerate(path):
                if step == S.DISPATCHED and engineer is None:
                    raise TransitionNotAllowed(
                        _(
                            "Order %(number)s needs an engineer to move on. Choose the engineer for external "
                            "work orders in the asset-system binding."
                        )
                        % {"number": locked.number},
                        transition="dispatch",
                    )
                # The external note goes on the job sheet (what was done) and on the last step.
                carries_note = index == len(path) - 1 or step == S.AWAITING_CONFIRMATION
                locked = order_apply_external_status(
                    order=locked,
                    status=step,
                    external_status=change.external_status[:80],
                    note=change.note[:500] if carries_note else "",
                    engineer=engineer,
                    actor=actor,
                )
            ExternalOrderLink.objects.filter(pk=link.pk).update(
                external_status=change.external_status[:80], synced_at=timezone.now()
            )
    except ValidationError as exc:  # TransitionNotAllowed included
        message = "; ".join(exc.messages)
        log_entry(
            binding=binding,
            operation=SyncOperation.APPLY,
            result=SyncResult.FAILED,
            error=message,
            summary=summary,
            order=order,
        )
        return ApplyOutcome(SyncResult.FAILED, message, order)
    if path:
        message = f"{order.number}: {S(before).label} → {S(target).label}"
    else:
        message = _("Order %(number)s is already “%(status)s”.") % {
            "number": order.number,
            "status": S(target).label,
        }
    log_entry(
        binding=binding,
        operation=SyncOperation.APPLY,
        result=SyncResult.OK,
        summary=f"{summary} {message}"[:300],
        order=order,
    )
    return ApplyOutcome(SyncResult.OK, message, locked, changed=bool(path))


# --- Pull ----------------------------------------------------------------------------------------------


def binding_pull(*, binding: AssetSystemBinding) -> int:
    """Fetch status changes since the binding's cursor and apply them; returns how many orders moved.
    The cursor only moves forward after the changes were handled."""
    open_links = list(
        ExternalOrderLink.objects.filter(binding=binding, push_status=PushStatus.PUSHED)
        .exclude(external_id="")
        .exclude(order__status__in=list(TERMINAL_STATUSES))
        .order_by("id")
        .values_list("external_id", "external_asset_id")[:500]
    )
    if not open_links:
        AssetSystemBinding.objects.filter(pk=binding.pk).update(last_pulled_at=timezone.now())
        return 0
    adapter = adapter_for(binding)
    try:
        result = adapter.pull_changes(cursor=binding.pull_cursor, open_work_orders=open_links)
    except AdapterError:
        return 0  # logged by the client; the next run tries again from the same cursor
    applied = 0
    for change in result.changes:
        outcome = status_change_apply(binding=binding, change=change, via="pull")
        if outcome.changed:
            applied += 1
    AssetSystemBinding.objects.filter(pk=binding.pk).update(
        pull_cursor=result.cursor[:100], last_pulled_at=timezone.now()
    )
    return applied


SYNC_LOG_KEEP_DAYS = 90
PRUNE_BATCH = 5000


def sync_prune(*, now: datetime | None = None) -> None:
    """Forget delivery ids once their timestamps could no longer pass the window (a replay is
    refused by the timestamp then), and sync-log rows older than ``SYNC_LOG_KEEP_DAYS``."""
    now = now or timezone.now()
    window = timedelta(seconds=4 * int(settings.ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS))
    WebhookDelivery.objects.filter(received_at__lt=now - window).delete()
    old = SyncLogEntry.objects.filter(created_at__lt=now - timedelta(days=SYNC_LOG_KEEP_DAYS))
    SyncLogEntry.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:PRUNE_BATCH])).delete()


def pull_current_tenant() -> int:
    """One provider's periodic pull (called inside its schema by ``tasks.pull_all``)."""
    sync_prune()
    binding = active_binding()
    if binding is None:
        return 0
    return binding_pull(binding=binding)


# --- Webhook -------------------------------------------------------------------------------------------


class WebhookRefused(Exception):
    """The delivery is not accepted; ``status`` is the HTTP answer (400, 401, 403, 409)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def webhook_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``"<timestamp>." + body`` with the binding's secret."""
    digest = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    ).hexdigest()
    return f"sha256={digest}"


def _refuse(binding: AssetSystemBinding, message: str, status: int, summary: str) -> WebhookRefused:
    log_entry(
        binding=binding,
        operation=SyncOperation.WEBHOOK,
        result=SyncResult.REFUSED,
        error=message,
        summary=summary,
    )
    return WebhookRefused(message, status=status)


def webhook_receive(
    *,
    binding: AssetSystemBinding,
    body: bytes,
    timestamp: str,
    signature: str,
    delivery_id: str,
    now: datetime | None = None,
) -> list[ApplyOutcome]:
    """A status change pushed by the external system. Raises ``WebhookRefused`` for a bad
    signature, a stale or future timestamp, a replayed delivery id, a disabled binding or a body
    that is not JSON; otherwise applies every change in it (each logged)."""
    now = now or timezone.now()
    summary = f"POST webhook delivery {delivery_id[:60]}"
    if not binding.enabled or not sync_allowed():
        raise _refuse(binding, _("The binding is switched off."), 403, summary)
    tolerance = int(settings.ASSET_SYNC_WEBHOOK_TOLERANCE_SECONDS)
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        raise _refuse(binding, _("The timestamp header is missing or not a number."), 400, summary) from None
    if abs(now.timestamp() - sent_at) > tolerance:
        raise _refuse(binding, _("The timestamp is more than 5 minutes away from our clock."), 401, summary)
    expected = webhook_signature(binding.webhook_secret, str(timestamp), body)
    if not signature or not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise _refuse(binding, _("The signature does not match the binding's webhook secret."), 401, summary)
    if not delivery_id or len(delivery_id) > 100:
        raise _refuse(binding, _("The delivery id header is missing or too long."), 400, summary)
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(binding, _("The body is not JSON."), 400, summary) from None
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(binding=binding, delivery_id=delivery_id, received_at=now)
    except IntegrityError:
        raise _refuse(
            binding, _("This delivery was received before (replay refused)."), 409, summary
        ) from None
    try:
        changes = adapter_for(binding).parse_webhook(payload)
    except AdapterError as exc:
        raise _refuse(binding, exc.message, 400, summary) from None
    except Exception:
        WebhookDelivery.objects.filter(
            binding=binding, delivery_id=delivery_id
        ).delete()  # let it be sent again
        raise
    log_entry(
        binding=binding,
        operation=SyncOperation.WEBHOOK,
        result=SyncResult.OK,
        summary=f"{summary}: {len(changes)}",
    )
    outcomes: list[ApplyOutcome] = []
    try:
        for change in changes:
            outcomes.append(status_change_apply(binding=binding, change=change, via="webhook"))
    except Exception:
        WebhookDelivery.objects.filter(binding=binding, delivery_id=delivery_id).delete()
        raise
    return outcomes
