"""The SMS templates order notices use (one per language: vendors deliver only approved texts).

Registered into the SMS gateway's table at start-up (``IntegrationsConfig.ready``), so the gateway
module stays its owner's; the Tencent template ids come from ``TENCENT_SMS_TEMPLATE_ORDER_NOTICE``
and ``…_EN`` (``saas_platform.settings.wechat``)."""

from __future__ import annotations

from integrations.sms.templates import TEMPLATES, SmsTemplate

ORDER_NOTICE = SmsTemplate(
    name="order_notice",
    text="{provider}：{summary}，报修单{number}。详情：{link}",
    params=("provider", "summary", "number", "link"),
)
ORDER_NOTICE_EN = SmsTemplate(
    name="order_notice_en",
    text="{provider}: {summary}, order {number}. Details: {link}",
    params=("provider", "summary", "number", "link"),
)
# Visitor notices (invitation, approval decisions, arrival): the reference is a visit's, not an order's.
VISIT_NOTICE = SmsTemplate(
    name="visit_notice",
    text="{provider}：{summary}，编号{number}。详情：{link}",
    params=("provider", "summary", "number", "link"),
)
VISIT_NOTICE_EN = SmsTemplate(
    name="visit_notice_en",
    text="{provider}: {summary}, ref. {number}. Details: {link}",
    params=("provider", "summary", "number", "link"),
)


def template_for(language: str, *, visit: bool = False) -> str:
    if visit:
        return VISIT_NOTICE_EN.name if language == "en" else VISIT_NOTICE.name
    return ORDER_NOTICE_EN.name if language == "en" else ORDER_NOTICE.name


def register() -> None:
    for template in (ORDER_NOTICE, ORDER_NOTICE_EN, VISIT_NOTICE, VISIT_NOTICE_EN):
        TEMPLATES.setdefault(template.name, template)
