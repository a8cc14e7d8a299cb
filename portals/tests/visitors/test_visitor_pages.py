"""The visitor's mobile pages: sign-in by SMS code leads back to 我的邀请码, apply with a code
(pre-filled, extra fields from the provider's form definitions), the three tabs, the pass with its
QR; one visitor never sees another's."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.services import customer_get_or_create
from portals.tests.orders.helpers import text_of
from portals.tests.visitors.conftest import signed_in
from visitors import services
from visitors.models import Application, InvitationStatus
from visitors.tests.helpers import School, resident_id


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def test_my_codes_needs_a_verified_phone_first(school: School, actors):
    response = signed_in(actors.tenant_a, None).get(reverse("portal:visit-codes"))
    assert response.status_code == 302 and reverse("portal:login") in response["Location"]


def test_my_codes_lists_the_invitations_sent_to_my_phone_only(school: School, actors):
    mine = school.invite()
    theirs = school.invite(phone="13700000399")
    page = text_of(signed_in(actors.tenant_a, school.visitor).get(reverse("portal:visit-codes")))
    assert mine.code in page and theirs.code not in page


def test_applying_with_a_code_prefills_binds_and_shows_the_extra_fields(school: School, actors):
    services.visitor_settings_update(
        actor=school.admin,
        walk_in_allowed=True,
        extra_fields=[
            {
                "key": "health_code",
                "type": "select",
                "required": True,
                "label": {"zh": "健康码", "en": "Health code"},
                "options": [{"value": "green", "label": {"zh": "绿码", "en": "Green"}}],
            }
        ],
    )
    invitation = school.invite()
    client = signed_in(actors.tenant_a, school.visitor, HTTP_ACCEPT_LANGUAGE="en")
    page = text_of(client.get(reverse("portal:visit-apply") + f"?code={invitation.code}"))
    assert invitation.code in page and "Health code" in page and "信息学院" in page
    data = {
        "invitation_code": invitation.code,
        "visit_start": _local(invitation.visit_start),
        "visit_end": _local(invitation.visit_end),
        "name": "王访客",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "phone": "13700000301",
        "reason": "学术交流",
        "f_health_code": "",
    }
    response = client.post(reverse("portal:visit-apply"), data)
    assert response.status_code == 200 and "is required" in text_of(response)
    response = client.post(reverse("portal:visit-apply"), {**data, "f_health_code": "green"})
    application = Application.objects.get()
    assert response.status_code == 302 and application.extra == {"health_code": "green"}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.USED and application.host == school.host


def test_my_applications_tabs_and_the_pass_page(school: School, actors):
    approved = school.approve_all(school.submit())
    pending = school.submit()
    client = signed_in(actors.tenant_a, school.visitor)
    assert approved.reference in text_of(client.get(reverse("portal:visit-applications") + "?tab=approved"))
    assert pending.reference in text_of(client.get(reverse("portal:visit-applications") + "?tab=pending"))
    page = text_of(client.get(reverse("portal:visit-pass", args=[approved.pk])))
    assert "<svg" in page and approved.visit_pass.short_code in page and "王*" in page
    assert resident_id() not in page
    assert client.get(reverse("portal:visit-pass", args=[pending.pk])).status_code == 404


def test_another_visitor_cannot_open_my_application_or_pass(school: School, actors):
    approved = school.approve_all(school.submit())
    stranger = customer_get_or_create(phone="13700000398")
    client = signed_in(actors.tenant_a, stranger)
    assert client.get(reverse("portal:visit-application", args=[approved.pk])).status_code == 404
    assert client.get(reverse("portal:visit-pass", args=[approved.pk])).status_code == 404
