"""The visitor setup pages' round trip (one ``portals.form_post.saved_or_shown`` for all of them):
a valid form is saved, with its message, and leads back to the setup page; a refusal of the
service is shown on the form, per field, in the admin's language, and nothing is saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portals.tests.orders.helpers import text_of
from portals.tests.visitors.conftest import signed_in
from visitors.models import ApproverGroup, Unit
from visitors.organisation import visitor_settings
from visitors.tests.helpers import School


def test_the_visitor_settings_are_saved_and_the_admin_is_told(school: School, actors):
    client = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("console:visitors-setup"), {"walk_in_allowed": "on", "extra_fields": "[]"})
    assert response.status_code == 302 and response["Location"] == reverse("console:visitors-setup")
    assert visitor_settings().walk_in_allowed is True
    assert "The visitor settings were saved." in text_of(client.get(response["Location"]))


def test_bad_extra_fields_are_refused_on_the_settings_form(school: School, actors):
    before = visitor_settings().extra_fields
    client = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        reverse("console:visitors-setup"),
        {"extra_fields": '[{"key": "fault_description", "type": "text", "label": {"zh": "故障"}}]'},
    )
    assert response.status_code == 200
    assert "this key is reserved" in text_of(response)
    assert visitor_settings().extra_fields == before


def test_a_group_is_saved_and_a_second_one_of_that_name_refused(school: School, actors):
    client = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE="en")
    new = reverse("console:visitors-group-new")
    response = client.post(new, {"name": "门卫组", "members": [school.head.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("console:visitors-setup")
    assert list(ApproverGroup.objects.get(name="门卫组").members.all()) == [school.head]
    again = client.post(new, {"name": "门卫组"})
    assert again.status_code == 200
    assert "A group with this name already exists." in text_of(again)
    assert ApproverGroup.objects.filter(name="门卫组").count() == 1


@pytest.mark.parametrize(
    ("language", "refusal"),
    [("en", "A unit with this name already exists."), ("zh-hans", "已有同名单位。")],
)
def test_a_unit_name_taken_is_refused_in_the_admins_language(
    school: School, actors, language: str, refusal: str
):
    client = signed_in(actors.tenant_a, school.admin, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post(reverse("console:visitors-unit-new"), {"name": school.unit.name})
    assert response.status_code == 200
    assert refusal in text_of(response)
    assert Unit.objects.filter(name=school.unit.name).count() == 1
