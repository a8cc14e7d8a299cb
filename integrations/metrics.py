"""Prometheus counters of the outside services (exposed by the platform's ``/metrics``).

Labels are bounded: WeChat ``errcode`` is one of the codes we know (``wechat.errors``), ``network``
for no answer, else ``other``; SMS templates and refusal reasons are our own fixed names.
"""

from __future__ import annotations

from prometheus_client import Counter

WECHAT_API_ERRORS = Counter(
    "baoxiu_wechat_api_errors_total", "WeChat API calls that failed, by errcode.", ["errcode"]
)
SMS_SENT = Counter(
    "baoxiu_sms_sent_total",
    "SMS handed to the gateway, by backend, template and status.",
    ["backend", "kind", "status"],
)
SMS_REFUSED = Counter(
    "baoxiu_sms_refused_total", "SMS code requests or checks refused, by reason.", ["reason"]
)


def count_wechat_error(errcode: int | None) -> None:
    from integrations.wechat.errors import MESSAGES, PERMANENT_ERRORS, QUOTA_ERRORS

    if errcode is None:
        label = "network"
    elif int(errcode) in MESSAGES or int(errcode) in PERMANENT_ERRORS or int(errcode) in QUOTA_ERRORS:
        label = str(int(errcode))
    else:
        label = "other"
    WECHAT_API_ERRORS.labels(label).inc()
