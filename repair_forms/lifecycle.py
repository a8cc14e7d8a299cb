"""The order lifecycle as data: the single source of truth for who may move an order where.

``TRANSITIONS`` is the ARCHITECTURE table. Every service in ``repair_forms.services`` starts with
``check(name, order=..., actor=...)``; the screens ask ``available_transitions(order, actor)`` which
buttons to show; the notifications engineer reads ``OrderEvent.notify_roles`` (``NotifyRole``).

Roles are relative to an order (``roles_of``):
- ``reporter``: the customer who filed it; ``company_manager``: a manager of the order's company;
- ``admin`` / ``dispatcher`` / ``supervisor``: staff by role (admin and dispatcher are the
  "back office"); the admin may also do a supervisor's decisions, so a provider without a
  supervisor is never stuck;
- ``engineer``: the engineer assigned to the order's open work order (other engineers hold no role);
- ``system``: periodic jobs (auto-confirm, overdue); ``asset_adapter``: an external asset system sync.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer, StaffMember, StaffRole
from repair_forms.models import ActorKind, OrderStatus

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from repair_forms.models import RepairOrder

S = OrderStatus


class Role:
    REPORTER = "reporter"
    COMPANY_MANAGER = "company_manager"
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    ENGINEER = "engineer"
    SYSTEM = "system"
    ASSET_ADAPTER = "asset_adapter"

    LABELS: dict[str, Any] = {
        "reporter": _("the reporter"),
        "company_manager": _("the company manager"),
        "admin": _("an administrator"),
        "dispatcher": _("a dispatcher"),
        "supervisor": _("a supervisor"),
        "engineer": _("the assigned engineer"),
        "system": _("the system"),
        "asset_adapter": _("the asset system sync"),
    }


class NotifyRole:
    """Who an event is for. ``back_office`` = active admins and dispatchers; ``supervisor`` = active
    supervisors; ``engineer`` = the order's assigned engineer (``payload["previous_engineer_id"]``
    names the one taken off on a reassign); ``reporter``/``company_manager`` as in ``Role``."""

    REPORTER = "reporter"
    COMPANY_MANAGER = "company_manager"
    BACK_OFFICE = "back_office"
    SUPERVISOR = "supervisor"
    ENGINEER = "engineer"


BACK_OFFICE = frozenset({Role.ADMIN, Role.DISPATCHER})
CUSTOMERS = frozenset({Role.REPORTER, Role.COMPANY_MANAGER})


@dataclass(frozen=True)
class Actor:
    """Who is acting. Build with ``Actor.for_customer``, ``Actor.for_staff``, ``Actor.system()`` or
    ``Actor.asset_adapter(name)``."""

    kind: str  # ActorKind
    customer: Customer | None = None
    staff: StaffMember | None = None
    role: str = ""  # customer / staff role / system / asset_adapter
    name: str = ""

    @classmethod
    def for_customer(cls, customer: Customer) -> Actor:
        return cls(kind=ActorKind.CUSTOMER, customer=customer, role="customer")

    @classmethod
    def for_staff(cls, staff: StaffMember) -> Actor:
        return cls(kind=ActorKind.STAFF, staff=staff, role=staff.role)

    @classmethod
    def system(cls) -> Actor:
        return cls(kind=ActorKind.SYSTEM, role=Role.SYSTEM, name="system")

    @classmethod
    def asset_adapter(cls, name: str = "asset system") -> Actor:
        return cls(kind=ActorKind.SYSTEM, role=Role.ASSET_ADAPTER, name=name)

    @property
    def is_customer(self) -> bool:
        return self.kind == ActorKind.CUSTOMER and self.customer is not None

    @property
    def is_staff(self) -> bool:
        return self.kind == ActorKind.STAFF and self.staff is not None

    @property
    def is_back_office(self) -> bool:
        return self.is_staff and self.role in BACK_OFFICE

    @property
    def id(self) -> int | None:
        if self.customer is not None:
            return self.customer.pk
        if self.staff is not None:
            return self.staff.pk
        return None

    @property
    def display(self) -> str:
        if self.customer is not None:
            return self.customer.name or self.customer.phone
        if self.staff is not None:
            return self.staff.display_name or self.staff.phone
        return self.name


def roles_of(actor: Actor, order: RepairOrder | None) -> frozenset[str]:
    """The lifecycle roles ``actor`` holds on ``order`` (``None`` = an order not yet filed)."""
    if actor.kind == ActorKind.SYSTEM:
        return frozenset({actor.role})
    if actor.customer is not None:
        customer = actor.customer
        if order is None:
            return frozenset({Role.REPORTER})
        roles = set()
        if order.reporter_id == customer.pk:
            roles.add(Role.REPORTER)
        if customer.is_company_manager and customer.company_id and order.company_id == customer.company_id:
            roles.add(Role.COMPANY_MANAGER)
        return frozenset(roles)
    if actor.staff is not None and actor.staff.is_active:
        staff = actor.staff
        if staff.role == StaffRole.ENGINEER:
            if order is not None and order.engineer_id == staff.pk:
                return frozenset({Role.ENGINEER})
            return frozenset()
        return frozenset({staff.role})
    return frozenset()


@dataclass(frozen=True)
class Transition:
    name: str
    label: _StrPromise
    sources: frozenset[str]
    target: str | None  # None: the status does not change
    roles: frozenset[str]
    inputs: tuple[str, ...] = ()  # required inputs, named as the service's keyword arguments
    notify: tuple[str, ...] = ()
    internal: bool = False  # the event is shown to staff only
    # The note written with it is staff-only unless its writer shows it to the customer (给工程师的
    # 备注 on accept/dispatch, a supervisor's approval note): see ``OrderEvent.note_visible_to_customer``.
    staff_note: bool = False
    extra_rules: tuple[str, ...] = field(default=())  # documented; enforced in the service


ALL_ACTIVE = frozenset(
    {S.SUBMITTED, S.ACCEPTED, S.DISPATCHED, S.IN_PROGRESS, S.SUSPENDED, S.AWAITING_CONFIRMATION}
)
ALL = frozenset(S.values)

N = NotifyRole
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "submit",
            _("submit"),
            frozenset(),
            S.SUBMITTED,
            frozenset({Role.REPORTER}),
            ("data",),
            (N.REPORTER, N.COMPANY_MANAGER, N.BACK_OFFICE),
        ),
        Transition(
            "edit",
            _("edit"),
            frozenset({S.SUBMITTED}),
            None,
            frozenset({Role.REPORTER}),
            ("data",),
            (N.BACK_OFFICE,),
        ),
        Transition(
            "cancel",
            _("cancel"),
            frozenset({S.SUBMITTED}),
            S.CANCELLED,
            frozenset({Role.REPORTER, Role.ASSET_ADAPTER}),
            ("reason",),
            (N.BACK_OFFICE,),
        ),
        Transition(
            "urge",
            _("urge"),
            frozenset({S.SUBMITTED, S.ACCEPTED, S.DISPATCHED}),
            None,
            frozenset({Role.REPORTER, Role.COMPANY_MANAGER}),  # the manager chases his company's orders
            (),
            (N.SUPERVISOR, N.BACK_OFFICE),
            extra_rules=("urge_after_hours since submit", "at most once per URGE_INTERVAL"),
        ),
        Transition(
            "accept",
            _("accept"),
            frozenset({S.SUBMITTED}),
            S.ACCEPTED,
            frozenset({Role.ADMIN, Role.DISPATCHER, Role.ASSET_ADAPTER}),
            (),
            (N.REPORTER, N.COMPANY_MANAGER),
            staff_note=True,
        ),
        Transition(
            "dispatch",
            _("dispatch"),
            frozenset({S.ACCEPTED, S.DISPATCHED}),
            S.DISPATCHED,
            frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.ASSET_ADAPTER}),
            ("engineer",),
            (N.COMPANY_MANAGER, N.ENGINEER),
            staff_note=True,
        ),
        Transition(
            "start",
            _("start repair"),
            frozenset({S.DISPATCHED}),
            S.IN_PROGRESS,
            frozenset({Role.ENGINEER, Role.ASSET_ADAPTER}),
            (),
            (N.REPORTER,),
        ),
        Transition(
            "request_suspension",
            _("request suspension"),
            frozenset({S.IN_PROGRESS}),
            None,
            frozenset({Role.ENGINEER}),
            ("reason",),
            (N.SUPERVISOR,),
            extra_rules=("no other pending request",),
        ),
        Transition(
            "approve_suspension",
            _("approve suspension"),
            frozenset({S.IN_PROGRESS}),
            S.SUSPENDED,
            frozenset({Role.SUPERVISOR, Role.ADMIN, Role.ASSET_ADAPTER}),
            (),
            (N.REPORTER, N.ENGINEER),
            extra_rules=("a pending request exists (not needed for the asset adapter)",),
            staff_note=True,
        ),
        Transition(
            "reject_suspension",
            _("reject suspension"),
            frozenset({S.IN_PROGRESS}),
            None,
            frozenset({Role.SUPERVISOR, Role.ADMIN}),
            ("reason",),
            (N.ENGINEER,),
            extra_rules=("a pending request exists",),
        ),
        Transition(
            "resume",
            _("resume"),
            frozenset({S.SUSPENDED}),
            S.IN_PROGRESS,
            frozenset({Role.ENGINEER, Role.SUPERVISOR, Role.ADMIN, Role.ASSET_ADAPTER}),
            (),
            (N.REPORTER,),
            staff_note=True,
        ),
        Transition(
            "submit_job_sheet",
            _("submit the job sheet"),
            frozenset({S.IN_PROGRESS}),
            S.AWAITING_CONFIRMATION,
            frozenset({Role.ENGINEER, Role.ASSET_ADAPTER}),
            ("work_done", "result"),
            (N.COMPANY_MANAGER, N.REPORTER, N.ENGINEER),
        ),
        Transition(
            "confirm_completion",
            _("confirm completion"),
            frozenset({S.AWAITING_CONFIRMATION}),
            S.COMPLETED,
            frozenset({Role.REPORTER, Role.COMPANY_MANAGER, Role.SYSTEM, Role.ASSET_ADAPTER}),
            (),
            (N.ENGINEER,),
            extra_rules=("the assigned engineer never confirms his own job",),
        ),
        Transition(
            "reject_completion",
            _("reject completion"),
            frozenset({S.AWAITING_CONFIRMATION}),
            S.IN_PROGRESS,
            frozenset({Role.REPORTER, Role.COMPANY_MANAGER, Role.ASSET_ADAPTER}),
            ("reason",),
            (N.ENGINEER, N.BACK_OFFICE),
        ),
        Transition(
            "rate",
            _("rate"),
            frozenset({S.COMPLETED}),
            None,
            frozenset({Role.REPORTER}),
            ("stars",),
            (N.BACK_OFFICE,),
            extra_rules=("ratings enabled", "once per order"),
        ),
        Transition(
            "set_progress",
            _("set progress manually"),
            ALL_ACTIVE,
            None,  # chosen by the caller among MANUAL_PROGRESS_TARGETS
            frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR}),
            ("status", "reason"),
            (N.REPORTER, N.COMPANY_MANAGER),
        ),
        Transition(
            "add_note",
            _("add an internal note"),
            ALL,
            None,
            frozenset({Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR, Role.ENGINEER}),
            ("note",),
            (),
            internal=True,
        ),
        Transition(
            "flag_overdue",
            _("flag as overdue"),
            ALL_ACTIVE,
            None,
            frozenset({Role.SYSTEM}),
            (),
            (N.SUPERVISOR, N.BACK_OFFICE),
            internal=True,
        ),
    ]
}

# Manual progress (报修单列表 "手动设置处理进度") may move an active order to these; entering a state
# that needs an engineer requires one to be assigned already.
MANUAL_PROGRESS_TARGETS = frozenset(
    {S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.AWAITING_CONFIRMATION, S.COMPLETED, S.CANCELLED}
)
NEEDS_ENGINEER = frozenset({S.IN_PROGRESS, S.SUSPENDED, S.AWAITING_CONFIRMATION})

URGE_INTERVAL_SECONDS = 3600  # a customer may urge at most once an hour


class TransitionNotAllowed(ValidationError):
    """A transition refused by the lifecycle (wrong state, wrong role, or a rule such as "too early
    to urge"). The message names what is allowed. The API answers HTTP 409."""

    def __init__(self, message: Any, *, transition: str, code: str = "transition_not_allowed") -> None:
        super().__init__(message, code=code)
        self.transition = transition


def _join(items: list[str]) -> str:
    return gettext(", ").join(items) if items else gettext("nobody")


def _status_labels(statuses: frozenset[str]) -> str:
    return _join([str(S(s).label) for s in S.values if s in statuses])


def _role_labels(roles: frozenset[str]) -> str:
    order = list(Role.LABELS)
    return _join([str(Role.LABELS[r]) for r in sorted(roles, key=order.index)])


def check(name: str, *, order: RepairOrder | None, actor: Actor) -> frozenset[str]:
    """Raise ``TransitionNotAllowed`` unless ``actor`` may fire ``name`` on ``order`` now (state and
    role). Returns the actor's roles on the order for rules the service adds."""
    transition = TRANSITIONS[name]
    roles = roles_of(actor, order)
    if order is not None and order.status not in transition.sources:
        raise TransitionNotAllowed(
            gettext(
                "Cannot %(action)s order %(number)s: it is “%(status)s”. Allowed only when it is %(allowed)s."
            )
            % {
                "action": transition.label,
                "number": order.number,
                "status": S(order.status).label,
                "allowed": _status_labels(transition.sources),
            },
            transition=name,
            code="wrong_status",
        )
    if not roles & transition.roles:
        if order is None:
            message = gettext("You may not %(action)s a new order. Only %(roles)s may.")
        else:
            message = gettext("You may not %(action)s order %(number)s. Only %(roles)s may.")
        raise TransitionNotAllowed(
            message
            % {
                "action": transition.label,
                "number": order.number if order else "",
                "roles": _role_labels(transition.roles),
            },
            transition=name,
            code="wrong_role",
        )
    return roles


def is_allowed(name: str, *, order: RepairOrder, actor: Actor) -> bool:
    try:
        check(name, order=order, actor=actor)
    except TransitionNotAllowed:
        return False
    return True


def available_transitions(order: RepairOrder, actor: Actor) -> list[str]:
    """Transition names the actor may fire on the order by state and role (the screens' buttons).
    Rules that depend on time or settings (urge timing, ratings on/off, pending suspension) are
    checked by ``services.order_actions`` which refines this list."""
    return [
        name
        for name in TRANSITIONS
        if name not in ("submit", "flag_overdue") and is_allowed(name, order=order, actor=actor)
    ]


def notify_roles(name: str) -> list[str]:
    return list(TRANSITIONS[name].notify)
