"""消息中心 for staff (their own in-app messages, unread counts, notice language) and the back
office's message log (every notification: recipient, channel, status, attempts, last error,
resend). Thin views: parse, call one service or selector, render."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from integrations.models import Channel, NotificationStatus
from integrations.notifications.selectors import (
    LogFilters,
    can_see_log,
    inbox,
    language_of,
    notification_for_log,
    notification_log,
    unread_count,
)
from integrations.notifications.services import message_mark_read, notification_resend
from integrations.wechat.accounts import language_set
from portals.access import current_staff, staff_required

BACK_OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER)


@staff_required()
def message_inbox(request: HttpRequest) -> HttpResponse:
    staff = current_staff(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "read_all":
            message_mark_read(staff=staff)
        elif action == "read":
            with contextlib.suppress(ValueError):
                message_mark_read(staff=staff, notification_id=int(request.POST.get("id", "0")))
        elif action == "language":
            try:
                language_set(staff=staff, language=request.POST.get("language", ""))
                messages.success(request, _("Your notices will be written in the language you chose."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect("console:messages")
    return render(
        request,
        "portals/console/messages/inbox.html",
        {
            "items": inbox(staff=staff),
            "unread": unread_count(staff=staff),
            "language": language_of(staff=staff),
            "can_see_log": can_see_log(staff),
        },
    )


@staff_required(*BACK_OFFICE)
def message_log(request: HttpRequest) -> HttpResponse:
    filters = LogFilters(
        channel=request.GET.get("channel", "") if request.GET.get("channel") in Channel.values else "",
        status=request.GET.get("status", "")
        if request.GET.get("status") in NotificationStatus.values
        else "",
        query=request.GET.get("q", "")[:60],
    )
    page = Paginator(notification_log(actor=current_staff(request), filters=filters), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portals/console/messages/log.html",
        {
            "page": page,
            "filters": filters,
            "channels": Channel.choices,
            "statuses": NotificationStatus.choices,
        },
    )


@staff_required(*BACK_OFFICE)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = current_staff(request)
    notification = notification_for_log(actor=actor, pk=pk)
    if notification is None:
        raise Http404
    if request.method == "POST":
        notification_resend(actor=actor, notification=notification)
        messages.success(request, _("The message is queued to be sent again."))
        return redirect("console:message-detail", pk=notification.pk)
    return render(request, "portals/console/messages/detail.html", {"item": notification})
