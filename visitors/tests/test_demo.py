"""The demo provider's visitor module: units, groups, the seed's chain and extra fields, one sent
invitation — made once."""

from __future__ import annotations

from visitors.demo import DEMO_VISITOR_PHONE, visitor_demo_ensure
from visitors.models import ApproverGroup, ChainStep, Invitation, InvitationStatus, Unit
from visitors.organisation import visitor_settings
from visitors.tests.helpers import School


def test_the_demo_switches_the_module_on_with_a_chain_units_groups_and_an_invitation(school: School):
    Unit.objects.all().delete()
    staff = {"dispatcher": school.materials, "supervisor": school.head, "engineer": school.host}
    assert visitor_demo_ensure(admin=school.admin, staff=staff) is True
    assert set(Unit.objects.values_list("name", flat=True)) == {"信息学院", "后勤处"}
    assert [s.name for s in ChainStep.objects.all()] == [
        "对接人审批",
        "单位负责人审批",
        "物资保障组审批",
        "信息报送组审批",
    ]
    assert all(g.members.exists() for g in ApproverGroup.objects.all())
    assert [f["key"] for f in visitor_settings().extra_fields] == [
        "health_code",
        "travel_code",
        "nucleic_test",
    ]
    invitation = Invitation.objects.get(phone="+86" + DEMO_VISITOR_PHONE)
    assert invitation.status == InvitationStatus.SENT
    assert visitor_demo_ensure(admin=school.admin, staff=staff) is False
