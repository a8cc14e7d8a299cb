"""The staff steps on an order, as one table the console and the engineer's job pages share: the
lifecycle transition behind each step, its form, the service call and what to say when done.

``run_step`` is the whole of a step's view: GET shows the step's page, POST calls the service.
The lifecycle decides: a step the signed-in role may never take answers 403, a step at the wrong
moment 409 (both with the lifecycle's zh/en explanation), bad input 400 with the form's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portals.console.order_forms import (
    DispatchForm,
    JobSheetForm,
    NoteForm,
    NoteOptionalForm,
    ProgressForm,
    ReasonForm,
    StaffNoteForm,
    SuspendForm,
)
from portals.order_ui import order_view, refusal_status
from portals.web import add_service_errors
from repair_forms import services
from repair_forms.lifecycle import Actor, TransitionNotAllowed, check
from repair_forms.models import RepairOrder


@dataclass(frozen=True)
class Step:
    transition: str
    title: str | Promise
    form: type[forms.Form]
    run: Callable[[Actor, RepairOrder, dict[str, Any]], Any]
    done: str | Promise
    danger: bool = False


STEPS: dict[str, Step] = {
    "accept": Step(
        "accept",
        _("Accept"),
        StaffNoteForm,
        lambda a, o, d: services.order_accept(
            actor=a,
            order=o,
            note=d.get("note", ""),
            note_visible_to_customer=bool(d.get("note_visible_to_customer")),
        ),
        _("The order was accepted."),
    ),
    "dispatch": Step(
        "dispatch",
        _("Dispatch to an engineer"),
        DispatchForm,
        lambda a, o, d: services.order_dispatch(
            actor=a,
            order=o,
            engineer=d["engineer"],
            note=d.get("note", ""),
            note_visible_to_customer=bool(d.get("note_visible_to_customer")),
        ),
        _("The order was dispatched."),
    ),
    "approve-suspension": Step(
        "approve_suspension",
        _("Approve the suspension"),
        StaffNoteForm,
        lambda a, o, d: services.order_approve_suspension(
            actor=a,
            order=o,
            note=d.get("note", ""),
            note_visible_to_customer=bool(d.get("note_visible_to_customer")),
        ),
        _("The suspension was approved."),
    ),
    "reject-suspension": Step(
        "reject_suspension",
        _("Reject the suspension"),
        ReasonForm,
        lambda a, o, d: services.order_reject_suspension(actor=a, order=o, reason=d["reason"]),
        _("The suspension was rejected; the engineer continues the repair."),
        danger=True,
    ),
    "progress": Step(
        "set_progress",
        _("Set progress manually"),
        ProgressForm,
        lambda a, o, d: services.order_set_progress(actor=a, order=o, status=d["status"], reason=d["reason"]),
        _("The progress was changed."),
    ),
    "note": Step(
        "add_note",
        _("Add an internal note"),
        NoteForm,
        lambda a, o, d: services.order_add_note(actor=a, order=o, note=d["note"], photos=d.get("photos", [])),
        _("The note was added."),
    ),
    "start": Step(
        "start",
        _("Start the repair"),
        NoteOptionalForm,
        lambda a, o, d: services.order_start(actor=a, order=o),
        _("The repair has started."),
    ),
    "suspend": Step(
        "request_suspension",
        _("Request a suspension"),
        SuspendForm,
        lambda a, o, d: services.order_request_suspension(
            actor=a, order=o, reason=d["reason"], photos=d.get("photos", [])
        ),
        _("Your suspension request was sent to the supervisor."),
    ),
    "resume": Step(
        "resume",
        _("Resume the repair"),
        NoteOptionalForm,
        lambda a, o, d: services.order_resume(actor=a, order=o, note=d.get("note", "")),
        _("The repair continues."),
    ),
    "job-sheet": Step(
        "submit_job_sheet",
        _("Submit the job sheet"),
        JobSheetForm,
        lambda a, o, d: services.order_submit_job_sheet(
            actor=a,
            order=o,
            work_done=d["work_done"],
            result=d["result"],
            parts=d.get("parts", []),
            photos=d.get("photos", []),
        ),
        _("The job sheet was submitted; the customer is asked to confirm."),
    ),
}
OFFICE_STEPS = frozenset(
    {"accept", "dispatch", "approve-suspension", "reject-suspension", "progress", "note"}
)
ENGINEER_STEPS = frozenset({"start", "suspend", "resume", "job-sheet", "note"})
# A step's form class, for the order pages that show several forms inline.
STEP_FOR_TRANSITION = {step.transition: name for name, step in STEPS.items()}


def step_form(name: str, order: RepairOrder, data: Any = None, files: Any = None) -> forms.Form:
    step = STEPS[name]
    if step.form is ProgressForm:
        return ProgressForm(data, files, current=order.status)
    return step.form(data, files)


def run_step(
    request: HttpRequest,
    *,
    actor: Actor,
    order: RepairOrder,
    name: str,
    allowed: frozenset[str],
    template: str,
    success_url: str,
    photo_route: str,
) -> HttpResponse:
    if name not in allowed or name not in STEPS:
        raise Http404
    step = STEPS[name]
    posted = request.method == "POST"
    form = step_form(name, order, request.POST if posted else None, request.FILES if posted else None)
    refusal, status = "", 200
    try:
        check(step.transition, order=order, actor=actor)
    except TransitionNotAllowed as exc:
        refusal, status = " ".join(exc.messages), refusal_status(exc)
    if request.method == "POST" and not refusal:
        if form.is_valid():
            try:
                step.run(actor, order, form.cleaned_data)
            except TransitionNotAllowed as exc:
                refusal, status = " ".join(exc.messages), refusal_status(exc)
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, str(step.done))
                return redirect(success_url)
        else:
            status = 400
    return render(
        request,
        template,
        {
            "v": order_view(actor=actor, order=order),
            "order": order,
            "step": step,
            "step_name": name,
            "form": form,
            "refusal": refusal,
            "success_url": success_url,
            "photo_route": photo_route,
        },
        status=status,
    )
