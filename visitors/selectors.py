"""Reads for visitors. Every selector takes the acting person and returns only what they may see:

- a visitor (portal customer, phone verified by SMS code) sees the invitations sent to that phone and
  their own applications;
- staff see applications waiting for them, ones they decided, ones they host or whose invitation
  they created; administrators see all. ``application_for_staff`` answers "not found" for both
  missing and forbidden;
- the full ID number is revealed only to administrators and the application's approvers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.crypto import reveal
from accounts.models import Customer, StaffMember, StaffRole
from visitors.models import (
    Application,
    ApplicationStatus,
    ApplicationStep,
    GateCheck,
    Invitation,
    InvitationStatus,
    StepState,
    VisitEvent,
    VisitPass,
)

WAITING, HANDLED, STARTED = "waiting", "handled", "started"
PROCESS_TABS = (WAITING, HANDLED, STARTED)


def _is_admin(actor: StaffMember) -> bool:
    return actor.is_active and actor.role == StaffRole.ADMIN


# --- Visitors ----------------------------------------------------------------------------------------


def invitations_for_visitor(*, customer: Customer) -> QuerySet[Invitation]:
    """我的邀请码: codes sent to the visitor's verified phone."""
    return (
        Invitation.objects.select_related("host", "unit")
        .filter(phone=customer.phone, sent_at__isnull=False)
        .order_by("-created_at", "-id")
    )


VISITOR_TABS = {
    "approved": ApplicationStatus.APPROVED,
    "pending": ApplicationStatus.PENDING,
    "rejected": ApplicationStatus.REJECTED,
}


def applications_for_visitor(*, customer: Customer, tab: str = "") -> QuerySet[Application]:
    """我的预约申请 (tabs 已通过 / 审批中 / 已拒绝)."""
    queryset = Application.objects.select_related("host", "unit", "visit_pass").filter(applicant=customer)
    if tab in VISITOR_TABS:
        queryset = queryset.filter(status=VISITOR_TABS[tab])
    return queryset.order_by("-created_at", "-id")


def application_for_visitor(*, customer: Customer, pk: int) -> Application:
    return applications_for_visitor(customer=customer).get(pk=pk)


def pass_for_visitor(*, customer: Customer, pk: int) -> VisitPass:
    return VisitPass.objects.select_related("application__host", "application__unit").get(
        application_id=pk, application__applicant=customer, application__status=ApplicationStatus.APPROVED
    )


# --- Staff ---------------------------------------------------------------------------------------------


def _visible_to(actor: StaffMember) -> Q:
    return Q(steps__approvers=actor) | Q(host=actor) | Q(invitation__created_by=actor)


@dataclass
class ApplicationFilters:
    status: str = ""
    visitor_type: str = ""
    unit_id: int | None = None
    host_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


def application_list(
    *, actor: StaffMember, filters: ApplicationFilters | None = None
) -> QuerySet[Application]:
    filters = filters or ApplicationFilters()
    queryset = Application.objects.select_related("host", "unit", "visit_pass")
    if not _is_admin(actor):
        ids = Application.objects.filter(_visible_to(actor)).values("pk")
        queryset = queryset.filter(pk__in=ids)
    if filters.status in ApplicationStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.visitor_type:
        queryset = queryset.filter(visitor_type=filters.visitor_type)
    if filters.unit_id:
        queryset = queryset.filter(unit_id=filters.unit_id)
    if filters.host_id:
        queryset = queryset.filter(host_id=filters.host_id)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        queryset = queryset.filter(visit_end__gte=datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        queryset = queryset.filter(
            visit_start__lt=datetime.combine(filters.date_to + timedelta(days=1), time.min, tz)
        )
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(phone__contains=term) | Q(plate_number__icontains=term)
        )
    return queryset.order_by("-created_at", "-id")


def application_for_staff(*, actor: StaffMember, pk: int) -> Application:
    """One application the staff member may see; ``Application.DoesNotExist`` otherwise."""
    queryset = Application.objects.select_related("host", "unit", "invitation", "applicant")
    if not _is_admin(actor):
        queryset = queryset.filter(pk__in=Application.objects.filter(_visible_to(actor)).values("pk"))
    return queryset.get(pk=pk)


def process_centre(*, actor: StaffMember, tab: str) -> QuerySet[Application]:
    """流程中心: waiting for me (an active step I approve), I handled (a step I decided), I started
    (applications on invitations I created)."""
    queryset = Application.objects.select_related("host", "unit")
    if tab == HANDLED:
        queryset = queryset.filter(
            pk__in=ApplicationStep.objects.filter(decided_by=actor).values("application_id")
        )
    elif tab == STARTED:
        queryset = queryset.filter(invitation__created_by=actor)
    else:
        waiting = ApplicationStep.objects.filter(state=StepState.ACTIVE, approvers=actor)
        queryset = queryset.filter(pk__in=waiting.values("application_id"))
    return queryset.order_by("-created_at", "-id")


def waiting_count(*, actor: StaffMember) -> int:
    return ApplicationStep.objects.filter(state=StepState.ACTIVE, approvers=actor).count()


def active_step(application: Application) -> ApplicationStep | None:
    return application.steps.filter(state=StepState.ACTIVE).first()


def may_decide(*, actor: StaffMember, application: Application) -> bool:
    step = active_step(application)
    return step is not None and step.approvers.filter(pk=actor.pk).exists()


def may_see_id_number(*, actor: StaffMember, application: Application) -> bool:
    return _is_admin(actor) or application.steps.filter(approvers=actor).exists()


def id_number_for(*, actor: StaffMember, application: Application) -> str:
    """The full ID number for admins and approvers; the masked one for everyone else."""
    if may_see_id_number(actor=actor, application=application):
        return reveal(application.id_number_sealed)
    return application.masked_id_number


def steps_of(application: Application) -> list[ApplicationStep]:
    return list(
        application.steps.select_related("decided_by").prefetch_related("approvers").order_by("position")
    )


def timeline(application: Application) -> QuerySet[VisitEvent]:
    return application.events.select_related("step").order_by("created_at", "id")


# --- Invitations (console) --------------------------------------------------------------------------


@dataclass
class InvitationFilters:
    status: str = ""
    search: str = ""


def invitation_list(*, actor: StaffMember, filters: InvitationFilters | None = None) -> QuerySet[Invitation]:
    filters = filters or InvitationFilters()
    queryset = Invitation.objects.select_related("host", "unit", "created_by")
    if not _is_admin(actor):
        queryset = queryset.filter(Q(created_by=actor) | Q(host=actor))
    now = timezone.now()
    open_states = [InvitationStatus.CREATED, InvitationStatus.SENT]
    if filters.status == InvitationStatus.EXPIRED:
        queryset = queryset.filter(
            Q(status=InvitationStatus.EXPIRED) | Q(status__in=open_states, visit_end__lt=now)
        )
    elif filters.status in (InvitationStatus.CREATED, InvitationStatus.SENT):
        queryset = queryset.filter(status=filters.status, visit_end__gte=now)
    elif filters.status in InvitationStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.search:
        term = filters.search.strip()
        queryset = queryset.filter(Q(name__icontains=term) | Q(phone__contains=term) | Q(code__iexact=term))
    return queryset.order_by("-created_at", "-id")


def invitation_for_staff(*, actor: StaffMember, pk: int) -> Invitation:
    return invitation_list(actor=actor).get(pk=pk)


# --- The gate and the dashboard ------------------------------------------------------------------------


def on_site(*, actor: StaffMember) -> QuerySet[VisitPass]:
    """Who is inside now (for guards and administrators; others see their own visitors)."""
    queryset = VisitPass.objects.select_related("application__host", "application__unit").filter(on_site=True)
    if actor.role not in (StaffRole.ADMIN, StaffRole.GUARD):
        queryset = queryset.filter(application__host=actor)
    return queryset.order_by("-last_entry_at")


def recent_gate_checks(*, actor: StaffMember, limit: int = 20) -> list[GateCheck]:
    return list(
        GateCheck.objects.select_related("visit_pass__application")
        .filter(guard=actor)
        .order_by("-created_at", "-id")[:limit]
    )


def dashboard(*, actor: StaffMember, today: date | None = None) -> dict[str, Any]:
    """The workbench card: approved visits whose window touches today, who is inside, approvals
    waiting (for an administrator: all of them; otherwise: mine)."""
    tz = timezone.get_current_timezone()
    today = today or timezone.localdate()
    start = datetime.combine(today, time.min, tz)
    end = start + timedelta(days=1)
    visits = Application.objects.filter(
        status=ApplicationStatus.APPROVED, visit_start__lt=end, visit_end__gt=start
    )
    waiting = (
        ApplicationStep.objects.filter(state=StepState.ACTIVE).count()
        if _is_admin(actor)
        else waiting_count(actor=actor)
    )
    return {
        "visits_today": visits.count(),
        "on_site": VisitPass.objects.filter(on_site=True).count(),
        "waiting": waiting,
    }
