"""Words a provider reads on day one (issue 13): a thing's name is 名称 and a person's 姓名; the
number field type is 数字; a failed import is not 发送失败; order statuses read the GZIC words."""

from __future__ import annotations

from django.utils import translation

from portals.console.forms import StaffInviteForm
from portals.console.template_forms import FIELD_TYPE_CHOICES, TemplateMetaForm
from repair_forms.models import ImportStatus, OrderStatus
from repair_forms.sla import format_duration
from repair_forms.status_words import TAB_WORDS


def test_chinese_console_words_name_things_and_people_apart() -> None:
    with translation.override("zh-hans"):
        assert str(TemplateMetaForm().fields["name"].label) == "名称"
        assert str(StaffInviteForm().fields["display_name"].label) == "姓名"
        assert str(dict(FIELD_TYPE_CHOICES)["number"]) == "数字"
        assert str(ImportStatus.FAILED.label) != "发送失败"


def test_order_statuses_read_the_gzic_words_in_tabs_and_badges() -> None:
    with translation.override("zh-hans"):
        assert [str(word) for word in TAB_WORDS.values()] == [
            "待接单",
            "已接单",
            "已挂起",
            "已完成",
            "已取消",
        ]
        assert str(OrderStatus.SUSPENDED.label) == "已挂起"
        assert str(OrderStatus.SUBMITTED.label) == "待接单"
        assert "已停用" not in {str(label) for _value, label in OrderStatus.choices}


def test_durations_on_chinese_pages_have_chinese_units() -> None:
    from datetime import timedelta

    with translation.override("zh-hans"):
        text = format_duration(timedelta(hours=6, minutes=11))
    assert "小时" in text and "分钟" in text and "h" not in text
