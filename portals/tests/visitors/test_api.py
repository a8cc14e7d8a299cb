"""The visitor API: a visitor applies and reads the pass, approvers walk the chain (a wrong approver
403, another tenant's approver 404), the guard checks the pass, and OpenAPI documents every route."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from portals.tests.visitors.conftest import signed_in
from visitors.models import ApplicationStatus
from visitors.tests.helpers import School, later, resident_id


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_visitor_applies_approvers_decide_and_the_guard_checks_in_through_the_api(school: School, actors):
    invitation = school.invite()
    visitor = signed_in(actors.tenant_a, school.visitor)
    codes = visitor.get(reverse("api-visitors-invitations")).json()
    assert [c["code"] for c in codes] == [invitation.code]
    response = _post(
        visitor,
        reverse("api-visitors-applications"),
        {
            "invitation_code": invitation.code,
            "visit_start": timezone.localtime(later(minutes=-1)).isoformat(),
            "visit_end": timezone.localtime(later(hours=3)).isoformat(),
            "name": "王访客",
            "id_type": "resident_id",
            "id_number": resident_id(),
            "reason": "学术交流",
            "companions": ["李同行"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    pk = body["id"]
    assert body["id_number"].endswith(resident_id()[-4:]) and body["id_number"] != resident_id()

    for approver in (school.host, school.head, school.reporting):  # invitation: long-term visitor
        client = signed_in(actors.tenant_a, approver)
        waiting = client.get(reverse("api-visitors-process") + "?tab=waiting").json()
        assert [a["id"] for a in waiting] == [pk]
        detail = client.get(reverse("api-visitors-process-detail", args=[pk])).json()
        assert detail["id_number"] == resident_id()
        decided = _post(client, reverse("api-visitors-decision", args=[pk]), {"decision": "approve"})
        assert decided.status_code == 200
    mine = visitor.get(reverse("api-visitors-application", args=[pk])).json()
    assert mine["status"] == ApplicationStatus.APPROVED and mine["visit_pass"]["qr_payload"]

    guard = signed_in(actors.tenant_a, school.guard, HTTP_ACCEPT_LANGUAGE="en")
    check = _post(
        guard,
        reverse("api-visitors-gate-check"),
        {"code": mine["visit_pass"]["qr_payload"], "direction": "entry"},
    )
    assert check.json()["allowed"] is True and check.json()["visitor"] == "王**"
    replay = _post(
        guard,
        reverse("api-visitors-gate-check"),
        {"code": mine["visit_pass"]["qr_payload"], "direction": "entry"},
    )
    assert replay.json() | {} == {**replay.json(), "allowed": False, "refusal": "already_inside"}
    assert [p["short_code"] for p in guard.get(reverse("api-visitors-on-site")).json()] == [
        mine["visit_pass"]["short_code"]
    ]


def test_a_wrong_approver_gets_403_and_another_tenants_approver_404(school: School, actors):
    application = school.submit()
    url = reverse("api-visitors-decision", args=[application.pk])
    head = signed_in(actors.tenant_a, school.head, HTTP_ACCEPT_LANGUAGE="en")
    refused = _post(head, url, {"decision": "approve"})
    assert (
        refused.status_code == 403
        and refused.json()["detail"] == "This application is not waiting for your approval."
    )
    outsider = signed_in(actors.tenant_b, actors.outsider)  # B's admin on B's host, A's application id
    outsider.tenant = actors.tenant_a
    assert _post(outsider, url, {"decision": "approve"}).status_code == 404
    assert (
        signed_in(actors.tenant_a, school.bystander)
        .get(reverse("api-visitors-process-detail", args=[application.pk]))
        .status_code
        == 404
    )


def test_bad_input_comes_back_per_field_in_both_languages(school: School, actors):
    for language, text in (("en", "Enter the visitor's name."), ("zh-hans", "请填写访客姓名。")):
        client = signed_in(actors.tenant_a, school.visitor, HTTP_ACCEPT_LANGUAGE=language)
        response = _post(
            client,
            reverse("api-visitors-applications"),
            {
                "visit_start": later().isoformat(),
                "visit_end": later(hours=1).isoformat(),
                "name": " ",
                "id_type": "resident_id",
                "id_number": "110105194912310000",
                "reason": "x",
            },
        )
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert "id_number" in errors and "unit" in errors and text in str(errors)


def test_guards_only_at_the_gate_and_visitors_only_their_own(school: School, actors):
    assert (
        _post(
            signed_in(actors.tenant_a, school.host),
            reverse("api-visitors-gate-check"),
            {"code": "X", "direction": "entry"},
        ).status_code
        == 403
    )
    assert signed_in(actors.tenant_a, school.guard).get(reverse("api-visitors-process")).status_code == 403
    application = school.submit()
    assert signed_in(actors.tenant_a, None).get(
        reverse("api-visitors-application", args=[application.pk])
    ).status_code in (401, 403)


def test_openapi_documents_the_visitor_routes(school: School, actors):
    schema = signed_in(actors.tenant_a, None).get(reverse("api-schema") + "?format=json").json()
    paths = set(schema["paths"])
    assert {
        "/api/v1/visitors/applications/",
        "/api/v1/visitors/process/{id}/decision/",
        "/api/v1/visitors/gate/check/",
    } <= paths
