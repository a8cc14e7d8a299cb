"""The four built-in form templates every provider starts with (报修单表单, seed 002 item 5).

简单报修单 is the default: it is the seed's web form (brand*, category*, model*, machine number,
serial 1, fault*, service type*, warranty, appointment, notes, attachments). Built-ins are read-only;
a provider copies one to change it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def _f(key: str, kind: str, zh: str, en: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"key": key, "type": kind, "label": {"zh": zh, "en": en}, "required": required, **extra}


SERIAL = _f("serial", "serial_lookup", "序列号", "Serial number")
MACHINE = _f("machine", "machine", "机器信息", "Machine (brand / category / model)", True)
MACHINE_NO = _f("machine_no", "text", "机器编号", "Machine number", max_length=60)
FAULT = _f("fault_description", "textarea", "故障描述", "Fault description", True, max_length=2000)
SERVICE = _f("service_type", "service_type", "服务类别", "Service type", True)
WARRANTY = _f("warranty", "warranty", "保修情况", "Warranty")
APPOINTMENT = _f("appointment", "appointment", "预约时间", "Appointment time")
NOTES = _f("notes", "textarea", "备注", "Notes", max_length=500)
PHOTOS = _f("photos", "images", "报修附件", "Photos", max_files=6)

BUILTIN_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "minimal",
        "name": "极简报修单",
        "description": "只需序列号、故障描述和图片 / Serial, fault and photos only",
        "style": "stacked",
        "fields": [SERIAL, FAULT, PHOTOS],
    },
    {
        "key": "simple",
        "name": "简单报修单",
        "description": "品牌、类别、型号、故障与服务类别 / The standard web form",
        "style": "stacked",
        "default": True,
        "fields": [MACHINE, MACHINE_NO, SERIAL, FAULT, SERVICE, WARRANTY, APPOINTMENT, NOTES, PHOTOS],
    },
    {
        "key": "complex",
        "name": "复杂报修单",
        "description": "含位置、联系人与期望维修时段 / With location, contact and a time window",
        "style": "stacked",
        "fields": [
            MACHINE,
            MACHINE_NO,
            SERIAL,
            _f(
                "location",
                "location",
                "报修位置",
                "Location",
                True,
                parts=["plot", "building", "room", "address"],
            ),
            FAULT,
            SERVICE,
            WARRANTY,
            _f("appointment", "appointment", "期望维修时间", "Preferred repair time", with_end=True),
            _f("contact_name", "text", "联系人", "Contact person", True, max_length=60),
            _f("contact_phone", "phone", "联系电话", "Contact phone", True),
            NOTES,
            PHOTOS,
        ],
    },
    {
        "key": "special",
        "name": "特殊样式1",
        "description": "微信列表样式 / WeChat cell-list style",
        "style": "cells",
        "fields": [SERVICE, MACHINE, SERIAL, MACHINE_NO, WARRANTY, APPOINTMENT, FAULT, NOTES, PHOTOS],
    },
]


# The built-ins' names and descriptions in the page's language (the stored ``name`` is the Chinese
# one; a provider's own forms keep the words the provider typed).
BUILTIN_TEXTS: dict[str, tuple[Any, Any]] = {
    "minimal": (_("Minimal report form"), _("Serial number, fault and photos only")),
    "simple": (
        _("Simple report form"),
        _("Brand, category, model, fault and service type: the standard web form"),
    ),
    "complex": (_("Complex report form"), _("With location, contact and a preferred time window")),
    "special": (_("Special style 1"), _("WeChat cell-list style")),
}


def form_name(template: Any) -> str:
    """A form template's name as shown: built-ins translated, provider-entered names as typed."""
    texts = BUILTIN_TEXTS.get(getattr(template, "builtin_key", "") or "")
    return str(texts[0]) if texts else str(template.name)


def form_description(template: Any) -> str:
    texts = BUILTIN_TEXTS.get(getattr(template, "builtin_key", "") or "")
    return str(texts[1]) if texts else str(template.description)
