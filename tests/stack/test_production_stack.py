"""The production topology, asserted from the outside: over HTTPS through Caddy as a browser sees it,
and on the replicas' loopback ports as the kubelet sees them. See tests/stack/topology.py."""

from __future__ import annotations

import io
import json
import re
import ssl
import time
import urllib.request
from typing import Any

import pytest
from PIL import Image

from tests.stack.client import Browser, form_with, handshake, location_path
from tests.stack.hammer import hammer
from tests.stack.topology import BASE_DOMAIN, Stack

TENANT_A = f"stacka.{BASE_DOMAIN}"
TENANT_B = f"stackb.{BASE_DOMAIN}"


def https(stack: Stack, host: str, source: str = "127.0.0.1", **kwargs: Any) -> Browser:
    return Browser(host, stack.caddy_https, ca_file=stack.ca_file, source=source, **kwargs)


def replica(stack: Stack, name: str, host: str) -> Browser:
    """Straight to one gunicorn replica, as the proxy would call it (HTTPS was terminated before)."""
    return Browser(host, stack.replicas[name], extra_headers={"X-Forwarded-Proto": "https"})


def sms_codes(stack: Stack, phone: str) -> list[str]:
    return [d["params"][0] for d in stack.sms.delivered if d["phone"] == phone]


def send_code(browser: Browser, phone: str, purpose: str = "signup") -> dict[str, Any]:
    if "csrftoken" not in browser.cookies:
        browser.get("/signup/")
    response = browser.post("/sms/send-code/", {"phone": phone, "purpose": purpose})
    return dict(json.loads(response.text))


def customer_signs_in(stack: Stack, browser: Browser, phone: str) -> None:
    page = browser.get("/login/")
    assert page.status == 200, page.text[:500]
    sent = browser.post("/login/", {"phone": phone, "action": "send"})
    assert sent.status == 200, sent.text[:1000]
    codes = sms_codes(stack, f"+86{phone}")
    assert codes, "the login code reached the SMS provider"
    signed_in = browser.post("/login/", {"phone": phone, "code": codes[-1], "action": "submit"})
    assert signed_in.status == 302, signed_in.text[:2000]


def jpeg(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", quality=85)
    return out.getvalue()


def submit_order(browser: Browser, *, fault: str, photo: bytes | None = None) -> str:
    """Report a fault on the machine found by serial; returns the order page's path."""
    form_page = browser.get("/report/?q=SN-STACK-SHARED")
    assert form_page.status == 200, form_page.text[:1000]
    fields: list[tuple[str, Any]] = [
        (name, value) for name, value in form_with(form_page.text, "f_fault_description")
    ]
    typed = {"f_fault_description": fault, "reporter_name": "栈测试客户"}  # a new customer gives a name
    fields = [(n, typed.get(n, v)) for n, v in fields]
    if photo is not None:
        fields.append(("f_photos", ("fault.jpg", photo, "image/jpeg")))
    sent = browser.post("/report/", fields)
    assert sent.status == 302, sent.text[:3000]
    path = location_path(sent)
    assert re.fullmatch(r"/orders/\d+/", path), path
    return path


def test_a_live_tenant_host_gets_a_certificate_and_an_unknown_host_is_refused_at_the_handshake(
    stack: Stack,
) -> None:
    cert = handshake(stack.caddy_https, TENANT_A, stack.ca_file)
    names = [value for kind, value in cert.get("subjectAltName", ()) if kind == "DNS"]
    assert names == [TENANT_A]
    assert handshake(stack.caddy_https, BASE_DOMAIN, stack.ca_file)  # the platform's own host too

    with pytest.raises(ssl.SSLError):
        handshake(stack.caddy_https, f"nobody.{BASE_DOMAIN}", stack.ca_file)
    with pytest.raises(ssl.SSLError):
        handshake(stack.caddy_https, "evil.example.com", stack.ca_file)


def test_a_provider_signs_up_over_https_and_lands_on_its_new_console(stack: Stack) -> None:
    public = https(stack, BASE_DOMAIN, source="127.0.0.6")
    assert public.get("/signup/").status == 200
    assert send_code(public, "13711112222")["ok"] is True
    code = sms_codes(stack, "+8613711112222")[-1]
    signed_up = public.post(
        "/signup/",
        {
            "phone": "13711112222",
            "code": code,
            "name": "栈测试新服务商",
            "subdomain": "stacknew",
            "password": "secret-123",
            "password_confirm": "secret-123",
        },
    )
    assert signed_up.status == 302, signed_up.text[:3000]
    location = signed_up.header("Location")
    assert location.startswith(f"https://stacknew.{BASE_DOMAIN}:{stack.caddy_https}/console/handoff/")

    owner = https(stack, f"stacknew.{BASE_DOMAIN}", source="127.0.0.6")  # a fresh certificate, on demand
    landed = owner.get(location_path(signed_up))
    assert landed.status == 302 and landed.header("Location").endswith("/console/")
    console = owner.get("/console/")
    assert console.status == 200
    assert "栈测试新服务商" in console.text
    portal = https(stack, f"stacknew.{BASE_DOMAIN}", source="127.0.0.7").get("/")
    assert portal.status == 200 and "栈测试新服务商" in portal.text


def test_a_customer_submits_an_order_over_https_and_the_worker_delivers_its_notifications(
    stack: Stack,
) -> None:
    customer = https(stack, TENANT_A, source="127.0.0.8")
    customer_signs_in(stack, customer, "13722223333")
    order_page = customer.get(submit_order(customer, fault="打印机卡纸 stack test"))
    assert order_page.status == 200
    number = re.search(r"BX-\d{8}-\d{5}", order_page.text)
    assert number, order_page.text[:2000]

    schema = stack.schema_of(TENANT_A)
    statement = (
        "SELECT n.status, n.channel FROM integrations_notification n "
        "JOIN repair_forms_orderevent e ON e.id = n.event_id "
        "JOIN repair_forms_repairorder o ON o.id = e.order_id WHERE o.number = %s"
    )
    deadline = time.monotonic() + 90
    rows: list[tuple[Any, ...]] = []
    while time.monotonic() < deadline:
        rows = stack.query(schema, statement, [number.group(0)])
        if rows and all(status in {"sent", "logged"} for status, _ in rows):
            break
        time.sleep(1)
    assert rows, "the submit made notifications"
    assert all(status in {"sent", "logged"} for status, _ in rows), rows
    worker_log = stack.procs["worker"].log.read_text(errors="replace")
    assert "succeeded" in worker_log  # delivered by the Celery worker, not in the web process


def test_a_photo_uploaded_through_one_replica_is_served_through_the_other(stack: Stack) -> None:
    photo = jpeg()
    through_r1 = replica(stack, "r1", TENANT_B)
    customer_signs_in(stack, through_r1, "13733334444")
    order_path = submit_order(through_r1, fault="照片测试", photo=photo)
    page = through_r1.get(order_path)
    photo_path = re.search(r"/photos/\d+/", page.text)
    assert photo_path, page.text[:3000]

    through_r2 = replica(stack, "r2", TENANT_B)
    through_r2.cookies = dict(through_r1.cookies)  # the same signed-in customer, on the other replica
    served = through_r2.get(photo_path.group(0))
    if served.status in {301, 302, 303, 307}:  # a presigned S3 URL: the bytes come from storage
        with urllib.request.urlopen(served.header("Location"), timeout=30) as response:  # noqa: S310
            body = response.read()
    else:
        assert served.status == 200, served.text[:1000]
        body = served.body
    image = Image.open(io.BytesIO(body))
    assert image.format == "JPEG" and image.size == (640, 480)
    assert not any((stack.work / name / "var" / "media").exists() for name in ("r1", "r2")), (
        "photos live in S3, not on a replica's disk"
    )


def test_two_tenants_hammered_concurrently_through_pgbouncer_never_see_each_others_rows(
    stack: Stack,
) -> None:
    started = time.monotonic()
    tally = hammer(
        lambda host, i: https(stack, host, source=f"127.0.1.{i + 1}"),
        {TENANT_A: ("NO-A", "NO-B"), TENANT_B: ("NO-B", "NO-A")},
        threads_per_tenant=4,
        requests_per_thread=130,
    )
    print(
        f"session mode: {tally.requests} requests, {tally.wrong} wrong, {tally.leaks} leaks, "
        f"{dict(tally.statuses)}, {time.monotonic() - started:.1f} s"
    )
    assert tally.requests >= 1000
    assert tally.leaks == 0
    assert tally.wrong == 0, tally.statuses


def test_the_rate_limiter_counts_the_real_client_not_the_proxy_and_ignores_a_spoofed_header(
    stack: Stack,
) -> None:
    # SMS_DAILY_LIMIT_PER_IP is 4 in this stack. Every request claims another address in
    # X-Forwarded-For; Caddy replaces the header with the real peer, so the claims change nothing.
    first = https(stack, BASE_DOMAIN, source="127.0.0.2")
    answers = []
    for index in range(5):
        first.extra_headers["X-Forwarded-For"] = f"203.0.113.{index + 1}"
        answers.append(send_code(first, f"1370000000{index}"))
    assert [a["ok"] for a in answers] == [True, True, True, True, False], answers
    assert answers[-1]["reason"] == "daily_limit_ip"
    assert sms_codes(stack, "+8613700000004") == []

    # Another customer behind the same proxy is not punished for the first one's requests.
    second = https(stack, BASE_DOMAIN, source="127.0.0.3")
    assert send_code(second, "13700000005")["ok"] is True
    assert len(sms_codes(stack, "+8613700000005")) == 1


def test_beat_is_alive_and_a_periodic_job_ran_on_the_worker(stack: Stack) -> None:
    assert stack.procs["beat"].alive(), stack.procs["beat"].describe()
    stack.manage("beat-alive", "beat_alive", "--max-age", "180")  # exit 0, or this raises with the log
    worker_log = stack.procs["worker"].log
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        text = worker_log.read_text(errors="replace")
        # The sweep fans out one task per tenant (saas_platform.fan_out → saas_platform.tenant_job).
        if re.search(
            r"Task (integrations\.sweep_notifications|saas_platform\.fan_out)\[[^\]]+\] succeeded", text
        ):
            break
        time.sleep(2)
    else:
        raise AssertionError(f"no periodic sweep ran\n{stack.procs['worker'].describe()}")
    beat_log = stack.procs["beat"].log.read_text(errors="replace")
    assert "Sending due task notifications-sweep" in beat_log


@pytest.mark.parametrize("name", ["r1", "r2"])
def test_healthz_and_readyz_answer_a_pod_ip_host_on_each_replica(stack: Stack, name: str) -> None:
    kubelet = Browser("10.1.2.3", stack.replicas[name])  # plain HTTP, the pod's IP as Host
    live = kubelet.request("GET", "/healthz", headers={"Host": "10.1.2.3:8000"})
    assert live.status == 200, live.text[:500]
    assert json.loads(live.text)["status"] == "ok"
    ready = kubelet.request("GET", "/readyz", headers={"Host": "10.1.2.3:8000"})
    assert ready.status == 200, ready.text[:1000]
    checks = json.loads(ready.text)["checks"]
    assert {"database", "cache", "storage"} <= set(checks)
    assert set(checks.values()) == {"ok"}
