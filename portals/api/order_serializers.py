"""Serializers of the order API: inputs of every step, and the shapes of orders, timelines and
forms as the OpenAPI schema documents them. Outputs are built by ``portals.api.order_data`` as
plain dicts and passed through these classes, so what is documented is what is sent."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from repair_forms.lifecycle import MANUAL_PROGRESS_TARGETS
from repair_forms.models import OrderStatus, ServiceType

# --- Shared pieces ---------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in the request's language (zh-hans or en).")
    code = serializers.CharField(required=False)
    transition = serializers.CharField(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field.",
    )


class NamedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PhotoSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.CharField()
    width = serializers.IntegerField(required=False)
    height = serializers.IntegerField(required=False)


class LabelValueSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()


# --- Orders ------------------------------------------------------------------------------------------


class OrderListItemSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="BX-YYYYMMDD-NNNNN")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    status_label = serializers.CharField()
    is_overdue = serializers.BooleanField(help_text="超: past the provider's SLA")
    is_urged = serializers.BooleanField(help_text="催: the reporter urged it")
    submitted_at = serializers.DateTimeField()
    brand = NamedSerializer(allow_null=True)
    category = NamedSerializer(allow_null=True)
    model = NamedSerializer(allow_null=True)
    machine_no = serializers.CharField(allow_blank=True)
    serial = serializers.CharField(allow_blank=True)
    fault_description = serializers.CharField(allow_blank=True)
    service_type = serializers.CharField(allow_blank=True)
    service_type_label = serializers.CharField(allow_blank=True)
    warranty_status = serializers.CharField(allow_blank=True)
    warranty_label = serializers.CharField(allow_blank=True)
    appointment_at = serializers.DateTimeField(allow_null=True)
    notes = serializers.CharField(allow_blank=True)
    engineer = NamedSerializer(allow_null=True)
    company = NamedSerializer(allow_null=True)
    reporter_name = serializers.CharField(allow_blank=True)


class OrderPageSerializer(serializers.Serializer[Any]):
    results = OrderListItemSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Pass as ?cursor= for the next page.")
    counts = serializers.DictField(child=serializers.IntegerField(), required=False)


class TimelineEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    transition = serializers.CharField()
    title = serializers.CharField()
    actor = serializers.CharField(allow_blank=True)
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.CharField(allow_blank=True)
    status_label = serializers.CharField(
        allow_blank=True, help_text="The new progress, when this step changed it."
    )
    note = serializers.CharField(allow_blank=True)
    details = LabelValueSerializer(many=True)
    photos = PhotoSerializer(many=True)
    internal = serializers.BooleanField(help_text="Staff-only entry (never sent to customers).")
    created_at = serializers.DateTimeField()


class WorkOrderSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(help_text="GD-YYMMDD-NNN")
    status = serializers.CharField()
    engineer = NamedSerializer()
    dispatched_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    work_done = serializers.CharField(allow_blank=True)
    result = serializers.CharField(allow_blank=True)
    parts = serializers.ListField(child=serializers.DictField())


class SuspensionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decision = serializers.CharField()
    decision_label = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField(allow_blank=True)
    resumed_at = serializers.DateTimeField(allow_null=True)
    photos = PhotoSerializer(many=True)


class RatingSerializer(serializers.Serializer[Any]):
    stars = serializers.IntegerField()
    tags = serializers.ListField(child=serializers.CharField())
    comment = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()


class DurationsSerializer(serializers.Serializer[Any]):
    waiting = serializers.CharField(help_text="等待接单时长, e.g. 1d 2h 5m")
    waiting_seconds = serializers.IntegerField()
    repair = serializers.CharField(allow_blank=True, help_text="已维修时长, suspended time excluded")
    repair_seconds = serializers.IntegerField(allow_null=True)
    suspended = serializers.CharField(allow_blank=True)


class RatingOptionsSerializer(serializers.Serializer[Any]):
    star_descriptions = serializers.DictField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())


class OrderDetailSerializer(OrderListItemSerializer):
    location = serializers.DictField(child=serializers.CharField(allow_blank=True))
    contact_name = serializers.CharField(allow_blank=True)
    contact_phone = serializers.CharField(allow_blank=True)
    appointment_until = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField(allow_blank=True)
    fields = LabelValueSerializer(  # type: ignore[assignment]
        many=True, help_text="Every field of the order as shown, in the form's order."
    )
    values = serializers.DictField(help_text="The order's values by form field key (for an edit form).")
    template_version = serializers.IntegerField(allow_null=True)
    photos = PhotoSerializer(many=True)
    timeline = TimelineEntrySerializer(many=True)
    actions = serializers.ListField(
        child=serializers.CharField(), help_text="Transitions the caller may take now (lifecycle names)."
    )
    durations = DurationsSerializer()
    work_orders = WorkOrderSerializer(many=True)
    suspensions = SuspensionSerializer(many=True)
    rating = RatingSerializer(allow_null=True)
    rating_options = RatingOptionsSerializer(allow_null=True)
    urge_available_at = serializers.DateTimeField(allow_null=True)
    repair_centre_phone = serializers.CharField(allow_blank=True)
    route_link = serializers.CharField(allow_blank=True, help_text="Tencent Maps route (engineers).")


# --- The report form -----------------------------------------------------------------------------


class FormTemplateSerializer(serializers.Serializer[Any]):
    template_id = serializers.IntegerField()
    name = serializers.CharField()
    version_id = serializers.IntegerField()
    version = serializers.IntegerField()
    style = serializers.CharField()  # type: ignore[assignment]
    fields = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(),
        help_text="Field definitions (see repair_forms.fields), zh and en labels.",
    )


class CatalogModelSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CatalogCategorySerializer(CatalogModelSerializer):
    models = CatalogModelSerializer(many=True)


class CatalogBrandSerializer(CatalogModelSerializer):
    categories = CatalogCategorySerializer(many=True)


class PortalFormSerializer(serializers.Serializer[Any]):
    provider = serializers.DictField(child=serializers.CharField(allow_blank=True))
    reporting_open = serializers.BooleanField()
    free_form_reporting = serializers.BooleanField()
    template = FormTemplateSerializer()
    catalog = CatalogBrandSerializer(many=True, help_text="brand → category → model for the cascade")


class AssetLookupSerializer(serializers.Serializer[Any]):
    """The machine as a customer may see it: no label token; the site only for its company's people.
    Submit with the machine number or serial in ``values`` (it is matched again)."""

    machine_no = serializers.CharField(allow_blank=True)
    serials = serializers.ListField(child=serializers.CharField())
    brand = NamedSerializer(allow_null=True)
    category = NamedSerializer(allow_null=True)
    model = NamedSerializer(allow_null=True)
    values = serializers.DictField(help_text="The report form's values this machine fills in.")


# --- Inputs ------------------------------------------------------------------------------------------


class ConsoleFilterSerializer(serializers.Serializer[Any]):
    """报修单列表 filters (query parameters); all optional."""

    status = serializers.ChoiceField(choices=OrderStatus.choices, required=False, allow_blank=True)
    date_from = serializers.DateField(required=False, allow_null=True)
    date_to = serializers.DateField(required=False, allow_null=True)
    brand = serializers.IntegerField(required=False, allow_null=True)
    category = serializers.IntegerField(required=False, allow_null=True)
    service_type = serializers.ChoiceField(choices=ServiceType.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    urged = serializers.BooleanField(required=False, allow_null=True, default=None)
    engineer = serializers.IntegerField(required=False, allow_null=True)
    company = serializers.IntegerField(required=False, allow_null=True)
    q = serializers.CharField(required=False, allow_blank=True, max_length=80)


class StrictCharField(serializers.CharField):
    """Text in a JSON body must be a JSON string: DRF's CharField turns ``0`` or ``true`` into text,
    accepting what the schema (``type: string``) calls invalid (``{"note": 0}``)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictIntegerField(serializers.IntegerField):
    """A number in a JSON body must be a JSON integer (not "5", 5.5 or true); ids are positive, and
    the schema says so (``minimum: 1``), so ``engineer=0`` is refused by the schema too."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class SubmitSerializer(serializers.Serializer[Any]):
    values = serializers.DictField(
        help_text="Values by field key of the default form (see repair_forms.fields); images as photo ids "
        "uploaded first with POST /api/v1/portal/photos/."
    )
    asset = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=24,
        help_text="The machine's token (from the lookup or a QR).",
    )


class EditSerializer(serializers.Serializer[Any]):
    values = serializers.DictField(help_text="Values by field key of the form the order was filed with.")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = StrictCharField(allow_blank=True, max_length=2000)


class NoteSerializer(serializers.Serializer[Any]):
    note = StrictCharField(required=False, allow_blank=True, max_length=2000, default="")


class StaffNoteSerializer(NoteSerializer):
    note_visible_to_customer = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Show the note to the customer (default: staff and engineer only).",
    )


class RateSerializer(serializers.Serializer[Any]):
    stars = StrictIntegerField()
    tags = serializers.ListField(child=StrictCharField(), required=False, default=list)
    comment = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class DispatchSerializer(serializers.Serializer[Any]):
    engineer = StrictIntegerField(
        min_value=1, help_text="Staff id of an active engineer (GET console/engineers/)."
    )
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)
    note_visible_to_customer = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Show the note to the customer (default: staff and engineer only).",
    )


class ProgressSerializer(serializers.Serializer[Any]):
    status = StrictCharField(
        help_text="The new progress: one of " + ", ".join(sorted(str(t) for t in MANUAL_PROGRESS_TARGETS))
    )
    reason = StrictCharField(allow_blank=True, max_length=2000)


class PhotoIdsMixin(serializers.Serializer[Any]):
    photos = serializers.ListField(
        child=StrictIntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of uploaded photos.",
    )


class InternalNoteSerializer(PhotoIdsMixin):
    note = StrictCharField(allow_blank=True, max_length=4000)


class SuspendSerializer(PhotoIdsMixin):
    reason = StrictCharField(allow_blank=True, max_length=2000)


class PartSerializer(serializers.Serializer[Any]):
    name = StrictCharField(max_length=200)
    quantity = StrictIntegerField(default=1, min_value=1, max_value=9999)


class JobSheetSerializer(PhotoIdsMixin):
    work_done = StrictCharField(allow_blank=True, max_length=4000)
    result = StrictCharField(allow_blank=True, max_length=400)
    parts = PartSerializer(many=True, required=False, default=list)


class PhotoUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class EngineerSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.CharField()
    region = serializers.CharField(allow_blank=True)
    skills = serializers.CharField(allow_blank=True)
