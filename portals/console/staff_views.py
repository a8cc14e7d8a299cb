"""员工 staff: invite by phone, roles, deactivation, and engineer self-registration (MangoIT:
an admin shares a link/QR, engineers register, an admin approves or rejects). Admin only, except
the two pages people reach from a text message or QR code (set password, register)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.models import StaffMember, StaffRole, StaffStatus
from accounts.selectors import engineer_join_token_valid, provider_settings, staff_get, staff_list
from accounts.services import (
    engineer_approve,
    engineer_join_link_disable,
    engineer_join_link_renew,
    engineer_register,
    engineer_reject,
    staff_change_role,
    staff_deactivate,
    staff_invite,
    staff_invite_accept,
    staff_invite_renew,
    staff_reactivate,
)
from accounts.tokens import staff_for_invite_token, staff_invite_token
from billing.entitlements import Feature, feature_limit, provider_may
from integrations.sms.codes import CodeRefused, code_verify
from portals.access import current_staff, staff_required
from portals.console.forms import (
    EngineerJoinForm,
    RejectForm,
    SetPasswordForm,
    StaffInviteForm,
    StaffRoleForm,
)
from portals.notices import text_staff
from portals.qr import qr_response
from portals.web import absolute_url, add_service_errors, current_schema, safe_next, send_code_for_form

ENGINEER_REGISTER = "engineer_register"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _seats(request: HttpRequest) -> int | None:
    """Staff seats the provider's plan allows now (None: unlimited; 0 once the account expired)."""
    provider = request.tenant  # type: ignore[attr-defined]
    if not provider_may(provider, Feature.STAFF_SEATS):
        return 0
    return feature_limit(provider, Feature.STAFF_SEATS)


def _provider_name(request: HttpRequest) -> str:
    return str(request.tenant.name)  # type: ignore[attr-defined]


def _send_invitation(request: HttpRequest, staff: StaffMember) -> None:
    uidb64, token = staff_invite_token(staff=staff)
    link = absolute_url(request, reverse("console:staff-welcome", args=[uidb64, token]))
    if text_staff(
        phone=staff.phone, template="staff_invite", params={"provider": _provider_name(request), "link": link}
    ):
        messages.success(
            request, _("The invitation was sent by text message to %(phone)s.") % {"phone": staff.phone}
        )
    else:
        messages.error(
            request, _("The text message could not be sent. The invitation is saved: send it again later.")
        )


def _staff_or_404(actor: StaffMember, pk: int) -> StaffMember:
    staff = staff_get(actor=actor, pk=pk)
    if staff is None:
        raise Http404
    return staff


@staff_required(StaffRole.ADMIN)
def staff_index(request: HttpRequest) -> HttpResponse:
    actor = current_staff(request)
    members = list(staff_list(actor=actor))
    seats = _seats(request)
    used = sum(1 for m in members if m.status in {StaffStatus.ACTIVE, StaffStatus.INVITED})
    return render(
        request,
        "portals/console/staff/list.html",
        {
            "pending": [m for m in members if m.status == StaffStatus.PENDING],
            "members": [m for m in members if m.status != StaffStatus.PENDING],
            "seats": seats,
            "seats_used": used,
            "reject_form": RejectForm(),
            "join_enabled": bool(provider_settings().engineer_join_token),
        },
    )


@staff_required(StaffRole.ADMIN)
def staff_invite_view(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = staff_invite(actor=current_staff(request), seats=_seats(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _send_invitation(request, staff)
            return redirect("console:staff-detail", pk=staff.pk)
    return render(request, "portals/console/staff/invite.html", {"form": form})


@staff_required(StaffRole.ADMIN)
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = current_staff(request)
    staff = _staff_or_404(actor, pk)
    role_form = StaffRoleForm(initial={"role": staff.role})
    reject_form = RejectForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "role":
                role_form = StaffRoleForm(request.POST)
                if not role_form.is_valid():
                    raise ValidationError(list(role_form.errors["role"]))
                staff_change_role(actor=actor, staff=staff, role=role_form.cleaned_data["role"])
                messages.success(request, _("The role was changed."))
            elif action == "resend":
                staff = staff_invite_renew(actor=actor, staff=staff)
                _send_invitation(request, staff)
            elif action == "deactivate":
                staff_deactivate(actor=actor, staff=staff)
                messages.success(request, _("%(name)s can no longer sign in.") % {"name": staff})
            elif action == "reactivate":
                staff = staff_reactivate(actor=actor, staff=staff, seats=_seats(request))
                if staff.status == StaffStatus.INVITED:
                    _send_invitation(request, staff)
                else:
                    messages.success(request, _("%(name)s can sign in again.") % {"name": staff})
            elif action == "approve":
                staff = engineer_approve(actor=actor, staff=staff, seats=_seats(request))
                login_link = absolute_url(request, reverse("console:login"))
                sent = text_staff(
                    phone=staff.phone,
                    template="engineer_approved",
                    params={"provider": _provider_name(request), "link": login_link},
                )
                messages.success(request, _("%(name)s is approved and can sign in now.") % {"name": staff})
                if not sent:
                    messages.error(request, _("The text message telling them could not be sent."))
            elif action == "reject":
                reject_form = RejectForm(request.POST)
                if not reject_form.is_valid():
                    raise ValidationError(list(reject_form.errors["reason"]))
                staff = engineer_reject(actor=actor, staff=staff, reason=reject_form.cleaned_data["reason"])
                sent = text_staff(
                    phone=staff.phone,
                    template="engineer_rejected",
                    params={"provider": _provider_name(request), "reason": staff.rejection_reason},
                )
                messages.success(request, _("The registration of %(name)s was rejected.") % {"name": staff})
                if not sent:
                    messages.error(request, _("The text message telling them could not be sent."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            return redirect(safe_next(request, reverse("console:staff-detail", args=[staff.pk])))
        staff = _staff_or_404(actor, pk)
    return render(
        request,
        "portals/console/staff/detail.html",
        {
            "member": staff,
            "role_form": role_form,
            "reject_form": reject_form,
            "is_self": staff.pk == actor.pk,
        },
    )


# --- Engineer self-registration link --------------------------------------------------------------


def _join_link(request: HttpRequest, token: str) -> str:
    return absolute_url(request, reverse("console:engineer-join", args=[token]))


@staff_required(StaffRole.ADMIN)
def join_link(request: HttpRequest) -> HttpResponse:
    actor = current_staff(request)
    if request.method == "POST":
        if request.POST.get("action") == "disable":
            engineer_join_link_disable(actor=actor)
            messages.success(request, _("The registration link is switched off."))
        else:
            engineer_join_link_renew(actor=actor)
            messages.success(
                request, _("A new registration link is ready. Older links and QR codes no longer work.")
            )
        return redirect("console:staff-join-link")
    token = provider_settings().engineer_join_token
    return render(
        request,
        "portals/console/staff/join_link.html",
        {"token": token, "link": _join_link(request, token) if token else ""},
    )


@staff_required(StaffRole.ADMIN)
def join_qr(request: HttpRequest, kind: str) -> HttpResponse:
    token = provider_settings().engineer_join_token
    if kind not in {"png", "svg"} or not token:
        raise Http404
    return qr_response(_join_link(request, token), kind=kind, filename="engineer-registration")


@never_cache
def engineer_join(request: HttpRequest, token: str) -> HttpResponse:
    """The mobile page behind the registration QR code: name, phone + SMS code, password."""
    if not engineer_join_token_valid(token=token):
        return render(request, "portals/console/staff/join_invalid.html", status=404)
    form = EngineerJoinForm(request.POST or None)
    code_sent = False
    if request.method == "POST" and request.POST.get("action") == "send":
        code_sent = send_code_for_form(request, form, purpose=ENGINEER_REGISTER)
    elif request.method == "POST" and form.is_valid() and form.require_code():
        data = form.cleaned_data
        try:
            code_verify(
                phone=data["phone"],
                purpose=ENGINEER_REGISTER,
                scope=current_schema(),
                code=data["code"],
            )
            staff = engineer_register(
                join_token=token,
                phone=data["phone"],
                display_name=data["display_name"],
                password=data["password1"],
                skills=data["skills"],
                region=data["region"],
            )
        except CodeRefused as exc:
            form.add_error("code", exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"password": "password1"})
        else:
            return render(request, "portals/console/staff/join_done.html", {"member": staff})
    return render(request, "portals/console/staff/join.html", {"form": form, "code_sent": code_sent})


# --- Invitation: set a password ---------------------------------------------------------------------


@never_cache
def staff_welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link in the invitation text: choose a password, then straight into the console."""
    staff = staff_for_invite_token(uidb64=uidb64, token=token)
    if staff is None:
        return render(request, "portals/console/staff/welcome_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff = staff_invite_accept(staff=staff, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"password": "password1"})
        else:
            login(request, staff.user, backend=AUTH_BACKEND)
            messages.success(request, _("Welcome! Your password is set."))
            return redirect("console:home")
    return render(request, "portals/console/staff/welcome.html", {"form": form, "member": staff})
