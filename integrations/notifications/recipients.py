"""Who hears about an order event, and through which channels.

Audiences come from the event's ``notify_roles`` (the lifecycle table, ``NotifyRole``):
- ``reporter``: the customer who filed the order;
- ``company_manager``: the managers of the order's company;
- ``back_office``: active admins and dispatchers;
- ``supervisor``: active supervisors (admins when the provider has none, since admins then decide);
- ``engineer``: the order's engineer; on a reassign also the one taken off (``reassigned`` notice).

Rules that keep the seed's flow exact: a person gets one message per event even when they hold
two audiences (the first listed wins), exactly the lifecycle's roles are told (so the engineer who
submits a job sheet does get his "awaiting confirmation" notice); the job-sheet
confirmation request goes to the company manager and to the reporter (either may confirm, and the
reporter wants to know his machine is fixed); internal events never reach customers, and a
staff-only note is left out of their message (``content.Context.for_audience``).

Channels per person: everyone gets the in-app message; staff also SMS and WeChat when they bound
their WeChat; customers WeChat when their openid is bound, otherwise SMS; e-mail when the person's
user has an address.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Customer, StaffMember, StaffRole
from integrations.models import Channel, StaffWeChatBinding
from repair_forms.models import EventVisibility, OrderEvent

NOTIFY_ORDER = ("reporter", "company_manager", "back_office", "supervisor", "engineer")


@dataclass(frozen=True)
class Recipient:
    audience: str
    kind: str  # content key "<transition>:<audience>"
    customer: Customer | None = None
    staff: StaffMember | None = None

    @property
    def key(self) -> tuple[str, int]:
        if self.customer is not None:
            return ("customer", self.customer.pk)
        assert self.staff is not None
        return ("staff", self.staff.pk)


def _active_staff(*roles: str) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(is_active=True, role__in=roles).select_related("user").order_by("pk")
    )


def recipients_for(event: OrderEvent) -> list[Recipient]:
    order = event.order
    transition = event.transition
    customers_allowed = event.visibility != EventVisibility.INTERNAL
    found: list[Recipient] = []
    seen: set[tuple[str, int]] = set()

    def add(
        audience: str, *, customer: Customer | None = None, staff: StaffMember | None = None, kind: str = ""
    ) -> None:
        recipient = Recipient(audience, kind or f"{transition}:{audience}", customer, staff)
        if recipient.key in seen:
            return
        if staff is not None and not staff.is_active:
            return
        seen.add(recipient.key)
        found.append(recipient)

    managers: list[Customer] = []
    if order.company_id:
        managers = list(
            Customer.objects.filter(company_id=order.company_id, is_company_manager=True)
            .select_related("user")
            .order_by("pk")
        )
    for role in [r for r in (event.notify_roles or []) if r in NOTIFY_ORDER]:
        if role == "reporter" and customers_allowed:
            add("reporter", customer=order.reporter)
        elif role == "company_manager" and customers_allowed:
            for manager in managers:
                add("company_manager", customer=manager)
        elif role == "back_office":
            for staff in _active_staff(StaffRole.ADMIN, StaffRole.DISPATCHER):
                add("back_office", staff=staff)
        elif role == "supervisor":
            supervisors = _active_staff(StaffRole.SUPERVISOR) or _active_staff(StaffRole.ADMIN)
            for staff in supervisors:
                add("supervisor", staff=staff)
        elif role == "engineer":
            engineer_id = (event.payload or {}).get("engineer_id") or order.engineer_id or 0
            engineer = StaffMember.objects.select_related("user").filter(pk=engineer_id).first()
            if engineer is not None:
                add("engineer", staff=engineer)
            previous_id = (event.payload or {}).get("previous_engineer_id")
            if transition == "dispatch" and previous_id and previous_id != engineer_id:
                previous = StaffMember.objects.select_related("user").filter(pk=previous_id).first()
                if previous is not None:
                    add("engineer", staff=previous, kind="reassigned:engineer")
    return found


def channels_for(recipient: Recipient, *, staff_openids: dict[int, str]) -> list[tuple[str, str]]:
    """(channel, address) pairs for one recipient; the in-app message first."""
    channels: list[tuple[str, str]] = [(Channel.INAPP, "")]
    if recipient.customer is not None:
        customer = recipient.customer
        if customer.wechat_openid:
            channels.append((Channel.WECHAT, customer.wechat_openid))
        else:
            channels.append((Channel.SMS, customer.phone))
        email = getattr(customer.user, "email", "")
    else:
        staff = recipient.staff
        assert staff is not None
        channels.append((Channel.SMS, staff.phone))
        if staff.pk in staff_openids:
            channels.append((Channel.WECHAT, staff_openids[staff.pk]))
        email = getattr(staff.user, "email", "")
    if email:
        channels.append((Channel.EMAIL, email))
    return channels


def staff_openids(staff_ids: list[int]) -> dict[int, str]:
    return dict(StaffWeChatBinding.objects.filter(staff_id__in=staff_ids).values_list("staff_id", "openid"))
