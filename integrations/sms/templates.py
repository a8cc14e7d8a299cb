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

TEMPLATES: dict[str, SmsTemplate] = {t.name: t for t in (VERIFY_CODE,)}


def template_get(name: str) -> SmsTemplate:
    try:
        return TEMPLATES[name]
    except KeyError:
        raise LookupError(f"unknown SMS template {name!r}; add it to integrations.sms.templates") from None
