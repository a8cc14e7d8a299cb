"""Demo data for ``manage.py seed_demo``: the visitor module as the seed describes it — two units
with heads, the two approver groups with members, the default chain, the seed's example extra
fields (健康码 / 行程码 / 核酸) and one invitation sent to a demo visitor. Runs once per tenant."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import StaffMember
from visitors import services
from visitors.models import ApproverGroup, Invitation, Unit, VisitorType
from visitors.organisation import MATERIALS_GROUP, REPORTING_GROUP

DEMO_VISITOR_PHONE = "13900139000"


def _options(*pairs: tuple[str, str, str]) -> list[dict[str, object]]:
    return [{"value": value, "label": {"zh": zh, "en": en}} for value, zh, en in pairs]


EXTRA_FIELDS = [
    {
        "key": "health_code",
        "type": "select",
        "required": True,
        "label": {"zh": "健康码", "en": "Health code"},
        "options": _options(("green", "绿码", "Green"), ("yellow", "黄码", "Yellow"), ("red", "红码", "Red")),
    },
    {
        "key": "travel_code",
        "type": "select",
        "required": True,
        "label": {"zh": "行程码", "en": "Travel code"},
        "options": _options(("normal", "无异常", "Normal"), ("starred", "带星号", "Starred")),
    },
    {
        "key": "nucleic_test",
        "type": "select",
        "required": False,
        "label": {"zh": "核酸检测", "en": "Nucleic acid test"},
        "options": _options(
            ("48h", "48小时内阴性", "Negative within 48 h"), ("none", "未检测", "Not tested")
        ),
    },
]


@transaction.atomic
def visitor_demo_ensure(*, admin: StaffMember, staff: dict[str, StaffMember]) -> bool:
    """``staff`` by role name (dispatcher, supervisor, engineer, guard). False when already seeded."""
    if Unit.objects.exists():
        return False
    services.visitor_settings_update(actor=admin, walk_in_allowed=True, extra_fields=EXTRA_FIELDS)
    services.chain_default_ensure()
    info = services.unit_save(
        actor=admin,
        name="信息学院",
        head=staff["supervisor"],
        members=[staff["dispatcher"], staff["engineer"]],
    )
    services.unit_save(actor=admin, name="后勤处", head=admin, members=[])
    ApproverGroup.objects.get(name=MATERIALS_GROUP).members.set([staff["dispatcher"]])
    ApproverGroup.objects.get(name=REPORTING_GROUP).members.set([admin])
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    if not Invitation.objects.filter(phone="+86" + DEMO_VISITOR_PHONE).exists():
        invitation = services.invitation_create(
            actor=staff["dispatcher"],
            data=services.InvitationData(
                name="王访客",
                phone=DEMO_VISITOR_PHONE,
                visit_start=start,
                visit_end=start + timedelta(hours=8),
                host=staff["dispatcher"],
                unit=info,
                visitor_type=VisitorType.TEMPORARY,
                visitors_count=2,
                note="参加信息学院学术交流",
            ),
        )
        services.invitation_send(actor=staff["dispatcher"], invitation=invitation)
    return True
