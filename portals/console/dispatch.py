"""The dispatcher's engineer picker: each active engineer with his open jobs and, when the order
and his open jobs have coordinates, the distance from his nearest open job to this order's site
(where he will most likely come from). Busiest last is not imposed: the dispatcher decides."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffMember, StaffRole, StaffStatus
from integrations.maps import order_coordinates
from portals.console.order_forms import DispatchForm
from portals.console.routes import distance_km
from repair_forms.models import RepairOrder
from repair_forms.queue_selectors import engineer_load, open_job_sites
from repair_forms.services.dispatching import BULK_STEPS


def _coordinates_of(extra: dict[str, Any]) -> tuple[float, float] | None:
    return order_coordinates(SimpleNamespace(extra=extra))


def engineer_options(order: RepairOrder | None = None) -> list[dict[str, Any]]:
    """[{engineer, open_jobs, distance_km (None when unknown), label}], in the load order of
    ``engineer_load``. Two queries."""
    engineers = engineer_load()
    target = order_coordinates(order) if order is not None else None
    nearest: dict[int, float] = {}
    if target is not None and engineers:
        for engineer_id, extra in open_job_sites(engineer_ids=[e.pk for e in engineers]):
            site = _coordinates_of(extra)
            if site is not None:
                km = distance_km(site, target)
                nearest[engineer_id] = min(km, nearest.get(engineer_id, km))
    options = []
    for engineer in engineers:
        open_jobs = int(getattr(engineer, "open_jobs", 0))
        parts = [engineer.display_name or engineer.phone, _("%(count)d open jobs") % {"count": open_jobs}]
        away = nearest.get(engineer.pk)
        if away is not None:
            parts.append(_("%(km).1f km away") % {"km": away})
        options.append(
            {"engineer": engineer, "open_jobs": open_jobs, "distance_km": away, "label": " · ".join(parts)}
        )
    return options


class PickerDispatchForm(DispatchForm):
    """The dispatch form whose engineer list shows each one's load and distance."""

    def __init__(self, *args: Any, order: RepairOrder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {o["engineer"].pk: o["label"] for o in engineer_options(order)}
        field = self.fields["engineer"]
        field.label_from_instance = lambda e: labels.get(e.pk, e.display_name or e.phone)  # type: ignore[attr-defined]


class BulkForm(forms.Form):
    """The order list's bulk bar: which step, for which orders, to which engineer."""

    step = forms.ChoiceField(
        label=gettext_lazy("Bulk step"),
        choices=[
            ("accept", gettext_lazy("Accept")),
            ("accept-dispatch", gettext_lazy("Accept and dispatch")),
            ("dispatch", gettext_lazy("Dispatch")),
        ],
    )
    orders = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    engineer = forms.ModelChoiceField(
        label=gettext_lazy("Engineer"),
        queryset=StaffMember.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose an engineer"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Names only: the list page stays one cheap query here (load and distance are on the
        # one-order picker, where they are worth a count).
        field = self.fields["engineer"]
        field.queryset = StaffMember.objects.filter(  # type: ignore[attr-defined]
            role=StaffRole.ENGINEER, status=StaffStatus.ACTIVE
        ).order_by("display_name", "phone")
        field.label_from_instance = lambda e: e.display_name or e.phone  # type: ignore[attr-defined]
        # Any id parses; the selector then keeps only orders this user may see.
        self.fields["orders"].choices = [(v, v) for v in self.data.getlist("orders")] if self.is_bound else []  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("step") in BULK_STEPS[1:] and not data.get("engineer"):
            self.add_error("engineer", _("Choose an engineer."))
        return data
