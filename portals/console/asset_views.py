"""设备 assets and the brand → category → model catalog in the console (admins, dispatchers,
supervisors): list, add, edit, deactivate; CSV/XLSX import as a background job with a progress bar
(the page polls ``asset-import-status``; every bad row is listed and nothing is imported until the
file is clean); export; and the printable PDF sheet of QR labels, each opening the portal's report
page with that machine filled in (``repair_forms.labels``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CustomerCompany, StaffRole
from integrations.miniprogram.codes import asset_codes
from integrations.tasks_orders import enqueue_asset_import
from portals.access import current_staff, staff_required
from portals.console.asset_forms import AssetForm, CatalogAddForm, CatalogEditForm, ImportForm
from portals.order_ui import staff_actor
from portals.web import absolute_url, add_service_errors
from repair_forms.asset_services import (
    asset_create,
    asset_deactivate,
    asset_regenerate_token,
    asset_update,
    brand_save,
    catalog_entry_delete,
    category_save,
    machine_model_save,
)
from repair_forms.imports import assets_export, import_job_create, import_template
from repair_forms.labels import asset_report_url, labels_pdf
from repair_forms.models import Asset, Brand, Category, ImportJob, ImportStatus, MachineModel
from repair_forms.selectors import asset_list
from tenants.inputs import parse_id, parse_ids

OFFICE = (StaffRole.ADMIN, StaffRole.DISPATCHER, StaffRole.SUPERVISOR)
PAGE_SIZE = 50
MAX_LABELS = 2400  # 100 A4 pages
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _asset_or_404(pk: int) -> Asset:
    asset = Asset.objects.select_related("brand", "category", "model", "company").filter(pk=pk).first()
    if asset is None:
        raise Http404
    return asset


def _filtered(request: HttpRequest) -> Any:
    company = request.GET.get("company", "")
    return asset_list(query=request.GET.get("q", "")[:80], company_id=parse_id(company))


@staff_required(*OFFICE)
def asset_index(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(_filtered(request), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portals/console/assets/list.html",
        {
            "page": page,
            "q": request.GET.get("q", ""),
            "company": request.GET.get("company", ""),
            "companies": CustomerCompany.objects.order_by("name").values_list("id", "name"),
            "query": params.urlencode(),
        },
    )


@staff_required(*OFFICE)
def asset_new(request: HttpRequest) -> HttpResponse:
    form = AssetForm(request.POST or None, initial={"warranty_status": "unknown"})
    if request.method == "POST" and form.is_valid():
        try:
            asset = asset_create(actor=staff_actor(current_staff(request)), data=form.asset_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Machine %(machine)s was added.") % {"machine": asset})
            return redirect("console:asset-edit", pk=asset.pk)
    return render(request, "portals/console/assets/form.html", {"form": form, "asset": None})


@staff_required(*OFFICE)
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    asset = _asset_or_404(pk)
    actor = staff_actor(current_staff(request))
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "deactivate":
        asset_deactivate(actor=actor, asset=asset)
        messages.success(request, _("Machine %(machine)s was deactivated.") % {"machine": asset})
        return redirect("console:assets")
    if action == "new-token":
        asset_regenerate_token(actor=actor, asset=asset)
        messages.success(request, _("A new QR code was made; labels printed before no longer work."))
        return redirect("console:asset-edit", pk=asset.pk)
    form = AssetForm(request.POST if action == "save" else None, initial=AssetForm.initial_for(asset))
    if action == "save" and form.is_valid():
        try:
            asset_update(actor=actor, asset=asset, data=form.asset_data(asset))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:asset-edit", pk=asset.pk)
    return render(
        request,
        "portals/console/assets/form.html",
        {
            "form": form,
            "asset": asset,
            "report_url": asset_report_url(absolute_url(request, "/").rstrip("/"), asset),
            "orders": asset.orders.order_by("-submitted_at")[:10],
        },
    )


@staff_required(*OFFICE)
def asset_labels(request: HttpRequest) -> HttpResponse:
    """The PDF sheet of QR labels: the ticked machines, or every one the list's filters match."""
    ids = parse_ids(request.GET.getlist("ids"))
    assets = Asset.objects.filter(pk__in=ids).select_related("brand", "model") if ids else _filtered(request)
    chosen = list(assets.filter(is_active=True).order_by("machine_no", "id")[:MAX_LABELS])
    codes = None
    if request.GET.get("code") == "miniprogram":  # 小程序码 instead of the web QR
        try:
            codes = asset_codes(chosen)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("console:assets")
    pdf = labels_pdf(
        chosen,
        portal_base=absolute_url(request, "/").rstrip("/"),
        title=request.tenant.name,  # type: ignore[attr-defined]
        codes=codes,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="qr-labels-{timezone.localtime():%Y%m%d}.pdf"'
    return response


@staff_required(*OFFICE)
def asset_export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise Http404
    content = assets_export(_filtered(request), file_format=file_format)
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="assets-{timezone.localtime():%Y%m%d}.{file_format}"'
    )
    return response


@staff_required(*OFFICE)
def asset_import_template(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in FORMATS:
        raise Http404
    response = HttpResponse(import_template(file_format=file_format), content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="asset-import-template.{file_format}"'
    return response


@staff_required(*OFFICE)
def asset_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                actor=staff_actor(current_staff(request)), file=upload, filename=upload.name
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            enqueue_asset_import(job)
            return redirect("console:asset-import-job", pk=job.pk)
    recent = ImportJob.objects.order_by("-created_at")[:10]
    return render(request, "portals/console/assets/import.html", {"form": form, "recent": recent})


def _job_or_404(pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def job_state(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "name": job.original_name,
        "status": job.status,
        "status_label": str(ImportStatus(job.status).label),
        "finished": job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED),
        "percent": job.progress_percent,
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "created": job.created_count,
        "updated": job.updated_count,
        "errors": job.errors[:500],
        "error_count": len(job.errors),
    }


@staff_required(*OFFICE)
def asset_import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(pk)
    return render(request, "portals/console/assets/import_job.html", {"job": job, "state": job_state(job)})


@staff_required(*OFFICE)
def asset_import_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(job_state(_job_or_404(pk)))


# --- Catalog -----------------------------------------------------------------------------------------

CATALOG_MODELS: dict[str, Any] = {"brand": Brand, "category": Category, "model": MachineModel}


@staff_required(*OFFICE)
def catalog(request: HttpRequest) -> HttpResponse:
    form = CatalogAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actor = staff_actor(current_staff(request))
        kind, parent, name = (
            form.cleaned_data["kind"],
            form.cleaned_data.get("parent"),
            form.cleaned_data["name"],
        )
        try:
            if kind == "brand":
                brand_save(actor=actor, name=name)
            elif kind == "category":
                category_save(actor=actor, brand=Brand.objects.get(pk=parent or 0), name=name)
            else:
                machine_model_save(actor=actor, category=Category.objects.get(pk=parent or 0), name=name)
        except (Brand.DoesNotExist, Category.DoesNotExist):
            raise Http404 from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("“%(name)s” was added.") % {"name": name})
        return redirect("console:catalog")
    brands = Brand.objects.order_by("sort", "name").prefetch_related(
        Prefetch(
            "categories",
            queryset=Category.objects.order_by("sort", "name").prefetch_related(
                Prefetch("models", queryset=MachineModel.objects.order_by("sort", "name"))
            ),
        )
    )
    return render(request, "portals/console/assets/catalog.html", {"brands": brands})


@staff_required(*OFFICE)
def catalog_entry(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in CATALOG_MODELS:
        raise Http404
    entry = CATALOG_MODELS[kind].objects.filter(pk=pk).first()
    if entry is None:
        raise Http404
    actor = staff_actor(current_staff(request))
    if request.method == "POST" and request.POST.get("action") == "delete":
        catalog_entry_delete(actor=actor, entry=entry)
        messages.success(
            request,
            _("“%(name)s” was removed (kept inactive if orders or machines use it).") % {"name": entry.name},
        )
        return redirect("console:catalog")
    form = CatalogEditForm(request.POST or None, initial={"name": entry.name, "is_active": entry.is_active})
    if request.method == "POST" and form.is_valid():
        name, active = form.cleaned_data["name"], form.cleaned_data["is_active"]
        try:
            if kind == "brand":
                brand_save(actor=actor, name=name, brand=entry, is_active=active)
            elif kind == "category":
                category_save(actor=actor, brand=entry.brand, name=name, category=entry, is_active=active)
            else:
                machine_model_save(
                    actor=actor, category=entry.category, name=name, model=entry, is_active=active
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("console:catalog")
    return render(
        request, "portals/console/assets/catalog_entry.html", {"form": form, "entry": entry, "kind": kind}
    )
