"""The binding (console): validate, save, enable, rotate the webhook secret, test the connection."""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from integrations.asset_systems.adapters import adapter_class, adapter_for, registered_kinds
from integrations.asset_systems.adapters.base import (
    AdapterError,
)
from integrations.asset_systems.models import (
    AssetSystemBinding,
    AuthMode,
    SyncOperation,
    SyncResult,
)
from integrations.asset_systems.services._common import (
    HEADER_NAME_RE,
    IGNORE,
    MAPPABLE_STATUSES,
    _require_admin,
    _require_plan,
    log_entry,
)

logger = logging.getLogger(__name__)


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
