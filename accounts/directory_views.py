"""The staff directory import, for engagement managers: upload, map the columns (once),
preview what will change, then import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import directory
from accounts.forms import DirectoryMappingForm, DirectoryUploadForm
from accounts.models import DirectoryMapping, DirectoryUpload

MAX_ERRORS_SHOWN = 200


def _require_manager(request: HttpRequest) -> None:
    if not request.user.is_engagement_manager:
        raise PermissionDenied(_("Only engagement managers can import staff."))


def _upload(request: HttpRequest, pk: int) -> DirectoryUpload:
    _require_manager(request)
    return get_object_or_404(DirectoryUpload, pk=pk, imported_at__isnull=True)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = DirectoryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            saved = directory.save_upload(request.user, file.name, file.read())
        except ValidationError as error:
            form.add_error("file", error)
        else:
            headings, _rows = directory.read_file(saved.content)
            if directory.remembered_mapping_fits(headings):
                return redirect("directory:preview", pk=saved.pk)
            return redirect("directory:mapping", pk=saved.pk)
    return render(
        request,
        "accounts/directory/upload.html",
        {"form": form, "mapping": DirectoryMapping.objects.first()},
        status=400 if form.errors else 200,
    )


@login_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    saved = _upload(request, pk)
    headings, _rows = directory.read_file(saved.content)
    form = DirectoryMappingForm(
        request.POST or None,
        headings=headings,
        fields=directory.FIELDS,
        required=directory.REQUIRED,
        initial=directory.suggest_mapping(headings),
    )
    if request.method == "POST" and form.is_valid():
        directory.remember_mapping(request.user, form.cleaned_data)
        return redirect("directory:preview", pk=saved.pk)
    return render(
        request,
        "accounts/directory/mapping.html",
        {"form": form, "upload": saved, "headings": headings},
        status=400 if form.errors else 200,
    )


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """What the import would change, and (POST) the import itself."""
    saved = _upload(request, pk)
    headings, _rows = directory.read_file(saved.content)
    if not directory.remembered_mapping_fits(headings):
        return redirect("directory:mapping", pk=saved.pk)
    columns = DirectoryMapping.objects.first().columns
    if request.method == "POST":
        plan = directory.apply_import(request.user, saved.content, columns)
        if plan.ok:
            # Keep the figures, not the staff list itself.
            saved.imported_at = timezone.now()
            saved.summary = plan.summary()
            saved.content = ""
            saved.save(update_fields=["imported_at", "summary", "content"])
            messages.success(
                request,
                _(
                    "Imported: %(created)d new, %(updated)d updated, %(deactivated)d "
                    "deactivated. New people are being sent their invitations."
                )
                % plan.summary(),
            )
            return redirect("directory:upload")
    else:
        plan = directory.plan_import(saved.content, columns, request.user)
    return render(
        request,
        "accounts/directory/preview.html",
        {
            "upload": saved,
            "plan": plan,
            "summary": plan.summary(),
            "errors": plan.errors[:MAX_ERRORS_SHOWN],
            "more_errors": max(len(plan.errors) - MAX_ERRORS_SHOWN, 0),
            "columns": columns,
            "fields": directory.FIELDS,
        },
        status=400 if plan.errors else 200,
    )
