"""The adapter interface every external asset system implements, and the plain data it speaks.

An adapter is a plain class registered by ``kind`` (``adapters.register``). It is built per call
with the binding and a ``SyncClient`` (``integrations.asset_systems.client``) that does the HTTP,
the authentication and the sync log; the adapter only knows the system's paths and JSON shapes.
Adapters never touch orders: ``integrations.asset_systems.services`` turns what they return into
lifecycle transitions through ``repair_forms`` services.

Errors: every failure is an ``AdapterError`` with a message a provider's admin can act on (zh/en)
and whether trying again later may help (``retryable``).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from integrations.asset_systems.client import SyncClient
    from integrations.asset_systems.models import AssetSystemBinding


class AdapterError(Exception):
    """A call to the external system failed. ``message`` is shown in the console's sync log."""

    def __init__(self, message: Any, *, retryable: bool = True, http_status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.retryable = retryable
        self.http_status = http_status


class NotApplicable(AdapterError):
    """The order cannot become a work order there (e.g. Snipe-IT needs a machine it knows)."""

    def __init__(self, message: Any) -> None:
        super().__init__(message, retryable=False)


@dataclass
class ExternalAsset:
    """A machine as the external system describes it (already mapped to our words)."""

    external_id: str
    machine_no: str = ""
    serials: list[str] = field(default_factory=list)
    brand: str = ""
    category: str = ""
    model: str = ""
    company: str = ""
    location_plot: str = ""
    location_building: str = ""
    location_room: str = ""
    location_address: str = ""
    warranty_ends_on: date | None = None
    notes: str = ""


@dataclass
class WorkOrderRequest:
    """What we send when a new order is pushed (``services.work_order_request_for``)."""

    order_number: str
    title: str
    description: str
    serial: str = ""
    machine_no: str = ""
    asset_external_id: str = ""
    brand: str = ""
    category: str = ""
    model: str = ""
    service_type: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    company: str = ""
    address: str = ""
    submitted_at: str = ""  # ISO 8601
    submitted_on: str = ""  # YYYY-MM-DD

    def variables(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.__dataclass_fields__}


@dataclass
class PushResult:
    external_id: str
    external_status: str = ""
    external_asset_id: str = ""


@dataclass
class StatusChange:
    """A work order's status in the external system (raw value; the binding's status mapping turns
    it into ours)."""

    external_id: str
    external_status: str
    note: str = ""
    engineer_phone: str = ""
    changed_at: str = ""


@dataclass
class PullResult:
    changes: list[StatusChange]
    cursor: str


class AssetAdapter(abc.ABC):
    """Subclasses set ``kind``/``label``/``auth_modes`` and implement the five operations."""

    kind: ClassVar[str] = ""
    label: ClassVar[str | _StrPromise] = ""
    auth_modes: ClassVar[tuple[str, ...]] = ()
    help_text: ClassVar[str | _StrPromise] = ""

    def __init__(self, binding: AssetSystemBinding, client: SyncClient) -> None:
        self.binding = binding
        self.client = client

    # --- Configuration ------------------------------------------------------------------------

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def default_field_mapping(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def default_status_mapping(cls) -> dict[str, str]:
        return {}

    @classmethod
    def options_errors(cls, options: dict[str, Any], *, auth_mode: str) -> list[str]:
        """Readable problems with ``options`` (empty when valid)."""
        return []

    @classmethod
    def field_mapping_errors(cls, mapping: dict[str, Any]) -> list[str]:
        return []

    # --- Operations -----------------------------------------------------------------------------

    def login(self) -> tuple[str, int | None]:
        """Exchange the account and password for a session token: (token, lifetime in seconds)."""
        raise AdapterError(_("This system does not sign in with an account and password."), retryable=False)

    @abc.abstractmethod
    def test_connection(self) -> str:
        """Check the address and credentials; returns a short description of what answered."""
        ...

    @abc.abstractmethod
    def lookup_asset(self, query: str) -> ExternalAsset | None:
        """The machine whose machine number or serial number is ``query`` (None: not there)."""
        ...

    @abc.abstractmethod
    def push_order(self, work: WorkOrderRequest) -> PushResult:
        """Create the work order there and return its id."""
        ...

    @abc.abstractmethod
    def pull_changes(self, *, cursor: str, open_work_orders: list[tuple[str, str]]) -> PullResult:
        """Status changes since ``cursor`` for the open work orders [(external id, external asset id)]."""
        ...

    @abc.abstractmethod
    def parse_webhook(self, payload: Any) -> list[StatusChange]:
        """The status changes in a pushed (already signature-checked) JSON body."""
        ...


def first_text(value: Any) -> str:
    """A value from an external JSON document as text ('' for null/missing/objects)."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value).strip()


def dig(document: Any, path: str) -> Any:
    """The value at a dot path (``data.items.0.id``) in a JSON document, or None."""
    if not path:
        return document
    current = document
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit():
            index = int(part)
            current = current[index] if index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current
