"""Issue 11, points 5 and 6: signups racing for one subdomain have one winner and clear refusals —
the same message a late signup gets, never an IntegrityError traceback — an SMS code is spent only
by the signup that commits, and signing up while the broker is down still works."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from typing import Any

import pytest

from tests.faults.conftest import Stack
from tests.servers import ROOT

# The stack is restored from this session's migrated test database: ask pytest-django to set it up.
pytestmark = pytest.mark.django_db

RACERS = 20

RACE = """
import threading
from django.core.management import CommandError, call_command
from io import StringIO
barrier = threading.Barrier({racers})
outcomes = []
def racer(i):
    barrier.wait()
    try:
        call_command("create_provider", name=f"竞速服务商{{i}}", subdomain="race-one",
                     phone=f"1360000{{i:04d}}", password="secret-123", stdout=StringIO())
        outcomes.append(["won", ""])
    except CommandError as exc:
        outcomes.append(["refused", str(exc)])
    except BaseException as exc:
        outcomes.append(["crashed", repr(exc)])
threads = [threading.Thread(target=racer, args=(i,)) for i in range({racers})]
[t.start() for t in threads]
[t.join() for t in threads]
print(json.dumps(outcomes))
"""


def _create_provider(stack: Stack, name: str, subdomain: str, phone: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "create_provider", "--name", name, "--subdomain", subdomain,
         "--phone", phone, "--password", "secret-123"],
        cwd=ROOT, env=stack.env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_twenty_racing_create_provider_calls_have_one_winner_and_nineteen_clear_refusals(up: Stack) -> None:
    outcomes = up.run(RACE.format(racers=RACERS))
    kinds = [kind for kind, _ in outcomes]
    assert kinds.count("won") == 1, outcomes
    assert kinds.count("crashed") == 0, [o for o in outcomes if o[0] == "crashed"]
    late = _create_provider(up, "迟到的服务商", "race-one", "13600009999")
    assert late.returncode == 1 and "Traceback" not in late.stderr
    refusal = late.stderr.strip().splitlines()[-1].removeprefix("CommandError: ")
    assert "already taken" in refusal or "已被占用" in refusal
    assert [message for kind, message in outcomes if kind == "refused"] == [refusal] * (RACERS - 1)


def _code_for(stack: Stack, phone: str) -> str:
    sent = stack.request(
        "POST",
        "/sms/send-code/",
        host="baoxiu.test",
        form={"phone": phone, "purpose": "signup"},
        signed_in=False,
    )
    assert sent.status == 200, sent.body[:300]
    e164 = "+86" + phone
    texts = [d for d in stack.sms.delivered if d["phone"] == e164]
    assert texts, stack.sms.delivered[-3:]
    return str(texts[-1]["params"][0]) if "params" in texts[-1] else _digits(texts[-1])


def _digits(delivered: dict[str, Any]) -> str:
    match = re.search(r"\b\d{6}\b", str(delivered))
    assert match, delivered
    return match.group(0)


def _signup(stack: Stack, *, phone: str, code: str, name: str, subdomain: str) -> Any:
    return stack.request(
        "POST",
        "/signup/",
        host="baoxiu.test",
        signed_in=False,
        form={
            "phone": phone,
            "code": code,
            "name": name,
            "subdomain": subdomain,
            "password": "secret-123",
            "password_confirm": "secret-123",
        },
        timeout=120,
    )


def test_racing_web_signups_have_one_winner_and_the_losers_keep_their_codes(up: Stack) -> None:
    phones = [f"1351111{i:04d}" for i in range(4)]
    codes = {phone: _code_for(up, phone) for phone in phones}
    answers: dict[str, Any] = {}
    barrier = threading.Barrier(len(phones))

    def racer(phone: str) -> None:
        barrier.wait()
        answers[phone] = _signup(
            up, phone=phone, code=codes[phone], name=f"网页竞速{phone}", subdomain="race-web"
        )

    threads = [threading.Thread(target=racer, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status for a in answers.values())
    assert statuses == [200, 200, 200, 302], statuses
    for phone, answer in answers.items():
        if answer.status == 200:
            assert "该二级域名已被占用" in answer.body.decode() or "already taken" in answer.body.decode()
            # The code was not spent by the signup that lost: it files one elsewhere.
            again = _signup(
                up, phone=phone, code=codes[phone], name=f"改名{phone}", subdomain=f"w{phone[-4:]}"
            )
            assert again.status == 302, again.body.decode()[-2000:]


def test_signup_while_the_broker_is_down_creates_the_provider(up: Stack) -> None:
    phone = "13522220001"
    code = _code_for(up, phone)
    up.broker.stop()
    made = _create_provider(up, "断线时的服务商", "broker-down", "13522220002")
    assert made.returncode == 0, made.stderr[-2000:]
    web = _signup(up, phone=phone, code=code, name="断线时的网页服务商", subdomain="broker-down-web")
    assert web.status == 302, web.body.decode()[-2000:]
    up.broker.start()
    hosts = {
        row[0] for row in up.query("SELECT domain FROM tenants_domain WHERE domain LIKE 'broker-down%%'")
    }
    assert hosts == {"broker-down.baoxiu.test", "broker-down-web.baoxiu.test"}
