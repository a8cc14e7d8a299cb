"""Generic REST adapter: any asset system with a JSON API, described per binding.

``options["operations"]`` has one entry per operation (``login``, ``test``, ``lookup``, ``push``,
``pull``), each ``{"method", "path", "query"?, "body"?, …}``. Strings may contain placeholders
``{name}`` filled from the operation's variables (values in a path are URL-encoded):

- ``login``: ``{username}``, ``{password}`` (only in its body, so they never reach a URL or the
  log); ``token_path`` and optional ``expires_in_path`` say where the token is in the answer;
- ``lookup``: ``{query}``; ``result_path`` points at the asset object or a list of them;
- ``push``: the fields of ``WorkOrderRequest`` (``{order_number}``, ``{title}``, ``{serial}`` …);
  ``id_path`` (required) and ``status_path`` say where the new work order's id and status are;
- ``pull``: ``{cursor}``; ``items_path`` points at the list of changed work orders and
  ``cursor_path`` at the next cursor (default: the latest ``changed_at`` seen);
- ``test``: no variables; any 2xx answer means connected.

``field_mapping`` has dot paths into the external JSON: ``asset`` (external_id, machine_no,
serials, brand, category, model, company, location_*, warranty_ends_on, notes) and ``order``
(external_id, status, note, engineer_phone, changed_at). A pushed webhook body is one work order
object, a list of them, or an object with the list at ``options["webhook_items_path"]``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, ClassVar
from urllib.parse import quote

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.asset_systems.adapters.base import (
    AdapterError,
    AssetAdapter,
    ExternalAsset,
    PullResult,
    PushResult,
    StatusChange,
    WorkOrderRequest,
    dig,
    first_text,
)
from integrations.asset_systems.models import AdapterKind, AuthMode, SyncOperation
from repair_forms.selectors import normalize_lookup_key

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
METHODS = ("GET", "POST", "PUT", "PATCH")
WORK_ORDER_VARIABLES = frozenset(WorkOrderRequest.__dataclass_fields__)
VARIABLES: dict[str, frozenset[str]] = {
    "login": frozenset({"username", "password"}),
    "test": frozenset(),
    "lookup": frozenset({"query"}),
    "push": WORK_ORDER_VARIABLES,
    "pull": frozenset({"cursor"}),
}
SECRET_VARIABLES = frozenset({"username", "password"})
REQUIRED_OPERATIONS = ("lookup", "push")
ASSET_FIELDS = (
    "external_id",
    "machine_no",
    "serials",
    "brand",
    "category",
    "model",
    "company",
    "location_plot",
    "location_building",
    "location_room",
    "location_address",
    "warranty_ends_on",
    "notes",
)
ORDER_FIELDS = ("external_id", "status", "note", "engineer_phone", "changed_at")
PATH_KEYS = (
    "token_path",
    "expires_in_path",
    "result_path",
    "id_path",
    "status_path",
    "items_path",
    "cursor_path",
)


def fill(template: Any, variables: dict[str, str], *, in_path: bool = False) -> Any:
    """``template`` with ``{name}`` placeholders replaced (recursively in objects and lists)."""
    if isinstance(template, str):
        return PLACEHOLDER.sub(
            lambda m: (
                quote(variables.get(m.group(1), ""), safe="") if in_path else variables.get(m.group(1), "")
            ),
            template,
        )
    if isinstance(template, dict):
        return {key: fill(value, variables) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, variables) for value in template]
    return template


def placeholders(template: Any) -> set[str]:
    if isinstance(template, str):
        return set(PLACEHOLDER.findall(template))
    if isinstance(template, dict):
        return set().union(*(placeholders(v) for v in template.values())) if template else set()
    if isinstance(template, list):
        return set().union(*(placeholders(v) for v in template)) if template else set()
    return set()


def _date(value: Any) -> date | None:
    text = first_text(value if not isinstance(value, dict) else value.get("date"))
    if not text:
        return None
    parsed = parse_date(text[:10])
    if parsed is None:
        moment = parse_datetime(text)
        parsed = moment.date() if moment else None
    return parsed


class GenericRestAdapter(AssetAdapter):
    kind: ClassVar[str] = AdapterKind.GENERIC
    label = gettext_lazy("Other system (generic REST, field mapping)")
    auth_modes: ClassVar[tuple[str, ...]] = (AuthMode.PASSWORD, AuthMode.BEARER, AuthMode.HEADER)
    help_text = gettext_lazy(
        "Describe the system's API: the address of each operation, where its answers keep the fields, "
        "and how its work-order statuses map to ours."
    )

    # --- Configuration ------------------------------------------------------------------------

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {
            "operations": {
                "login": {
                    "method": "POST",
                    "path": "/api/login",
                    "body": {"account": "{username}", "password": "{password}"},
                    "token_path": "data.token",
                    "expires_in_path": "data.expires_in",
                },
                "test": {"method": "GET", "path": "/api/ping"},
                "lookup": {
                    "method": "GET",
                    "path": "/api/assets",
                    "query": {"serial": "{query}"},
                    "result_path": "data",
                },
                "push": {
                    "method": "POST",
                    "path": "/api/work-orders",
                    "body": {
                        "title": "{title}",
                        "description": "{description}",
                        "asset_id": "{asset_external_id}",
                        "serial": "{serial}",
                        "contact": "{contact_name}",
                        "phone": "{contact_phone}",
                        "address": "{address}",
                        "reference": "{order_number}",
                    },
                    "id_path": "data.id",
                    "status_path": "data.status",
                },
                "pull": {
                    "method": "GET",
                    "path": "/api/work-orders/changes",
                    "query": {"since": "{cursor}"},
                    "items_path": "data.items",
                    "cursor_path": "data.cursor",
                },
            },
            "token_header": "Authorization",
            "token_prefix": "Bearer ",
        }

    @classmethod
    def default_field_mapping(cls) -> dict[str, Any]:
        return {
            "asset": {
                "external_id": "id",
                "machine_no": "asset_no",
                "serials": "serial",
                "brand": "brand",
                "category": "category",
                "model": "model",
                "company": "customer",
                "location_address": "address",
                "warranty_ends_on": "warranty_until",
            },
            "order": {
                "external_id": "id",
                "status": "status",
                "note": "remark",
                "engineer_phone": "engineer_phone",
                "changed_at": "updated_at",
            },
        }

    @classmethod
    def default_status_mapping(cls) -> dict[str, str]:
        return {
            "accepted": "accepted",
            "in_progress": "in_progress",
            "suspended": "suspended",
            "done": "awaiting_confirmation",
            "closed": "completed",
            "cancelled": "cancelled",
        }

    @classmethod
    def options_errors(cls, options: dict[str, Any], *, auth_mode: str) -> list[str]:
        errors: list[str] = []
        operations = options.get("operations")
        if not isinstance(operations, dict):
            return [
                _("“operations” must be an object with one entry per operation: %(names)s.")
                % {"names": "lookup, push, pull, test, login"}
            ]
        unknown = sorted(set(operations) - set(VARIABLES))
        if unknown:
            errors.append(
                _("Unknown operation(s): %(names)s. Use: %(allowed)s.")
                % {"names": ", ".join(unknown), "allowed": ", ".join(VARIABLES)}
            )
        needed = [*REQUIRED_OPERATIONS, *(["login"] if auth_mode == AuthMode.PASSWORD else [])]
        for name in needed:
            if name not in operations:
                errors.append(_("The “%(name)s” operation is required.") % {"name": name})
        for name, spec in operations.items():
            if name not in VARIABLES:
                continue
            errors.extend(cls._operation_errors(name, spec))
        for key in ("token_header", "token_prefix", "webhook_items_path"):
            if key in options and not isinstance(options[key], str):
                errors.append(_("“%(key)s” must be text.") % {"key": key})
        return errors

    @classmethod
    def _operation_errors(cls, name: str, spec: Any) -> list[str]:
        where = _("operation “%(name)s”") % {"name": name}
        if not isinstance(spec, dict):
            return [_("The %(where)s must be an object.") % {"where": where}]
        errors: list[str] = []
        method = str(spec.get("method", "GET")).upper()
        if method not in METHODS:
            errors.append(
                _("In the %(where)s, “method” must be one of %(methods)s.")
                % {"where": where, "methods": ", ".join(METHODS)}
            )
        path = spec.get("path")
        if not isinstance(path, str) or not path.startswith("/") or "://" in path or len(path) > 300:
            errors.append(
                _("In the %(where)s, “path” must start with / (it is added to the base URL).")
                % {"where": where}
            )
        for key in ("query", "body"):
            if key in spec and not isinstance(spec[key], dict | list):
                errors.append(
                    _("In the %(where)s, “%(key)s” must be a JSON object.") % {"where": where, "key": key}
                )
        for key in PATH_KEYS:
            if key in spec and not isinstance(spec[key], str):
                errors.append(
                    _("In the %(where)s, “%(key)s” must be a dot path such as data.id.")
                    % {"where": where, "key": key}
                )
        allowed = VARIABLES[name]
        used = (
            placeholders(spec.get("path", ""))
            | placeholders(spec.get("query", {}))
            | placeholders(spec.get("body", {}))
        )
        unknown = sorted(used - allowed)
        if unknown:
            errors.append(
                _("In the %(where)s, unknown placeholder(s) %(names)s. Available: %(allowed)s.")
                % {
                    "where": where,
                    "names": ", ".join("{" + u + "}" for u in unknown),
                    "allowed": ", ".join("{" + a + "}" for a in sorted(allowed)) or "—",
                }
            )
        in_url = placeholders(spec.get("path", "")) | placeholders(spec.get("query", {}))
        if in_url & SECRET_VARIABLES:
            errors.append(
                _("The account and password may only be sent in the sign-in body, never in the address.")
            )
        if name == "login" and "token_path" not in spec:
            errors.append(_("The sign-in operation needs “token_path” (where the token is in the answer)."))
        if name == "push" and "id_path" not in spec:
            errors.append(
                _("The push operation needs “id_path” (where the new work order's id is in the answer).")
            )
        return errors

    @classmethod
    def field_mapping_errors(cls, mapping: dict[str, Any]) -> list[str]:
        errors: list[str] = []
        for section, fields in (("asset", ASSET_FIELDS), ("order", ORDER_FIELDS)):
            part = mapping.get(section, {})
            if not isinstance(part, dict):
                errors.append(
                    _("“%(section)s” must be an object of field → dot path.") % {"section": section}
                )
                continue
            unknown = sorted(set(part) - set(fields))
            if unknown:
                errors.append(
                    _("Unknown %(section)s field(s): %(names)s. Known: %(known)s.")
                    % {"section": section, "names": ", ".join(unknown), "known": ", ".join(fields)}
                )
            for key, path in part.items():
                if not isinstance(path, str) or len(path) > 200:
                    errors.append(
                        _("The path for %(section)s.%(key)s must be text such as data.id.")
                        % {"section": section, "key": key}
                    )
        unknown_sections = sorted(set(mapping) - {"asset", "order"})
        if unknown_sections:
            errors.append(
                _("Unknown section(s): %(names)s. Use “asset” and “order”.")
                % {"names": ", ".join(unknown_sections)}
            )
        if not (mapping.get("asset") or {}).get("external_id"):
            errors.append(_("Map asset.external_id (the machine's id in that system)."))
        if not (mapping.get("order") or {}).get("external_id") or not (mapping.get("order") or {}).get(
            "status"
        ):
            errors.append(_("Map order.external_id and order.status (the work order's id and status)."))
        return errors

    # --- Helpers ---------------------------------------------------------------------------------

    def _operation(self, name: str) -> dict[str, Any] | None:
        operations = (self.binding.options or {}).get("operations") or {}
        spec = operations.get(name)
        return spec if isinstance(spec, dict) else None

    def _call(
        self, name: str, variables: dict[str, str], *, missing_ok: bool = False, authenticate: bool = True
    ) -> Any:
        spec = self._operation(name)
        if spec is None:
            raise AdapterError(
                _("The “%(name)s” operation is not configured.") % {"name": name}, retryable=False
            )
        query = fill(spec.get("query"), variables) if spec.get("query") else None
        body = fill(spec.get("body"), variables) if spec.get("body") is not None else None
        return self.client.request(
            OPERATION_LOG.get(name, name),
            str(spec.get("method", "GET")),
            fill(spec["path"], variables, in_path=True),
            params={k: v for k, v in query.items() if v not in ("", None)}
            if isinstance(query, dict)
            else None,
            body=body,
            authenticate=authenticate,
            missing_ok=missing_ok,
        )

    def _mapping(self, section: str) -> dict[str, str]:
        part = (self.binding.field_mapping or {}).get(section) or {}
        return {k: v for k, v in part.items() if isinstance(v, str) and v}

    def asset_from(self, item: Any) -> ExternalAsset:
        mapping = self._mapping("asset")

        def get(field: str) -> Any:
            return dig(item, mapping[field]) if field in mapping else None

        raw_serials = get("serials")
        serial_values = raw_serials if isinstance(raw_serials, list) else [raw_serials]
        return ExternalAsset(
            external_id=first_text(get("external_id")),
            machine_no=first_text(get("machine_no")),
            serials=[s for s in (first_text(v) for v in serial_values) if s],
            brand=first_text(get("brand")),
            category=first_text(get("category")),
            model=first_text(get("model")),
            company=first_text(get("company")),
            location_plot=first_text(get("location_plot")),
            location_building=first_text(get("location_building")),
            location_room=first_text(get("location_room")),
            location_address=first_text(get("location_address")),
            warranty_ends_on=_date(get("warranty_ends_on")),
            notes=first_text(get("notes")),
        )

    def change_from(self, item: Any) -> StatusChange:
        mapping = self._mapping("order")

        def get(field: str) -> str:
            return first_text(dig(item, mapping[field])) if field in mapping else ""

        return StatusChange(
            external_id=get("external_id"),
            external_status=get("status"),
            note=get("note"),
            engineer_phone=get("engineer_phone"),
            changed_at=get("changed_at"),
        )

    # --- Operations -----------------------------------------------------------------------------

    def login(self) -> tuple[str, int | None]:
        spec = self._operation("login")
        if spec is None:
            raise AdapterError(
                _("The “%(name)s” operation is not configured.") % {"name": "login"}, retryable=False
            )
        data = self._call(
            "login", {"username": self.binding.username, "password": self.binding.secret}, authenticate=False
        )
        token = first_text(dig(data, str(spec.get("token_path", ""))))
        if not token:
            from integrations.asset_systems.client import error_detail

            detail = error_detail(data)
            if detail:
                raise AdapterError(
                    _("The system refused the sign-in: %(detail)s") % {"detail": detail}, retryable=False
                )
            raise AdapterError(
                _("Signed in, but the answer has no token at “%(path)s”.")
                % {"path": spec.get("token_path", "")},
                retryable=False,
            )
        lifetime = first_text(dig(data, str(spec["expires_in_path"]))) if spec.get("expires_in_path") else ""
        return token, int(lifetime) if lifetime.isdigit() else None

    def test_connection(self) -> str:
        if self._operation("test") is not None:
            self._call("test", {})
            return _("Connected to %(url)s.") % {"url": self.binding.base_url}
        if self.binding.auth_mode == AuthMode.PASSWORD:
            self.client.auth_headers(fresh=True)
            return _("Signed in to %(url)s.") % {"url": self.binding.base_url}
        self._call("lookup", {"query": "BAOXIU-CONNECTION-TEST"}, missing_ok=True)
        return _("Connected to %(url)s.") % {"url": self.binding.base_url}

    def lookup_asset(self, query: str) -> ExternalAsset | None:
        spec = self._operation("lookup") or {}
        data = self._call("lookup", {"query": query}, missing_ok=True)
        if data is None:
            return None
        found = dig(data, str(spec.get("result_path", "")))
        candidates = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
        key = normalize_lookup_key(query)
        assets = [self.asset_from(item) for item in candidates[:50] if isinstance(item, dict)]
        for asset in assets:
            keys = {normalize_lookup_key(asset.machine_no), *(normalize_lookup_key(s) for s in asset.serials)}
            if key in keys and asset.external_id:
                return asset
        # A system that matched on something we do not map (e.g. a custom field): trust a single hit.
        if len(assets) == 1 and assets[0].external_id and not assets[0].machine_no and not assets[0].serials:
            return assets[0]
        return None

    def push_order(self, work: WorkOrderRequest) -> PushResult:
        spec = self._operation("push") or {}
        data = self._call("push", work.variables())
        external_id = first_text(dig(data, str(spec.get("id_path", ""))))
        if not external_id:
            raise AdapterError(
                _("The system accepted the order but its answer has no id at “%(path)s”.")
                % {"path": spec.get("id_path", "")}
            )
        status = first_text(dig(data, str(spec["status_path"]))) if spec.get("status_path") else ""
        return PushResult(
            external_id=external_id, external_status=status, external_asset_id=work.asset_external_id
        )

    def pull_changes(self, *, cursor: str, open_work_orders: list[tuple[str, str]]) -> PullResult:
        spec = self._operation("pull")
        if spec is None:
            return PullResult(changes=[], cursor=cursor)  # this system reports by webhook only
        data = self._call("pull", {"cursor": cursor})
        items = dig(data, str(spec.get("items_path", "")))
        if not isinstance(items, list):
            raise AdapterError(
                _("The answer has no list of work orders at “%(path)s”.")
                % {"path": spec.get("items_path", "")}
            )
        changes = [self.change_from(item) for item in items[:500] if isinstance(item, dict)]
        changes = [c for c in changes if c.external_id]
        next_cursor = first_text(dig(data, str(spec["cursor_path"]))) if spec.get("cursor_path") else ""
        if not next_cursor:
            next_cursor = max([cursor, *(c.changed_at for c in changes)])
        return PullResult(changes=changes, cursor=next_cursor)

    def parse_webhook(self, payload: Any) -> list[StatusChange]:
        items_path = str((self.binding.options or {}).get("webhook_items_path") or "")
        items = dig(payload, items_path) if items_path else payload
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise AdapterError(_("The body has no work order in it."), retryable=False)
        changes = [self.change_from(item) for item in items[:100] if isinstance(item, dict)]
        changes = [c for c in changes if c.external_id]
        if not changes:
            raise AdapterError(_("The body has no work order id at the mapped path."), retryable=False)
        return changes


OPERATION_LOG = {
    "login": SyncOperation.LOGIN,
    "test": SyncOperation.TEST,
    "lookup": SyncOperation.LOOKUP,
    "push": SyncOperation.PUSH,
    "pull": SyncOperation.PULL,
}
