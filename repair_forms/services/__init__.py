"""Order lifecycle services: one per transition of ``repair_forms.lifecycle.TRANSITIONS``.

Split by who acts: ``reporter`` (submit, edit, cancel, urge), ``back_office`` (accept, dispatch,
progress, notes), ``engineer`` (start, suspension, resume, job sheet), ``completion`` (confirm,
reject, rate) and ``system`` (overdue flag, external statuses); ``_common`` holds the event writer
and locking. Import from this package: ``from repair_forms.services import order_submit``.

Each service is keyword-only, runs in one transaction, locks the order row (``SELECT … FOR UPDATE``
so two dispatchers cannot both accept), asks ``lifecycle.check`` whether the actor may fire the
transition from the order's current state, writes the order and appends an ``OrderEvent`` — the
timeline entry and the notification outbox row — before the transaction commits.

Errors: ``lifecycle.TransitionNotAllowed`` (wrong state, wrong role, or a rule like "too early to
urge"; HTTP 409) and plain ``ValidationError`` for bad input (HTTP 400), both in zh and en.
Times: every service takes ``now`` (default ``timezone.now()``) so tests and jobs control the clock.
"""

from __future__ import annotations

from repair_forms.services._common import EDITABLE_COLUMNS, MAX_NOTE, MAX_REASON
from repair_forms.services.back_office import (
    order_accept,
    order_add_note,
    order_dispatch,
    order_set_progress,
)
from repair_forms.services.completion import (
    order_confirm_completion,
    order_rate,
    order_reject_completion,
)
from repair_forms.services.engineer import (
    order_approve_suspension,
    order_reject_suspension,
    order_request_suspension,
    order_resume,
    order_start,
    order_submit_job_sheet,
)
from repair_forms.services.reporter import (
    SubmittedOrder,
    order_cancel,
    order_edit,
    order_submit,
    order_submit_recorded,
    order_urge,
)
from repair_forms.services.system import (
    EXTERNAL_SYNC_SERVICES,
    external_transition_for,
    order_apply_external_status,
    order_flag_overdue,
)

__all__ = [
    "EDITABLE_COLUMNS",
    "EXTERNAL_SYNC_SERVICES",
    "MAX_NOTE",
    "MAX_REASON",
    "SubmittedOrder",
    "external_transition_for",
    "order_accept",
    "order_add_note",
    "order_apply_external_status",
    "order_approve_suspension",
    "order_cancel",
    "order_confirm_completion",
    "order_dispatch",
    "order_edit",
    "order_flag_overdue",
    "order_rate",
    "order_reject_completion",
    "order_reject_suspension",
    "order_request_suspension",
    "order_resume",
    "order_set_progress",
    "order_start",
    "order_submit",
    "order_submit_job_sheet",
    "order_submit_recorded",
    "order_urge",
]
