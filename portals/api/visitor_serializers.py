"""Shapes of the visitor API (documented in OpenAPI). ID numbers leave the server masked except for
approvers (``visitors.selectors.id_number_for``); the pass carries its signed QR payload."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from visitors.models import Application, Invitation, VisitEvent
from visitors.passes import pass_qr_payload


class VisitErrorSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in the request's language (zh-hans or en).")
    code = serializers.CharField(required=False)
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field.",
    )


class InvitationSerializer(serializers.ModelSerializer[Invitation]):
    status = serializers.CharField(source="current_status")
    status_label = serializers.CharField(source="get_current_status_display")
    host = serializers.CharField(source="host.__str__")
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "code",
            "name",
            "visit_start",
            "visit_end",
            "host",
            "unit",
            "visitor_type",
            "visitors_count",
            "status",
            "status_label",
        ]


class StepSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    name = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    decided_by = serializers.CharField(source="decided_by.__str__", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()


class EventSerializer(serializers.ModelSerializer[VisitEvent]):
    kind_label = serializers.CharField(source="get_kind_display")
    step = serializers.CharField(source="step.name", allow_null=True, default=None)

    class Meta:
        model = VisitEvent
        fields = ["kind", "kind_label", "step", "actor_display", "note", "created_at"]


class PassSerializer(serializers.Serializer[Any]):
    short_code = serializers.CharField()
    qr_payload = serializers.SerializerMethodField()
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    revoked = serializers.SerializerMethodField()
    on_site = serializers.BooleanField()

    def get_qr_payload(self, obj: Any) -> str:
        return "" if obj.revoked_at else pass_qr_payload(obj)

    def get_revoked(self, obj: Any) -> bool:
        return obj.revoked_at is not None


class ApplicationItemSerializer(serializers.ModelSerializer[Application]):
    reference = serializers.CharField()
    status = serializers.CharField(help_text="pending (审批中), approved (已通过) or rejected (已拒绝)")
    status_label = serializers.CharField(source="get_status_display")
    host = serializers.CharField(source="host.__str__")
    unit = serializers.CharField(source="unit.name")

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "name",
            "visitor_type",
            "visit_start",
            "visit_end",
            "host",
            "unit",
            "status",
            "status_label",
            "created_at",
        ]


class ApplicationDetailSerializer(ApplicationItemSerializer):
    id_number = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    visit_pass = serializers.SerializerMethodField()

    class Meta(ApplicationItemSerializer.Meta):
        fields = [
            *ApplicationItemSerializer.Meta.fields,
            "phone",
            "id_type",
            "id_number",
            "companions",
            "driving",
            "plate_number",
            "reason",
            "extra",
            "steps",
            "events",
            "visit_pass",
        ]

    def get_id_number(self, obj: Application) -> str:
        return str(self.context.get("id_number") or obj.masked_id_number)

    def get_steps(self, obj: Application) -> list[dict[str, Any]]:
        visible = [
            s for s in obj.steps.select_related("decided_by").order_by("position") if s.state != "skipped"
        ]
        return list(StepSerializer(visible, many=True).data)

    def get_events(self, obj: Application) -> list[dict[str, Any]]:
        return list(
            EventSerializer(obj.events.select_related("step").order_by("created_at", "id"), many=True).data
        )

    def get_visit_pass(self, obj: Application) -> dict[str, Any] | None:
        visit_pass = getattr(obj, "visit_pass", None)
        if visit_pass is None or not self.context.get("with_pass"):
            return None
        return dict(PassSerializer(visit_pass).data)


class ApplyInputSerializer(serializers.Serializer[Any]):
    invitation_code = serializers.CharField(required=False, allow_blank=True, max_length=12)
    visit_start = serializers.DateTimeField()
    visit_end = serializers.DateTimeField()
    name = serializers.CharField(max_length=40, allow_blank=True)  # the service names what is missing
    id_type = serializers.ChoiceField(choices=["resident_id", "passport"])
    id_number = serializers.CharField(max_length=30, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    unit = serializers.IntegerField(
        required=False, allow_null=True, help_text="unit id (ignored with an invitation code)"
    )
    host = serializers.IntegerField(required=False, allow_null=True, help_text="contact person's staff id")
    visitor_type = serializers.CharField(
        required=False, allow_blank=True, help_text="temporary or long_term (ignored with an invitation code)"
    )
    companions = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    driving = serializers.BooleanField(required=False, default=False)
    plate_number = serializers.CharField(max_length=12, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, allow_blank=True)
    extra = serializers.DictField(required=False, help_text="answers to the provider's extra fields, by key")


class DecisionInputSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True)


class GateInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=200, help_text="the scanned QR payload or the typed short code")
    direction = serializers.ChoiceField(choices=["entry", "exit"])


class GateResultSerializer(serializers.Serializer[Any]):
    allowed = serializers.BooleanField()
    direction = serializers.CharField()
    refusal = serializers.CharField()
    message = serializers.CharField()
    visitor = serializers.CharField(allow_blank=True)
    host = serializers.CharField(allow_blank=True)
    plate_number = serializers.CharField(allow_blank=True)


class OnSiteSerializer(serializers.Serializer[Any]):
    short_code = serializers.CharField()
    visitor = serializers.CharField(source="application.masked_name")
    unit = serializers.CharField(source="application.unit.name")
    host = serializers.CharField(source="application.host.__str__")
    plate_number = serializers.CharField(source="application.plate_number")
    since = serializers.DateTimeField(source="last_entry_at")
