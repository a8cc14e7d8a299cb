"""报修单表单 in the console: the four built-ins with the one in use, set default, the preview as
the customer sees it, copy and edit in the field editor (new version; old orders keep theirs),
version history, and only administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django_tenants.utils import schema_context

from portals.console.template_forms import row_initial
from portals.tests.orders.helpers import signed_in, text_of
from repair_forms.form_templates import default_template, form_template_copy
from repair_forms.models import FormTemplate, RepairOrder
from repair_forms.tests.helpers import Cast, drive


def _in_a(actors: Any) -> Any:
    return schema_context(actors.tenant_a.schema_name)


def _editor_post(template: FormTemplate, rows: list[dict[str, Any]], **meta: Any) -> dict[str, Any]:
    """The field editor's POST: management form + one block of inputs per row."""
    data: dict[str, Any] = {
        "name": meta.get("name", template.name),
        "description": meta.get("description", ""),
        "style": meta.get("style", "stacked"),
        "fields-TOTAL_FORMS": str(len(rows)),
        "fields-INITIAL_FORMS": str(len(template.current_version.fields)),  # type: ignore[union-attr]
        "fields-MIN_NUM_FORMS": "0",
        "fields-MAX_NUM_FORMS": "40",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            if value in (None, False):
                continue
            if value is True:
                value = "on"
            if key in ("parts", "choices") and isinstance(value, list):
                data[f"fields-{index}-{key}"] = value
            else:
                data[f"fields-{index}-{key}"] = str(value)
        data.setdefault(f"fields-{index}-ORDER", str(index + 1))
    return data


def test_the_list_shows_the_built_ins_and_the_form_in_use(cast: Cast, actors: Any) -> None:
    page = text_of(signed_in(actors.tenant_a, cast.admin).get("/console/forms/"))
    for name in ("极简报修单", "简单报修单", "复杂报修单", "特殊样式1"):
        assert name in page
    assert "简单报修单" in page.split("badge ok")[0][-400:]  # the default carries the "in use" badge


def test_setting_the_default_changes_what_customers_fill_in(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        minimal = FormTemplate.objects.get(builtin_key="minimal")
    admin = signed_in(actors.tenant_a, cast.admin)
    assert admin.post(f"/console/forms/{minimal.pk}/default/").status_code == 302
    form = text_of(signed_in(actors.tenant_a, cast.reporter).get("/report/", {"q": "NO000028"}))
    assert 'name="f_fault_description"' in form and 'name="f_machine__brand"' not in form


def test_the_preview_renders_the_form_as_customers_see_it(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        special = FormTemplate.objects.get(builtin_key="special")
    page = text_of(signed_in(actors.tenant_a, cast.admin).get(f"/console/forms/{special.pk}/"))
    assert "report-form style-cells" in page
    assert 'name="f_service_type"' in page and "联想" in page  # the catalog feeds the cascade
    assert "disabled" in page


def test_copy_then_edit_makes_a_new_version_and_old_orders_keep_theirs(cast: Cast, actors: Any) -> None:
    admin = signed_in(actors.tenant_a, cast.admin)
    with _in_a(actors):
        simple = default_template()
    copied = admin.post(f"/console/forms/{simple.pk}/copy/", {"name": "我们的报修单"})
    assert copied.status_code == 302
    with _in_a(actors):
        copy = FormTemplate.objects.get(name="我们的报修单")
    assert copied["Location"] == f"/console/forms/{copy.pk}/edit/"
    admin.post(f"/console/forms/{copy.pk}/default/")
    with _in_a(actors):
        copy.refresh_from_db()
        old_order = drive(cast, "submitted")
        v1 = copy.current_version
        assert v1 is not None and old_order.template_version_id == v1.pk
        rows = [row_initial(d) for d in v1.fields]
    editor = admin.get(f"/console/forms/{copy.pk}/edit/")
    assert editor.status_code == 200 and "data-field-editor" in text_of(editor)
    # Remove 备注 (notes), move the fault description first, add a required choice.
    notes = next(i for i, r in enumerate(rows) if r["key"] == "notes")
    rows[notes]["DELETE"] = True
    for index, row in enumerate(rows):
        row["ORDER"] = index + 2
    fault = next(r for r in rows if r["key"] == "fault_description")
    fault["ORDER"] = 1
    rows.append(
        {
            "type": "select",
            "key": "floor",
            "label_zh": "楼层",
            "label_en": "Floor",
            "required": True,
            "options": "1|一楼|Ground floor\n2|二楼|First floor",
            "ORDER": 99,
        }
    )
    saved = admin.post(f"/console/forms/{copy.pk}/edit/", _editor_post(copy, rows))
    assert saved.status_code == 302, text_of(saved)
    with _in_a(actors):
        copy.refresh_from_db()
        v2 = copy.current_version
        assert v2 is not None and v2.number == 2
        keys = [f["key"] for f in v2.fields]
        assert keys[0] == "fault_description" and "notes" not in keys and keys[-1] == "floor"
        old_order.refresh_from_db()
        assert old_order.template_version_id == v1.pk
    form = text_of(signed_in(actors.tenant_a, cast.reporter).get("/report/", {"q": "NO000028"}))
    assert "一楼" in form and 'name="f_notes"' not in form
    history = text_of(admin.get(f"/console/forms/{copy.pk}/versions/"))
    assert "v1" in history and "v2" in history
    old_preview = text_of(admin.get(f"/console/forms/{copy.pk}/", {"version": v1.pk}))
    assert 'name="f_notes"' in old_preview


def test_a_bad_field_list_is_explained_and_nothing_is_saved(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        copy = form_template_copy(actor=cast.actor("admin"), template=default_template(), name="副本")
        rows = [row_initial(d) for d in copy.current_version.fields]  # type: ignore[union-attr]
    rows.append({"type": "select", "key": "9bad", "label_zh": "", "ORDER": 50})
    admin = signed_in(actors.tenant_a, cast.admin)
    response = admin.post(
        f"/console/forms/{copy.pk}/edit/", _editor_post(copy, rows), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "the key must start with a letter" in text_of(response)
    with _in_a(actors):
        copy.refresh_from_db()
        assert copy.current_version.number == 1  # type: ignore[union-attr]


def test_built_ins_are_copied_not_edited(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        simple = default_template()
    response = signed_in(actors.tenant_a, cast.admin).get(f"/console/forms/{simple.pk}/edit/")
    assert response.status_code == 302 and response["Location"] == f"/console/forms/{simple.pk}/copy/"


def test_the_default_cannot_be_archived_but_a_copy_can(cast: Cast, actors: Any) -> None:
    admin = signed_in(actors.tenant_a, cast.admin)
    with _in_a(actors):
        copy = form_template_copy(actor=cast.actor("admin"), template=default_template(), name="旧表单")
    assert admin.post(f"/console/forms/{copy.pk}/archive/").status_code == 302
    assert "旧表单" not in text_of(admin.get("/console/forms/")).split("<tbody>")[1]
    with _in_a(actors):
        assert RepairOrder.objects.count() == 0
        simple = default_template()
    refused = admin.post(f"/console/forms/{simple.pk}/archive/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose another default template" in text_of(refused)


@pytest.mark.parametrize("who", ["dispatcher", "supervisor", "engineer"])
def test_only_administrators_manage_forms(cast: Cast, actors: Any, who: str) -> None:
    with _in_a(actors):
        simple = default_template()
    client = signed_in(actors.tenant_a, getattr(cast, who))
    for path in ("/console/forms/", f"/console/forms/{simple.pk}/", f"/console/forms/{simple.pk}/versions/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/console/forms/{simple.pk}/copy/").status_code == 403


def test_another_tenants_admin_gets_404_for_our_forms(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        copy = form_template_copy(actor=cast.actor("admin"), template=default_template(), name="甲方的表单")
    from tests.actors import client_for

    outsider = client_for(actors.tenant_b, actors.outsider)
    assert outsider.get(f"/console/forms/{copy.pk}/edit/").status_code == 404
    assert outsider.get(f"/console/forms/{copy.pk}/").status_code == 404


def test_english_pages_translate_the_built_in_forms_but_not_a_providers_own(cast: Cast, actors: Any) -> None:
    with _in_a(actors):
        mine = form_template_copy(
            actor=cast.actor("admin"),
            template=FormTemplate.objects.get(builtin_key="simple"),
            name="我们的报修单",
        )
    page = text_of(signed_in(actors.tenant_a, cast.admin).get("/console/forms/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Simple report form" in page and "Minimal report form" in page
    assert "简单报修单" not in page and "极简报修单" not in page
    assert mine.name in page  # provider-entered text stays as typed
