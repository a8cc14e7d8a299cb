"""Who approves: units (departments with heads and members), approver groups, the tenant's chain and
the visitor settings (walk-ins, provider-defined extra fields). Only administrators change them.

The default chain is the seed's (contact person → their unit head → 物资保障组 for temporary
visitors, 信息报送组 for long-term ones); ``chain_default_ensure`` creates it once per tenant, so an
administrator who changes or empties it keeps their version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import StaffMember, StaffRole
from repair_forms.fields import CORE_KEYS, validate_definition
from visitors.models import (
    ApproverGroup,
    ApproverKind,
    ChainStep,
    Unit,
    VisitorSettings,
    VisitorType,
)

# The extra fields a visitor form may carry: plain inputs whose answers are stored as they are.
EXTRA_FIELD_TYPES = frozenset(
    {"text", "textarea", "number", "select", "multi_select", "date", "time", "phone"}
)
# Application fields a chain step's condition may test besides the extra fields.
CONDITION_FIELDS = ("visitor_type", "id_type", "driving")

MATERIALS_GROUP = "物资保障组"
REPORTING_GROUP = "信息报送组"


def require_admin(actor: StaffMember) -> None:
    if not (actor.is_active and actor.role == StaffRole.ADMIN):
        raise PermissionDenied(_("Only administrators can change the visitor settings."))


def visitor_settings() -> VisitorSettings:
    return VisitorSettings.objects.get_or_create(pk=1)[0]


def validate_extra_fields(fields: Any) -> list[dict[str, Any]]:
    """The form-template machinery's own check, narrowed to plain inputs that are not order columns."""
    if fields in (None, [], ""):
        return []
    normalised = validate_definition(fields)
    errors = []
    for definition in normalised:
        if definition["type"] not in EXTRA_FIELD_TYPES:
            errors.append(
                _("Field “%(key)s”: a visitor form cannot use the type “%(type)s”.")
                % {"key": definition["key"], "type": definition["type"]}
            )
        elif definition["key"] in CORE_KEYS or definition["key"] in CONDITION_FIELDS:
            errors.append(_("Field “%(key)s”: this key is reserved.") % {"key": definition["key"]})
    if errors:
        raise ValidationError({"extra_fields": errors})
    return normalised


@transaction.atomic
def visitor_settings_update(
    *, actor: StaffMember, walk_in_allowed: bool, extra_fields: Any
) -> VisitorSettings:
    require_admin(actor)
    settings = VisitorSettings.objects.select_for_update().get_or_create(pk=1)[0]
    settings.walk_in_allowed = walk_in_allowed
    settings.extra_fields = validate_extra_fields(extra_fields)
    settings.save(update_fields=["walk_in_allowed", "extra_fields", "updated_at"])
    return settings


# --- Units and groups --------------------------------------------------------------------------------


def _clean_name(name: str, field: str = "name") -> str:
    value = " ".join((name or "").split())
    if not value:
        raise ValidationError({field: [_("Enter a name.")]})
    if len(value) > 60:
        raise ValidationError({field: [_("A name can be at most 60 characters.")]})
    return value


@transaction.atomic
def unit_save(
    *,
    actor: StaffMember,
    name: str,
    head: StaffMember | None,
    members: list[StaffMember],
    unit: Unit | None = None,
) -> Unit:
    """Create a unit, or change ``unit``. The head is always a member too."""
    require_admin(actor)
    name = _clean_name(name)
    if Unit.objects.filter(name=name).exclude(pk=unit.pk if unit else 0).exists():
        raise ValidationError({"name": [_("A unit with this name already exists.")]})
    unit = unit or Unit()
    unit.name = name
    unit.head = head
    unit.save()
    unit.members.set({*members, *([head] if head else [])})
    return unit


@transaction.atomic
def group_save(
    *, actor: StaffMember, name: str, members: list[StaffMember], group: ApproverGroup | None = None
) -> ApproverGroup:
    require_admin(actor)
    name = _clean_name(name)
    if ApproverGroup.objects.filter(name=name).exclude(pk=group.pk if group else 0).exists():
        raise ValidationError({"name": [_("A group with this name already exists.")]})
    group = group or ApproverGroup()
    group.name = name
    group.save()
    group.members.set(members)
    return group


# --- The chain ---------------------------------------------------------------------------------------


def _check_condition(field: str, value: str) -> tuple[str, str]:
    field, value = (field or "").strip(), (value or "").strip()
    if not field and not value:
        return "", ""
    extra_keys = {d["key"] for d in visitor_settings().extra_fields}
    if field not in CONDITION_FIELDS and field not in extra_keys:
        raise ValidationError({"condition_field": [_("Choose a field of the visitor form.")]})
    if not value:
        raise ValidationError({"condition_value": [_("Enter the value the field must have.")]})
    if field == "visitor_type" and value not in VisitorType.values:
        raise ValidationError({"condition_value": [_("Choose a visitor type.")]})
    return field, value


@transaction.atomic
def chain_step_save(
    *,
    actor: StaffMember,
    name: str,
    approver_kind: str,
    group: ApproverGroup | None = None,
    person: StaffMember | None = None,
    condition_field: str = "",
    condition_value: str = "",
    step: ChainStep | None = None,
) -> ChainStep:
    """Add a step at the end of the chain, or change ``step``."""
    require_admin(actor)
    if approver_kind not in ApproverKind.values:
        raise ValidationError({"approver_kind": [_("Choose who approves this step.")]})
    if approver_kind == ApproverKind.GROUP and group is None:
        raise ValidationError({"group": [_("Choose the group that approves this step.")]})
    if approver_kind == ApproverKind.PERSON and person is None:
        raise ValidationError({"person": [_("Choose the person who approves this step.")]})
    field, value = _check_condition(condition_field, condition_value)
    if step is None:
        last = ChainStep.objects.aggregate(last=Max("position"))["last"] or 0
        step = ChainStep(position=last + 1)
    step.name = _clean_name(name)
    step.approver_kind = approver_kind
    step.group = group if approver_kind == ApproverKind.GROUP else None
    step.person = person if approver_kind == ApproverKind.PERSON else None
    step.condition_field, step.condition_value = field, value
    step.save()
    return step


@transaction.atomic
def chain_step_delete(*, actor: StaffMember, step: ChainStep) -> None:
    require_admin(actor)
    step.delete()
    for position, remaining in enumerate(ChainStep.objects.order_by("position", "id"), start=1):
        if remaining.position != position:
            ChainStep.objects.filter(pk=remaining.pk).update(position=position)


@transaction.atomic
def chain_step_move(*, actor: StaffMember, step: ChainStep, up: bool) -> None:
    """Swap the step with its neighbour above (``up``) or below."""
    require_admin(actor)
    steps = list(ChainStep.objects.select_for_update().order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(steps):
        return
    steps[index], steps[other] = steps[other], steps[index]
    for position, item in enumerate(steps, start=1):
        ChainStep.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def chain_default_ensure() -> bool:
    """Create the seed's chain and its two groups once per tenant. True when it created them."""
    settings = VisitorSettings.objects.select_for_update().get_or_create(pk=1)[0]
    if settings.chain_initialised:
        return False
    if not ChainStep.objects.exists():
        materials = ApproverGroup.objects.get_or_create(name=MATERIALS_GROUP)[0]
        reporting = ApproverGroup.objects.get_or_create(name=REPORTING_GROUP)[0]
        ChainStep.objects.bulk_create(
            [
                ChainStep(position=1, name="对接人审批", approver_kind=ApproverKind.CONTACT_PERSON),
                ChainStep(position=2, name="单位负责人审批", approver_kind=ApproverKind.UNIT_HEAD),
                ChainStep(
                    position=3,
                    name="物资保障组审批",
                    approver_kind=ApproverKind.GROUP,
                    group=materials,
                    condition_field="visitor_type",
                    condition_value=VisitorType.TEMPORARY,
                ),
                ChainStep(
                    position=4,
                    name="信息报送组审批",
                    approver_kind=ApproverKind.GROUP,
                    group=reporting,
                    condition_field="visitor_type",
                    condition_value=VisitorType.LONG_TERM,
                ),
            ]
        )
    settings.chain_initialised = True
    settings.save(update_fields=["chain_initialised", "updated_at"])
    return True
