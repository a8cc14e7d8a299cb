"""The SMS templates we send. Vendors (Tencent, Aliyun) only deliver pre-approved templates whose
parameters are filled in order, so each template names its parameters in that order; the text is
what the approved template says (and what the development inbox shows).

``secret_params`` are never written to a real vendor's log rows (the dev inbox shows them: it is
where a developer reads the code)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SmsTemplate:
    name: str
    text: str  # str.format() pattern over ``params``
    params: tuple[str, ...]
    secret_params: tuple[str, ...] = ()

    def render(self, values: dict[str, str], *, mask_secrets: bool = False) -> str:
        shown = {
            key: ("*" * len(values.get(key, "")) if mask_secrets and key in self.secret_params else value)
            for key, value in values.items()
        }
        return self.text.format(**shown)

    def ordered(self, values: dict[str, str]) -> list[str]:
        return [str(values[key]) for key in self.params]


VERIFY_CODE = SmsTemplate(
    name="verify_code",
    text="您的验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。",
    params=("code", "minutes"),
    secret_params=("code",),
)

# Staff notices from the provider console (accounts: invitations, engineer self-registration).
STAFF_INVITE = SmsTemplate(
    name="staff_invite",
    text="{provider}邀请您加入员工团队，请在3天内打开链接设置登录密码：{link}",
    params=("provider", "link"),
    secret_params=("link",),
)
ENGINEER_APPROVED = SmsTemplate(
    name="engineer_approved",
    text="{provider}已通过您的工程师注册，请用手机号和密码登录：{link}",
    params=("provider", "link"),
)
ENGINEER_REJECTED = SmsTemplate(
    name="engineer_rejected",
    text="{provider}未通过您的工程师注册，原因：{reason}",
    params=("provider", "reason"),
)

# Billing reminders to a provider's admins (integrations.billing_reminders).
BILLING_ENDING = SmsTemplate(
    name="billing_ending",
    text="{provider}的报修服务将于{ends}到期，请登录后台【我的账户】续费。",
    params=("provider", "ends"),
)
BILLING_ENDED = SmsTemplate(
    name="billing_ended",
    text="{provider}的报修服务已于{ends}到期，{grace}前续费不影响使用，请登录后台【我的账户】续费。",
    params=("provider", "ends", "grace"),
)
BILLING_EXPIRED = SmsTemplate(
    name="billing_expired",
    text="{provider}的报修服务已过期：后台为只读，客户暂停报修，数据未删除。请登录后台【我的账户】续费。",
    params=("provider",),
)

TEMPLATES: dict[str, SmsTemplate] = {
    t.name: t
    for t in (
        VERIFY_CODE,
        STAFF_INVITE,
        ENGINEER_APPROVED,
        ENGINEER_REJECTED,
        BILLING_ENDING,
        BILLING_ENDED,
        BILLING_EXPIRED,
    )
}


def template_get(name: str) -> SmsTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise LookupError(f"unknown SMS template {name!r}; add it to integrations.sms.templates") from None
