"""What each person is told about each order event, in their language (zh-hans or en).

One entry per (transition, audience) — the seed's notices (MangoIT flow) plus the rest of the
lifecycle table: reporter auto-reply on submit, company-manager and back-office alerts, acceptance,
dispatch (the engineer's carries the Tencent Maps route), the job-sheet confirmation request and
the engineer's "awaiting confirmation", completion, suspension decisions, urges, overdue alerts.

Each message has a title, a body (in-app, e-mail, SMS summary) and, for WeChat, a *slot*: one of
three template shapes the provider maps to template ids of its own account (``SLOTS``). Field
keys name WeChat's types (``thing2``, ``time4`` …) and are fitted to them by
``integrations.wechat.limits`` before sending.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from integrations.wechat import limits
from repair_forms.status_words import status_word


@dataclass(frozen=True)
class Slot:
    key: str
    label: Any
    fields: tuple[tuple[str, Any], ...]  # (WeChat keyword key, what it holds)


SLOTS: dict[str, Slot] = {
    s.key: s
    for s in [
        Slot(
            "order_update",
            gettext_lazy("Order progress (to customers)"),
            (
                ("character_string1", gettext_lazy("order number")),
                ("thing2", gettext_lazy("notice")),
                ("phrase3", gettext_lazy("status")),
                ("time4", gettext_lazy("time")),
                ("thing5", gettext_lazy("details")),
            ),
        ),
        Slot(
            "staff_alert",
            gettext_lazy("New report and alerts (to staff)"),
            (
                ("character_string1", gettext_lazy("order number")),
                ("thing2", gettext_lazy("notice")),
                ("thing3", gettext_lazy("customer")),
                ("phone_number4", gettext_lazy("contact phone")),
                ("time5", gettext_lazy("time")),
            ),
        ),
        Slot(
            "work_order",
            gettext_lazy("Work orders (to engineers)"),
            (
                ("character_string1", gettext_lazy("work order number")),
                ("thing2", gettext_lazy("notice")),
                ("thing3", gettext_lazy("address")),
                ("phone_number4", gettext_lazy("contact phone")),
                ("time5", gettext_lazy("time")),
            ),
        ),
    ]
}

CUSTOMER_AUDIENCES = frozenset({"reporter", "company_manager"})


@dataclass
class Context:
    """Everything a message may mention, gathered once per event."""

    provider: str
    number: str
    status: str  # OrderStatus value after the event
    fault: str
    reporter: str
    company: str
    contact_phone: str
    address: str
    engineer: str
    work_order: str
    note: str
    payload: dict[str, Any]
    at: datetime
    route_link: str = ""
    links: dict[str, str] = field(default_factory=dict)  # audience kind → absolute link
    # False for a staff-only note (``OrderEvent.note_visible_to_customer``): customers are told
    # about the step without it.
    note_visible_to_customer: bool = True

    def for_audience(self, audience: str) -> Context:
        if audience in CUSTOMER_AUDIENCES and not self.note_visible_to_customer:
            return replace(self, note="")
        return self


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    link: str
    slot: str
    wechat_data: dict[str, Any]
    sms_summary: str


def _status_label(status: str, *, for_customer: bool = False) -> str:
    """The status in the one vocabulary (``repair_forms.status_words``), as SMS and WeChat say it."""
    return status_word(status, for_customer=for_customer)


def _who(ctx: Context) -> str:
    if ctx.company and ctx.reporter:
        return f"{ctx.company} {ctx.reporter}"
    return ctx.reporter or ctx.company


def _texts(kind: str, ctx: Context) -> tuple[str, str]:
    """(title, body) for ``kind`` = "<transition>:<audience>", in the active language."""
    v = {
        "number": ctx.number,
        "fault": ctx.fault or _("(no description)"),
        "who": _who(ctx),
        "engineer": ctx.engineer,
        "work_order": ctx.work_order or ctx.number,
        "address": ctx.address or _("(no address given)"),
        "phone": ctx.contact_phone,
        "note": ctx.note,
        "status": _status_label(ctx.status, for_customer=kind.split(":", 1)[-1] in CUSTOMER_AUDIENCES),
        "provider": ctx.provider,
    }
    p = ctx.payload
    table: dict[str, tuple[str, str]] = {
        "submit:reporter": (
            _("Report received"),
            _(
                "Your order %(number)s has been submitted to %(provider)s; "
                "we will accept it shortly. Fault: %(fault)s"
            ),
        ),
        "submit:company_manager": (
            _("New request from your company"),
            _("%(who)s filed order %(number)s: %(fault)s"),
        ),
        "submit:back_office": (
            _("New fault report"),
            _("%(who)s filed order %(number)s: %(fault)s. Contact: %(phone)s. Please accept it."),
        ),
        "edit:back_office": (
            _("Order changed by the customer"),
            _("%(who)s changed order %(number)s before it was accepted."),
        ),
        "cancel:back_office": (
            _("Order cancelled"),
            _("Order %(number)s was cancelled. Reason: %(note)s"),
        ),
        "urge:supervisor": (
            _("Customer is urging"),
            _("%(who)s is urging order %(number)s (status: %(status)s)."),
        ),
        "urge:back_office": (
            _("Customer is urging"),
            _("%(who)s is urging order %(number)s (status: %(status)s)."),
        ),
        "accept:reporter": (
            _("Order accepted"),
            _("Your order %(number)s has been accepted; an engineer will be assigned soon."),
        ),
        "accept:company_manager": (
            _("Order accepted"),
            _("Order %(number)s filed by %(who)s has been accepted."),
        ),
        "dispatch:company_manager": (
            _("New work order"),
            _("Order %(number)s was dispatched to engineer %(engineer)s (work order %(work_order)s)."),
        ),
        "dispatch:engineer": (
            _("New work order"),
            _(
                "Work order %(work_order)s for order %(number)s: %(fault)s. Site: %(address)s. "
                "Contact: %(who)s %(phone)s."
            ),
        ),
        "reassigned:engineer": (
            _("Work order reassigned"),
            _("Order %(number)s was reassigned to another engineer; you no longer need to go."),
        ),
        "start:reporter": (
            _("Repair started"),
            _("Engineer %(engineer)s has started work on your order %(number)s."),
        ),
        "request_suspension:supervisor": (
            _("Suspension requested"),
            _("Engineer %(engineer)s asks to suspend order %(number)s. Reason: %(note)s"),
        ),
        "approve_suspension:reporter": (
            _("Repair suspended"),
            _("Work on your order %(number)s is suspended for now. Reason: %(reason)s"),
        ),
        "approve_suspension:engineer": (
            _("Suspension approved"),
            _("Your request to suspend order %(number)s was approved."),
        ),
        "reject_suspension:engineer": (
            _("Suspension rejected"),
            _("Your request to suspend order %(number)s was rejected. Reason: %(note)s"),
        ),
        "resume:reporter": (
            _("Repair resumed"),
            _("Work on your order %(number)s has resumed."),
        ),
        "submit_job_sheet:company_manager": (
            _("Please confirm completion"),
            _(
                "The engineer finished order %(number)s (work order %(work_order)s). "
                "Result: %(result)s. Please confirm."
            ),
        ),
        "submit_job_sheet:reporter": (
            _("Please confirm completion"),
            _("The engineer finished your order %(number)s. Result: %(result)s. Please confirm."),
        ),
        "submit_job_sheet:engineer": (
            _("Work order awaiting confirmation"),
            _(
                "Work order %(work_order)s (order %(number)s) was submitted "
                "and is waiting for the customer's confirmation."
            ),
        ),
        "confirm_completion:engineer": (
            _("Service completed"),
            _("The customer confirmed work order %(work_order)s (order %(number)s). You may leave the site."),
        ),
        "reject_completion:engineer": (
            _("Completion not accepted"),
            _("The customer did not accept the work on order %(number)s. Reason: %(note)s"),
        ),
        "reject_completion:back_office": (
            _("Completion not accepted"),
            _("%(who)s did not accept the work on order %(number)s. Reason: %(note)s"),
        ),
        "rate:back_office": (
            _("New rating"),
            _("%(who)s rated order %(number)s %(stars)s stars. %(note)s"),
        ),
        "set_progress:reporter": (
            _("Order progress updated"),
            _("Your order %(number)s is now: %(status)s. %(note)s"),
        ),
        "set_progress:company_manager": (
            _("Order progress updated"),
            _("Order %(number)s is now: %(status)s. %(note)s"),
        ),
        "flag_overdue:supervisor": (
            _("Order overdue"),
            _("Order %(number)s is past its %(clock)s time limit (status: %(status)s)."),
        ),
        "flag_overdue:back_office": (
            _("Order overdue"),
            _("Order %(number)s is past its %(clock)s time limit (status: %(status)s)."),
        ),
    }
    v["result"] = str(p.get("result") or "")
    # The engineer's reason for a suspension (the supervisor's approval note is for the engineer).
    v["reason"] = str(p.get("reason") or ctx.note or "")
    v["stars"] = str(p.get("stars") or "")
    clock = str(p.get("clock") or "")
    v["clock"] = {"waiting": _("acceptance"), "repair": _("repair")}.get(clock, clock or _("service"))
    title, body = table.get(kind, (_("Order update"), _("Order %(number)s: %(status)s.")))
    body = body % v
    if kind == "dispatch:engineer" and ctx.note:  # 给工程师的备注
        body += " " + _("Note from the dispatcher: %(note)s") % {"note": ctx.note}
    if kind == "dispatch:engineer" and ctx.route_link:
        body += " " + _("Route: %(link)s") % {"link": ctx.route_link}
    return title, " ".join(body.split())


KINDS = (
    "submit:reporter",
    "submit:company_manager",
    "submit:back_office",
    "edit:back_office",
    "cancel:back_office",
    "urge:supervisor",
    "urge:back_office",
    "accept:reporter",
    "accept:company_manager",
    "dispatch:company_manager",
    "dispatch:engineer",
    "reassigned:engineer",
    "start:reporter",
    "request_suspension:supervisor",
    "approve_suspension:reporter",
    "approve_suspension:engineer",
    "reject_suspension:engineer",
    "resume:reporter",
    "submit_job_sheet:company_manager",
    "submit_job_sheet:reporter",
    "submit_job_sheet:engineer",
    "confirm_completion:engineer",
    "reject_completion:engineer",
    "reject_completion:back_office",
    "rate:back_office",
    "set_progress:reporter",
    "set_progress:company_manager",
    "flag_overdue:supervisor",
    "flag_overdue:back_office",
)


def slot_for(kind: str) -> str:
    audience = kind.split(":", 1)[1]
    if audience in CUSTOMER_AUDIENCES:
        return "order_update"
    if audience == "engineer":
        return "work_order"
    return "staff_alert"


def _wechat_data(slot: str, title: str, body: str, ctx: Context) -> dict[str, Any]:
    if slot == "order_update":
        with translation.override("zh-hans"):  # 'phrase' accepts Chinese only
            status = _status_label(ctx.status, for_customer=True)
        return {
            "character_string1": ctx.number,
            "thing2": title,
            "phrase3": status,
            "time4": ctx.at,
            "thing5": ctx.note or body,
        }
    if slot == "work_order":
        return {
            "character_string1": ctx.work_order or ctx.number,
            "thing2": title,
            "thing3": ctx.address or "-",
            "phone_number4": ctx.contact_phone or "-",
            "time5": ctx.at,
        }
    return {
        "character_string1": ctx.number,
        "thing2": title,
        "thing3": _who(ctx) or "-",
        "phone_number4": ctx.contact_phone or "-",
        "time5": ctx.at,
    }


def render(kind: str, ctx: Context, *, language: str, link: str) -> Rendered:
    """The message for ``kind`` in ``language``; WeChat fields already fitted to their types.
    A customer's message never carries a staff-only note."""
    ctx = ctx.for_audience(kind.split(":", 1)[1])
    with translation.override(language):
        title, body = _texts(kind, ctx)
        slot = slot_for(kind)
        data = limits.fit_data(_wechat_data(slot, title, body, ctx))
        summary = limits.fit("thing", title) if language != "en" else title[:40]
    return Rendered(title=title[:120], body=body, link=link, slot=slot, wechat_data=data, sms_summary=summary)
