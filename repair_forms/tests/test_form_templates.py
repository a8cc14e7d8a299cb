"""Form templates: built-ins, copies, versioning, definitions and submitted data (zh and en)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from repair_forms import services
from repair_forms.fields import validate_definition, validate_submission
from repair_forms.form_templates import (
    default_template,
    form_template_archive,
    form_template_copy,
    form_template_set_default,
    form_template_update,
    template_json,
)
from repair_forms.models import FormTemplate, FormTemplateVersion
from repair_forms.tests.helpers import Cast


def _v(template: FormTemplate) -> FormTemplateVersion:
    assert template.current_version is not None
    return template.current_version


def test_every_tenant_starts_with_four_builtins_and_the_simple_form_as_default(in_a: Any) -> None:
    names = set(FormTemplate.objects.values_list("name", flat=True))
    assert {"极简报修单", "简单报修单", "复杂报修单", "特殊样式1"} <= names
    assert default_template().name == "简单报修单"
    assert _v(FormTemplate.objects.get(builtin_key="special")).style == "cells"


def test_builtins_cannot_be_edited_only_copied(cast: Cast) -> None:
    simple = default_template()
    with pytest.raises(ValidationError):
        form_template_update(actor=cast.actor("admin"), template=simple, name="改名")
    copy = form_template_copy(actor=cast.actor("admin"), template=simple, name="我们的报修单")
    assert _v(copy).fields == _v(simple).fields
    assert copy.copied_from == simple and not copy.is_builtin


def test_only_admins_manage_templates(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        form_template_copy(actor=cast.actor("dispatcher"), template=default_template())


def test_editing_a_template_never_changes_orders_filed_with_the_old_version(cast: Cast) -> None:
    admin = cast.actor("admin")
    copy = form_template_copy(actor=admin, template=default_template(), name="带楼层")
    form_template_set_default(actor=admin, template=copy)
    old_version = _v(copy)
    order = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data())
    assert order.template_version == old_version

    fields = [
        *old_version.fields,
        {"key": "floor", "type": "number", "label": {"zh": "楼层"}, "required": True},
    ]
    edited = form_template_update(actor=admin, template=copy, fields=fields)

    assert _v(edited).number == 2
    order.refresh_from_db()
    assert order.template_version == old_version and len(order.template_version.fields) == len(fields) - 1
    # Editing the old order validates against its own version (no "floor" required there).
    services.order_edit(actor=cast.actor("reporter"), order=order, data=cast.form_data(notes="改"))
    newer = services.order_submit(actor=cast.actor("reporter"), data=cast.form_data(floor="3"))
    assert newer.template_version == edited.current_version and newer.extra == {"floor": 3}


def test_saving_the_same_fields_makes_no_new_version(cast: Cast) -> None:
    copy = form_template_copy(actor=cast.actor("admin"), template=default_template())
    form_template_update(actor=cast.actor("admin"), template=copy, name="新名字", fields=_v(copy).fields)
    copy.refresh_from_db()
    assert copy.name == "新名字" and copy.versions.count() == 1


def test_a_saved_version_is_immutable(cast: Cast) -> None:
    version = FormTemplateVersion.objects.first()
    assert version is not None
    version.fields = []
    with pytest.raises(ValueError):
        version.save()


def test_default_template_cannot_be_archived(cast: Cast) -> None:
    copy = form_template_copy(actor=cast.actor("admin"), template=default_template())
    form_template_set_default(actor=cast.actor("admin"), template=copy)
    with pytest.raises(ValidationError):
        form_template_archive(actor=cast.actor("admin"), template=copy)
    assert FormTemplate.objects.filter(is_default=True).count() == 1


def test_template_json_carries_both_languages_and_choice_options(in_a: Any) -> None:
    data = template_json(_v(default_template()))
    service = next(f for f in data["fields"] if f["type"] == "service_type")
    assert [o["value"] for o in service["options"]] == ["install", "repair", "maintenance"]
    assert service["options"][0]["label"] == {"zh": "安装", "en": "Installation"}
    assert data["style"] == "stacked" and data["version"] == 1


# --- Definitions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "en", "zh"),
    [
        ([], "A form needs at least one field.", "表单至少需要一个字段。"),
        (
            [{"key": "x", "type": "colour", "label": "颜色"}],
            "Field 1: unknown type “colour”.",
            "第 1 个字段：未知类型“colour”。",
        ),
        (
            [{"key": "Bad Key", "type": "text", "label": "名称"}],
            "Field 1: the key must start with a letter and use only a-z, 0-9 and _.",
            "第 1 个字段：键必须以字母开头，只能使用 a-z、0-9 和 _。",
        ),
        (
            [{"key": "serial", "type": "text", "label": "序列号"}],
            "Field 1: the key “serial” is reserved for another type.",
            "第 1 个字段：键“serial”已保留给其他类型。",
        ),
        (
            [{"key": "size", "type": "select", "label": "尺寸", "options": []}],
            "Field 1: a choice field needs 1 to 50 options.",
            "第 1 个字段：选择字段需要 1 到 50 个选项。",
        ),
        (
            [{"key": "a", "type": "text", "label": {"en": "A"}}],
            "Field 1: enter a label in Chinese.",
            "第 1 个字段：请填写中文标签。",
        ),
    ],
)
def test_bad_definitions_are_explained_in_both_languages(fields: list[Any], en: str, zh: str) -> None:
    for language, text in (("en", en), ("zh-hans", zh)):
        with translation.override(language), pytest.raises(ValidationError) as excinfo:
            validate_definition(fields)
        assert text in excinfo.value.message_dict["fields"]


def test_a_definition_with_every_type_validates() -> None:
    fields = [
        {"key": "t", "type": "text", "label": "文本", "max_length": 10},
        {"key": "ta", "type": "textarea", "label": "多行"},
        {"key": "n", "type": "number", "label": "数量", "min": 1, "max": 9, "decimals": 1},
        {"key": "s", "type": "select", "label": "选择", "options": ["甲", "乙"]},
        {"key": "m", "type": "multi_select", "label": "多选", "options": ["甲", "乙"], "max_choices": 1},
        {"key": "d", "type": "date", "label": "日期"},
        {"key": "tm", "type": "time", "label": "时间"},
        {"key": "dt", "type": "datetime", "label": "日期时间"},
        {"key": "p", "type": "phone", "label": "电话"},
        {"key": "photos", "type": "images", "label": "图片", "max_files": 3},
        {"key": "serial", "type": "serial_lookup", "label": "序列号"},
        {"key": "location", "type": "location", "label": "位置", "required": True},
        {"key": "machine", "type": "machine", "label": "机器"},
        {"key": "service_type", "type": "service_type", "label": "服务", "choices": ["repair"]},
        {"key": "warranty", "type": "warranty", "label": "保修"},
        {"key": "appointment", "type": "appointment", "label": "预约", "with_end": True},
    ]
    normalised = validate_definition(fields)
    assert len(normalised) == len(fields)
    assert normalised[3]["options"][0] == {"value": "甲", "label": {"zh": "甲", "en": ""}}
    assert normalised[11]["required_parts"] == ["plot", "building", "room"]


# --- Submissions --------------------------------------------------------------------------------------

FORM = validate_definition(
    [
        {
            "key": "fault_description",
            "type": "textarea",
            "label": {"zh": "故障描述", "en": "Fault"},
            "required": True,
        },
        {"key": "count", "type": "number", "label": {"zh": "数量", "en": "Count"}, "min": 1, "max": 5},
        {"key": "colour", "type": "select", "label": {"zh": "颜色", "en": "Colour"}, "options": ["红", "蓝"]},
        {"key": "when", "type": "date", "label": {"zh": "日期", "en": "Date"}},
        {"key": "phone2", "type": "phone", "label": {"zh": "备用电话", "en": "Other phone"}},
        {"key": "appointment", "type": "appointment", "label": {"zh": "预约时间", "en": "Appointment"}},
        {"key": "location", "type": "location", "label": {"zh": "位置", "en": "Location"}, "required": True},
    ]
)


def test_submitted_data_errors_name_the_field_in_both_languages() -> None:
    bad = {
        "count": "9",
        "colour": "绿",
        "when": "2026-13-40",
        "phone2": "12345",
        "appointment": "2020-01-01T10:00",
        "location": {"plot": "科学城"},
    }
    with translation.override("en"), pytest.raises(ValidationError) as en:
        validate_submission(FORM, bad)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as zh:
        validate_submission(FORM, bad)

    assert en.value.message_dict == {
        "fault_description": ["“Fault” is required."],
        "count": ["“Count” must be at most 5."],
        "colour": ["Choose a valid option for “Colour”."],
        "when": ["Enter a valid date for “Date” (YYYY-MM-DD)."],
        "phone2": ["Enter a valid phone number for “Other phone”."],
        "appointment": ["The appointment cannot be in the past."],
        "location": ["Enter the building for “Location”.", "Enter the room for “Location”."],
    }
    assert zh.value.message_dict["fault_description"] == ["请填写“故障描述”。"]
    assert zh.value.message_dict["count"] == ["“数量”不能大于 5。"]
    assert zh.value.message_dict["location"] == ["请填写“位置”的建筑物。", "请填写“位置”的房间。"]


def test_valid_data_splits_into_columns_and_extra() -> None:
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    cleaned = validate_submission(
        FORM,
        {
            "fault_description": " 漏水 ",
            "count": "2",
            "colour": "红",
            "when": "2026-05-04",
            "phone2": "138 0013 8000",
            "appointment": tomorrow,
            "location": {"plot": "科学城", "building": "A栋", "room": "301"},
            "not_in_the_form": "ignored",
        },
    )
    assert cleaned.core["fault_description"] == "漏水"
    assert cleaned.core["location_building"] == "A栋"
    assert cleaned.core["appointment_at"] is not None and cleaned.core["appointment_until"] is None
    assert cleaned.extra == {"count": 2, "colour": "红", "when": "2026-05-04", "phone2": "+8613800138000"}
