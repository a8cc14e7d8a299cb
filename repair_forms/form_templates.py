"""Form templates (报修单表单): the built-ins, the default, copies and their versions, and the JSON
the API hands to a mini program to render a form.

Versioning: ``form_template_update`` never changes a saved ``FormTemplateVersion``; a change of
fields or style saves version n+1 and points ``current_version`` at it. Orders keep the version they
were filed with. Built-ins are read-only (copy one to change it). Only administrators manage
templates (``PermissionDenied`` otherwise).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from repair_forms.builtin_templates import BUILTIN_TEMPLATES
from repair_forms.fields import validate_definition
from repair_forms.lifecycle import Actor
from repair_forms.models import FormTemplate, FormTemplateVersion, ServiceType, TemplateStyle, WarrantyStatus
from tenants.tenant_cache import cached_for_tenant, forget

# Every portal and API submit needs the default form's current version: cached per tenant, forgotten
# by each service below that changes which version is the default one.
DEFAULT_VERSION_CACHE = "form-default-version"


def _require_admin(actor: Actor) -> None:
    if not (actor.is_staff and actor.role == StaffRole.ADMIN):
        raise PermissionDenied(_("Only administrators can change form templates."))


@transaction.atomic
def builtin_templates_ensure() -> int:
    """Create any missing built-in template (idempotent); make 简单报修单 the default when none is.
    Returns how many were created."""
    existing = set(FormTemplate.objects.exclude(builtin_key="").values_list("builtin_key", flat=True))
    created = 0
    for spec in BUILTIN_TEMPLATES:
        if spec["key"] in existing:
            continue
        template = FormTemplate.objects.create(
            name=spec["name"], builtin_key=spec["key"], description=spec["description"]
        )
        version = FormTemplateVersion.objects.create(
            template=template, number=1, fields=validate_definition(spec["fields"]), style=spec["style"]
        )
        template.current_version = version
        template.save(update_fields=["current_version"])
        created += 1
    if not FormTemplate.objects.filter(is_default=True).exists():
        default_key = next(s["key"] for s in BUILTIN_TEMPLATES if s.get("default"))
        FormTemplate.objects.filter(builtin_key=default_key).update(is_default=True, is_archived=False)
    forget(DEFAULT_VERSION_CACHE)
    return created


def default_template() -> FormTemplate:
    template = FormTemplate.objects.select_related("current_version").filter(is_default=True).first()
    if template is None:
        builtin_templates_ensure()
        template = FormTemplate.objects.select_related("current_version").get(is_default=True)
    return template


def default_template_version() -> FormTemplateVersion:
    def compute() -> FormTemplateVersion:
        version = default_template().current_version
        assert version is not None
        return version

    return cached_for_tenant(DEFAULT_VERSION_CACHE, compute)


@transaction.atomic
def form_template_copy(*, actor: Actor, template: FormTemplate, name: str = "") -> FormTemplate:
    """A new editable template starting from ``template``'s current fields (version 1)."""
    _require_admin(actor)
    source = template.current_version
    assert source is not None
    name = (name or "").strip() or _("Copy of %(name)s") % {"name": template.name}
    if len(name) > 60:
        raise ValidationError({"name": [_("The name can be at most %(max)d characters.") % {"max": 60}]})
    copy = FormTemplate.objects.create(name=name, description=template.description, copied_from=template)
    version = FormTemplateVersion.objects.create(
        template=copy, number=1, fields=source.fields, style=source.style, created_by=actor.staff
    )
    copy.current_version = version
    copy.save(update_fields=["current_version"])
    return copy


@transaction.atomic
def form_template_update(
    *,
    actor: Actor,
    template: FormTemplate,
    name: str | None = None,
    description: str | None = None,
    fields: list[dict[str, Any]] | None = None,
    style: str | None = None,
) -> FormTemplate:
    """Rename and/or change fields or style. Changed fields or style → a new version; orders filed
    with older versions keep theirs."""
    _require_admin(actor)
    template = FormTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_builtin:
        raise ValidationError(_("Built-in templates cannot be changed; copy one and edit the copy."))
    errors: dict[str, list[str]] = {}
    if name is not None:
        name = name.strip()
        if not name or len(name) > 60:
            errors["name"] = [_("Enter a name of at most %(max)d characters.") % {"max": 60}]
        else:
            template.name = name
    if description is not None:
        template.description = description.strip()[:200]
    current = template.current_version
    assert current is not None
    new_fields = current.fields
    if fields is not None:
        try:
            new_fields = validate_definition(fields)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    new_style = current.style if style is None else style
    if new_style not in TemplateStyle.values:
        errors["style"] = [_("Choose a valid style.")]
    if errors:
        raise ValidationError(errors)
    if new_fields != current.fields or new_style != current.style:
        version = FormTemplateVersion.objects.create(
            template=template,
            number=current.number + 1,
            fields=new_fields,
            style=new_style,
            created_by=actor.staff,
        )
        template.current_version = version
    template.save()
    forget(DEFAULT_VERSION_CACHE)
    return template


@transaction.atomic
def form_template_set_default(*, actor: Actor, template: FormTemplate) -> FormTemplate:
    _require_admin(actor)
    if template.is_archived:
        raise ValidationError(_("An archived template cannot be the default."))
    FormTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(is_default=False)
    FormTemplate.objects.filter(pk=template.pk).update(is_default=True)
    template.is_default = True
    forget(DEFAULT_VERSION_CACHE)
    return template


@transaction.atomic
def form_template_archive(*, actor: Actor, template: FormTemplate) -> FormTemplate:
    """Hide a copied template from the list (its versions stay for the orders filed with them)."""
    _require_admin(actor)
    if template.is_default:
        raise ValidationError(_("Choose another default template before archiving this one."))
    if template.is_builtin:
        raise ValidationError(_("Built-in templates cannot be archived."))
    template.is_archived = True
    template.save(update_fields=["is_archived", "updated_at"])
    return template


def _choice_options(
    choices: type[ServiceType] | type[WarrantyStatus], allowed: list[str]
) -> list[dict[str, Any]]:
    options = []
    for value in allowed:
        labels = {}
        for language, code in (("zh", "zh-hans"), ("en", "en")):
            with translation.override(code):
                labels[language] = str(choices(value).label)
        options.append({"value": value, "label": labels})
    return options


def template_json(version: FormTemplateVersion) -> dict[str, Any]:
    """The form as a mini program renders it: fields with zh and en labels; service type and
    warranty fields carry their options; the machine cascade reads ``selectors.catalog_tree()``."""
    template = version.template
    fields = []
    for definition in version.fields:
        item = dict(definition)
        if definition["type"] == "service_type":
            item["options"] = _choice_options(ServiceType, definition.get("choices", ServiceType.values))
        elif definition["type"] == "warranty":
            item["options"] = _choice_options(
                WarrantyStatus, definition.get("choices", WarrantyStatus.values)
            )
        fields.append(item)
    return {
        "template_id": template.pk,
        "name": template.name,
        "version_id": version.pk,
        "version": version.number,
        "style": version.style,
        "fields": fields,
    }
