"""报修单表单 in the console (admins): the templates with the one in use, set the default, preview a
template (or any of its versions) exactly as the customer sees it, copy one and edit the copy in the
field editor, and the version history. Saving changed fields makes a new version
(``repair_forms.form_templates``); orders keep the version they were filed with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.models import StaffRole
from portals.access import current_staff, staff_required
from portals.console.template_forms import (
    CopyForm,
    FieldFormSet,
    TemplateMetaForm,
    definitions_from,
    row_initial,
)
from portals.order_ui import staff_actor
from portals.report_form import form_fields
from portals.web import add_service_errors
from repair_forms.form_templates import (
    builtin_templates_ensure,
    form_template_archive,
    form_template_copy,
    form_template_set_default,
    form_template_update,
)
from repair_forms.models import FormTemplate, FormTemplateVersion
from repair_forms.selectors import catalog_tree
from tenants.inputs import parse_id


def _templates() -> list[FormTemplate]:
    builtin_templates_ensure()
    return list(
        FormTemplate.objects.filter(is_archived=False)
        .select_related("current_version")
        .annotate(version_count=Count("versions"))
        .order_by("-is_default", "builtin_key", "created_at", "id")
    )


def _template_or_404(pk: int) -> FormTemplate:
    template = FormTemplate.objects.select_related("current_version").filter(pk=pk).first()
    if template is None:
        raise Http404
    return template


@staff_required(StaffRole.ADMIN)
def template_index(request: HttpRequest) -> HttpResponse:
    templates = _templates()
    current = next((t for t in templates if t.is_default), None)
    return render(request, "portals/console/forms/list.html", {"templates": templates, "current": current})


@staff_required(StaffRole.ADMIN)
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The form as the customer sees it (the current version, or ``?version=<id>``)."""
    template = _template_or_404(pk)
    version: FormTemplateVersion | None = template.current_version
    if "version" in request.GET:
        version = template.versions.filter(pk=parse_id(request.GET["version"]) or 0).first()
        if version is None:
            raise Http404
    assert version is not None
    catalog = catalog_tree() if any(f["type"] == "machine" for f in version.fields) else []
    return render(
        request,
        "portals/console/forms/preview.html",
        {
            "template": template,
            "version": version,
            "fields": form_fields(version.fields, catalog=catalog),
            "style": version.style,
        },
    )


@staff_required(StaffRole.ADMIN)
def template_versions(request: HttpRequest, pk: int) -> HttpResponse:
    template = _template_or_404(pk)
    versions = list(
        template.versions.select_related("created_by")
        .annotate(order_count=Count("orders"))
        .order_by("-number")
    )
    return render(
        request, "portals/console/forms/versions.html", {"template": template, "versions": versions}
    )


ACTIONS = ("default", "copy", "archive")


@staff_required(StaffRole.ADMIN)
def template_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """设为默认, copy, archive. GET asks for confirmation; POST does it."""
    if action not in ACTIONS:
        raise Http404
    template = _template_or_404(pk)
    actor = staff_actor(current_staff(request))
    form = CopyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and (action != "copy" or form.is_valid()):
        try:
            if action == "default":
                form_template_set_default(actor=actor, template=template)
                messages.success(request, _("Customers now see “%(name)s”.") % {"name": template.name})
                return redirect("console:forms")
            if action == "archive":
                form_template_archive(actor=actor, template=template)
                messages.success(request, _("“%(name)s” was archived.") % {"name": template.name})
                return redirect("console:forms")
            copy = form_template_copy(actor=actor, template=template, name=form.cleaned_data.get("name", ""))
        except ValidationError as exc:
            if action == "copy":
                add_service_errors(form, exc)
            else:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("console:forms")
        else:
            messages.success(request, _("A copy was made. Change its fields below."))
            return redirect("console:form-edit", pk=copy.pk)
    return render(
        request, "portals/console/forms/action.html", {"template": template, "action": action, "form": form}
    )


@staff_required(StaffRole.ADMIN)
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The field editor. Built-ins are read-only: the page offers to copy them instead."""
    template = _template_or_404(pk)
    version = template.current_version
    assert version is not None
    if template.is_builtin:
        messages.info(request, _("Built-in forms cannot be changed. Make a copy and edit the copy."))
        return redirect("console:form-action", pk=template.pk, action="copy")
    posted = request.method == "POST"
    meta = TemplateMetaForm(
        request.POST if posted else None,
        initial={"name": template.name, "description": template.description, "style": version.style},
    )
    formset = FieldFormSet(
        request.POST if posted else None, initial=[row_initial(d) for d in version.fields], prefix="fields"
    )
    problems: list[str] = []
    status = 200
    if posted:
        if meta.is_valid() and formset.is_valid():
            try:
                updated = form_template_update(
                    actor=staff_actor(current_staff(request)),
                    template=template,
                    name=meta.cleaned_data["name"],
                    description=meta.cleaned_data["description"],
                    style=meta.cleaned_data["style"],
                    fields=definitions_from(formset),
                )
            except ValidationError as exc:
                details: dict[str, Any] = getattr(exc, "message_dict", {"__all__": exc.messages})
                problems = [str(m) for m in details.pop("fields", [])]
                if details:
                    add_service_errors(meta, ValidationError(details))
                status = 400
            else:
                current = updated.current_version
                messages.success(
                    request,
                    _("Saved. Version %(number)d is now in use; orders filed earlier keep theirs.")
                    % {"number": current.number if current else 1},
                )
                return redirect("console:forms")
        else:
            status = 400
    return render(
        request,
        "portals/console/forms/edit.html",
        {"template": template, "version": version, "meta": meta, "formset": formset, "problems": problems},
        status=status,
    )
