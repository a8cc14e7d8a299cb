"""The console's visitor screens: invitations (create and send, revoke, bulk import with per-row
errors), the 流程中心 with approve / reject, the applications list with export, the setup pages,
the workbench card and the upgrade prompt on a plan without the module."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from billing.entitlements import forget
from billing.models import BillingAccount, Plan
from portals.tests.orders.helpers import text_of
from portals.tests.visitors.conftest import signed_in
from visitors.models import ApplicationStatus, Invitation, InvitationStatus, StepState
from visitors.tests.helpers import School, later, resident_id


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_and_send_an_invitation_and_the_link_is_shown(school: School, actors):
    client = signed_in(actors.tenant_a, school.host)
    response = client.post(
        reverse("console:visitors-invitation-new"),
        {
            "name": "王访客",
            "phone": "13700000301",
            "visit_start": _local(later(hours=1)),
            "visit_end": _local(later(hours=5)),
            "host": school.host.pk,
            "unit": school.unit.pk,
            "visitor_type": "temporary",
            "visitors_count": "2",
            "send": "1",
        },
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302 and invitation.status == InvitationStatus.SENT
    page = text_of(client.get(response["Location"]))
    assert invitation.code in page and f"/visit/apply/?code={invitation.code}" in page


def test_a_bad_invitation_says_what_is_wrong_on_each_field(school: School, actors):
    client = signed_in(actors.tenant_a, school.host, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("console:visitors-invitation-new"),
        {
            "name": "",
            "phone": "123",
            "visit_start": _local(later(hours=2)),
            "visit_end": _local(later(hours=1)),
        },
    )
    page = text_of(response)
    assert response.status_code == 200 and "This field is required." in page
    assert not Invitation.objects.exists()


def test_revoking_an_invitation_makes_it_unusable(school: School, actors):
    invitation = school.invite()
    client = signed_in(actors.tenant_a, school.host)
    client.post(reverse("console:visitors-invitation", args=[invitation.pk]), {"action": "revoke"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_bulk_invite_reports_every_bad_row_and_creates_nothing_then_imports_a_good_file(
    school: School, actors
):
    client = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE="en")
    start = timezone.localtime(later(hours=1)).strftime("%Y-%m-%d %H:%M")
    end = timezone.localtime(later(hours=3)).strftime("%Y-%m-%d %H:%M")
    header = "姓名,手机号,来访开始,来访结束,对接人手机号,到访部门,访客类型,人数,备注\n"
    good = f"甲,13700000401,{start},{end},13800000201,信息学院,临时访客,1,\n"
    bad = f"乙,123,{start},{end},13800000999,不存在学院,长期访客,1,\n"
    upload = io.BytesIO((header + good + bad).encode())
    upload.name = "invite.csv"
    response = client.post(reverse("console:visitors-invitation-import"), {"file": upload})
    page = text_of(response)
    assert "No unit has this name." in page and "No active staff member has this phone number." in page
    assert "<td>3</td>" in page and not Invitation.objects.exists()
    upload = io.BytesIO((header + good).encode())
    upload.name = "invite.csv"
    response = client.post(reverse("console:visitors-invitation-import"), {"file": upload})
    assert response.status_code == 302 and Invitation.objects.get().phone == "+8613700000401"


def test_the_approver_approves_and_rejects_in_the_process_centre(school: School, actors):
    application = school.submit()
    host = signed_in(actors.tenant_a, school.host)
    waiting = text_of(host.get(reverse("console:visitors")))
    assert application.reference in waiting
    detail = text_of(host.get(reverse("console:visitors-application", args=[application.pk])))
    assert resident_id() in detail and 'value="approve"' in detail
    response = host.post(
        reverse("console:visitors-application", args=[application.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    head = signed_in(actors.tenant_a, school.head)
    head.post(
        reverse("console:visitors-application", args=[application.pk]),
        {"decision": "reject", "reason": "不便接待"},
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert application.steps.get(position=2).state == StepState.REJECTED


def test_a_wrong_approver_gets_403_and_a_stranger_404(school: School, actors):
    application = school.submit()
    url = reverse("console:visitors-application", args=[application.pk])
    head = signed_in(actors.tenant_a, school.head)
    assert head.get(url).status_code == 200  # a later step's approver may look
    assert head.post(url, {"decision": "approve"}).status_code == 403
    assert signed_in(actors.tenant_a, school.bystander).get(url).status_code == 404
    assert application.steps.get(position=1).state == StepState.ACTIVE


def test_the_id_number_is_masked_for_a_host_who_is_not_an_approver(school: School, actors):
    application = school.submit()
    client = signed_in(actors.tenant_a, school.guard)
    assert client.get(reverse("console:visitors-application", args=[application.pk])).status_code == 403
    page = text_of(signed_in(actors.tenant_a, school.admin).get(reverse("console:visitors-applications")))
    assert resident_id() not in page


def test_the_applications_export_masks_id_numbers_and_escapes_formulas(school: School, actors):
    school.submit(reason='=HYPERLINK("http://evil")')
    client = signed_in(actors.tenant_a, school.admin)
    response = client.get(reverse("console:visitors-applications") + "?export=csv&status=pending")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and resident_id() not in response.content.decode("utf-8-sig")
    assert rows[1][12].startswith("'=")
    response = client.get(reverse("console:visitors-applications") + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=5).value.endswith(resident_id()[-4:])
    assert sheet.cell(row=2, column=13).value.startswith("'=")


def test_the_workbench_card_counts_visits_on_site_and_waiting(school: School, actors):
    school.submit()
    page = text_of(signed_in(actors.tenant_a, school.host).get(reverse("console:home")))
    assert "data-waiting>1<" in page


def test_administrators_set_up_units_groups_and_steps(school: School, actors):
    client = signed_in(actors.tenant_a, school.admin)
    assert client.get(reverse("console:visitors-setup")).status_code == 200
    response = client.post(reverse("console:visitors-unit-new"), {"name": "后勤处", "head": school.head.pk})
    assert response.status_code == 302
    response = client.post(
        reverse("console:visitors-step-new"),
        {"name": "后勤复核", "approver_kind": "person", "person": school.head.pk},
    )
    assert response.status_code == 302
    assert signed_in(actors.tenant_a, school.host).get(reverse("console:visitors-setup")).status_code == 403


def test_a_basic_plan_shows_the_upgrade_prompt(school: School, actors):
    BillingAccount.objects.filter(provider_id=actors.tenant_a.pk).update(plan=Plan.objects.get(code="basic"))
    forget(actors.tenant_a.pk)
    response = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE="en").get(
        reverse("console:visitors")
    )
    assert response.status_code == 402 and "Upgrade to Premium" in text_of(response)
    assert "data-waiting" not in text_of(
        signed_in(actors.tenant_a, school.admin).get(reverse("console:home"))
    )
