"""Console: invitations (create, send by SMS/WeChat with a copyable link, revoke, bulk import), the
applications list with filters and CSV/XLSX export, and the 流程中心 (waiting for me / I handled /
I started) with the detail page where the active step's approver approves or rejects.

Thin: parse, call one service or selector, render. Missing and forbidden objects are both 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portals.access import current_staff, staff_required
from portals.visitor_pages.access import OFFICE, console_feature
from portals.visitor_pages.export import applications_export
from portals.visitor_pages.forms import (
    ApplicationFilterForm,
    DecisionForm,
    ImportForm,
    InvitationFilterForm,
    InvitationForm,
)
from portals.web import absolute_url, add_service_errors
from visitors import selectors, services
from visitors.imports import import_template_csv, invitations_import
from visitors.models import Application, Invitation

PAGE_SIZE = 30


def invitation_link(request: HttpRequest, invitation: Invitation) -> str:
    """The link the invitee gets: the apply page with the code filled in."""
    return absolute_url(request, reverse("portal:visit-apply") + f"?code={invitation.code}")


def _invitation_or_404(request: HttpRequest, pk: int) -> Invitation:
    try:
        return selectors.invitation_for_staff(actor=current_staff(request), pk=pk)
    except Invitation.DoesNotExist as exc:
        raise Http404 from exc


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    try:
        return selectors.application_for_staff(actor=current_staff(request), pk=pk)
    except Application.DoesNotExist as exc:
        raise Http404 from exc


# --- Invitations --------------------------------------------------------------------------------------


@staff_required(*OFFICE)
@console_feature
def invitation_index(request: HttpRequest) -> HttpResponse:
    form = InvitationFilterForm(request.GET or None)
    filters = selectors.InvitationFilters()
    if form.is_valid():
        filters = selectors.InvitationFilters(
            status=form.cleaned_data["status"], search=form.cleaned_data["q"]
        )
    page = Paginator(
        selectors.invitation_list(actor=current_staff(request), filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "portals/visitors/console/invitations.html", {"form": form, "page": page})


@staff_required(*OFFICE)
@console_feature
def invitation_new(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=current_staff(request), data=services.InvitationData(**form.cleaned_data)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if request.POST.get("send"):
                services.invitation_send(actor=current_staff(request), invitation=invitation)
                messages.success(request, _("The invitation was created and sent."))
            else:
                messages.success(request, _("The invitation was created. Send it when you are ready."))
            return redirect("console:visitors-invitation", pk=invitation.pk)
    return render(request, "portals/visitors/console/invitation_form.html", {"form": form})


@staff_required(*OFFICE)
@console_feature
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation_or_404(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                services.invitation_send(actor=current_staff(request), invitation=invitation)
                messages.success(request, _("Sent. The invitee can find the code with their phone number."))
            elif action == "revoke":
                services.invitation_revoke(actor=current_staff(request), invitation=invitation)
                messages.success(request, _("The invitation was revoked."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("console:visitors-invitation", pk=invitation.pk)
    application = Application.objects.filter(invitation=invitation).first()
    return render(
        request,
        "portals/visitors/console/invitation_detail.html",
        {"invitation": invitation, "link": invitation_link(request, invitation), "application": application},
    )


@staff_required(*OFFICE)
@console_feature
def invitation_import(request: HttpRequest) -> HttpResponse:
    if request.GET.get("template"):
        response = HttpResponse(import_template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="invitations.csv"'
        return response
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = invitations_import(
                actor=current_staff(request), data=upload.read(), filename=upload.name
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not result.errors:
                messages.success(
                    request, _("%(count)d invitations were created.") % {"count": len(result.created)}
                )
                return redirect("console:visitors-invitations")
    return render(
        request, "portals/visitors/console/invitation_import.html", {"form": form, "result": result}
    )


# --- Applications and the 流程中心 --------------------------------------------------------------------


def _application_filters(form: ApplicationFilterForm) -> selectors.ApplicationFilters:
    if not form.is_valid():
        return selectors.ApplicationFilters()
    data = form.cleaned_data
    return selectors.ApplicationFilters(
        status=data["status"],
        visitor_type=data["visitor_type"],
        unit_id=data["unit"].pk if data["unit"] else None,
        host_id=data["host"].pk if data["host"] else None,
        date_from=data["date_from"],
        date_to=data["date_to"],
        search=data["q"],
    )


@staff_required(*OFFICE)
@console_feature
def application_index(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    applications = selectors.application_list(
        actor=current_staff(request), filters=_application_filters(form)
    )
    file_format = request.GET.get("export", "")
    if file_format in ("csv", "xlsx"):
        content_type = (
            "text/csv; charset=utf-8"
            if file_format == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(
            applications_export(applications, file_format=file_format), content_type=content_type
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="visit-applications-{stamp}.{file_format}"'
        return response
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "portals/visitors/console/applications.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@staff_required(*OFFICE)
@console_feature
def process_centre(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", selectors.WAITING)
    if tab not in selectors.PROCESS_TABS:
        tab = selectors.WAITING
    actor = current_staff(request)
    page = Paginator(selectors.process_centre(actor=actor, tab=tab), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portals/visitors/console/process.html",
        {"tab": tab, "page": page, "waiting": selectors.waiting_count(actor=actor)},
    )


@staff_required(*OFFICE)
@console_feature
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = current_staff(request)
    application = _application_or_404(request, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("decision") == "approve"
        try:
            services.application_decide(
                actor=actor, application=application, approve=approve, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Approved.") if approve else _("Rejected."))
            return redirect("console:visitors-application", pk=application.pk)
    return render(
        request,
        "portals/visitors/console/application_detail.html",
        {
            "application": application,
            "id_number": selectors.id_number_for(actor=actor, application=application),
            "steps": selectors.steps_of(application),
            "events": selectors.timeline(application),
            "may_decide": selectors.may_decide(actor=actor, application=application),
            "form": form,
            "visit_pass": getattr(application, "visit_pass", None),
        },
    )


@staff_required(*OFFICE)
@console_feature
def pass_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for the reason; POST revokes (the contact person or an administrator)."""
    application = _application_or_404(request, pk)
    visit_pass = getattr(application, "visit_pass", None)
    if visit_pass is None:
        raise Http404
    if request.method != "POST":
        return render(
            request,
            "portals/visitors/console/pass_revoke.html",
            {"application": application, "visit_pass": visit_pass},
        )
    try:
        services.pass_revoke(
            actor=current_staff(request), visit_pass=visit_pass, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The pass was revoked."))
    return redirect("console:visitors-application", pk=application.pk)
