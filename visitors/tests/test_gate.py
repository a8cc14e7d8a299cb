"""The pass at the gate: entry → exit → re-entry rules, the window, revocation, forgery and replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from visitors import selectors, services
from visitors.models import EventKind, GateCheck, GateRefusal, Notify, VisitorType
from visitors.passes import pass_qr_payload
from visitors.tests.helpers import School


def _pass(school: School, visitor_type: str = VisitorType.TEMPORARY, **overrides):
    application = school.approve_all(school.submit(visitor_type=visitor_type, **overrides))
    return application.visit_pass


def _check(school: School, value: str, direction: str = "entry", **kwargs):
    return services.gate_check(guard=school.guard, value=value, direction=direction, **kwargs)


def test_a_temporary_pass_enters_once_cannot_enter_again_until_exit_and_not_after(school: School):
    visit_pass = _pass(school)
    payload = pass_qr_payload(visit_pass)
    assert _check(school, payload).allowed
    replay = _check(school, payload)
    assert not replay.allowed and replay.refusal == GateRefusal.ALREADY_INSIDE
    assert list(selectors.on_site(actor=school.guard)) == [visit_pass]
    assert _check(school, payload, "exit").allowed
    assert not selectors.on_site(actor=school.guard).exists()
    again = _check(school, payload)
    assert not again.allowed and again.refusal == GateRefusal.USED
    assert [c.allowed for c in GateCheck.objects.order_by("id")] == [True, False, True, False]


def test_a_long_term_pass_comes_and_goes_inside_its_window(school: School):
    visit_pass = _pass(school, VisitorType.LONG_TERM)
    for _round in range(2):
        assert _check(school, visit_pass.short_code).allowed
        assert _check(school, visit_pass.short_code, "exit").allowed
    visit_pass.refresh_from_db()
    assert visit_pass.entries == 2 and not visit_pass.on_site


def test_the_contact_person_is_told_when_the_visitor_arrives(school: School):
    visit_pass = _pass(school)
    _check(school, visit_pass.short_code.lower())
    arrival = visit_pass.application.events.get(kind=EventKind.ENTERED)
    assert arrival.notify == [Notify.HOST]


def test_a_pass_is_refused_before_and_after_its_window(school: School):
    visit_pass = _pass(school)
    early = _check(school, visit_pass.short_code, now=visit_pass.valid_from - timedelta(minutes=1))
    late = _check(school, visit_pass.short_code, now=visit_pass.valid_until + timedelta(seconds=1))
    assert (early.refusal, late.refusal) == (GateRefusal.NOT_YET, GateRefusal.EXPIRED)


def test_a_revoked_pass_is_refused_with_the_reason_in_words(school: School):
    visit_pass = _pass(school)
    services.pass_revoke(actor=school.host, visit_pass=visit_pass, reason="行程取消")
    with translation.override("en"):
        result = _check(school, visit_pass.short_code)
        assert not result.allowed and result.message == "This pass has been revoked."
    with translation.override("zh-hans"):
        assert _check(school, visit_pass.short_code).message == "此访客码已被撤销。"


def test_a_forged_or_altered_qr_payload_is_not_a_pass(school: School):
    visit_pass = _pass(school)
    payload = pass_qr_payload(visit_pass)
    token, signature = payload.rsplit(":", 1)
    for forged in (token + ":" + "x" * len(signature), "A" * 43 + ":" + signature, "NOPE2345"):
        result = _check(school, forged)
        assert not result.allowed and result.refusal == GateRefusal.UNKNOWN


def test_exit_without_entry_is_refused(school: School):
    visit_pass = _pass(school)
    result = _check(school, visit_pass.short_code, "exit")
    assert not result.allowed and result.refusal == GateRefusal.NOT_INSIDE


def test_only_guards_and_administrators_check_passes(school: School):
    visit_pass = _pass(school)
    with pytest.raises(PermissionDenied):
        services.gate_check(guard=school.host, value=visit_pass.short_code, direction="entry")
    assert services.gate_check(guard=school.admin, value=visit_pass.short_code, direction="entry").allowed


def test_the_dashboard_counts_visits_today_people_on_site_and_waiting_approvals(school: School):
    visit_pass = _pass(school)
    school.submit()
    _check(school, visit_pass.short_code)
    assert selectors.dashboard(actor=school.admin) == {"visits_today": 1, "on_site": 1, "waiting": 1}
    assert selectors.dashboard(actor=school.host)["waiting"] == 1
    assert selectors.dashboard(actor=school.head)["waiting"] == 0
