"""Web UI of imports and background jobs: upload, dry-run report, confirmation, progress, downloads.

Every job is fetched through the access engine (only its owner sees it); the work is done by the
services of cbrnet.jobs, the same ones the API and the tasks call.
"""

import csv
import io

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from cbrnet import access
from cbrnet.core import imports
from cbrnet.core.exports import XLSX_CONTENT_TYPE, spreadsheet_rows
from cbrnet.jobs import services
from cbrnet.jobs.models import Job, JobKind, JobStatus

PROBLEMS_SHOWN = 500  # on the page; the CSV report has them all
MULTIPART_SLACK = 64 * 1024  # form fields and boundaries around the file in an upload request
BADGES = {
    JobStatus.QUEUED: "muted",
    JobStatus.RUNNING: "info",
    JobStatus.READY: "success",
    JobStatus.INVALID: "danger",
    JobStatus.DONE: "success",
    JobStatus.FAILED: "danger",
}


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV UTF-8 or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,.xlsx,text/csv,{XLSX_CONTENT_TYPE}"}),
    )


class MaxSizeUploadHandler(FileUploadHandler):
    """Stops reading an upload once it passes settings.IMPORT_MAX_BYTES: a huge file is refused
    before it is stored or parsed (for clients that send no Content-Length)."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.request.import_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def too_large(request) -> bool:
    """Whether the request announces a body bigger than any acceptable upload (checked before reading it)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > settings.IMPORT_MAX_BYTES + MULTIPART_SLACK


def _spec_or_404(name):
    try:
        return imports.get_spec(name)
    except LookupError:
        raise Http404(_("There is no such import.")) from None


def _list_url(spec):
    try:
        return reverse(spec.list_url_name)
    except NoReverseMatch:
        return None


# --- upload --------------------------------------------------------------------------------------


@login_required
@csrf_exempt  # the upload handler must be installed before the CSRF check reads the body; checked below
def import_upload_view(request, spec):
    spec = _spec_or_404(spec)
    if not spec.may_import(request.user):
        raise PermissionDenied(_("You may not import %(what)s.") % {"what": spec.title.lower()})
    if request.method == "POST" and too_large(request):
        return _refuse_too_large(request, spec)  # before a byte of the body is read
    request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
    return _import_upload(request, spec)


def _refuse_too_large(request, spec):
    message = _(
        "The file is bigger than the limit of %(limit)s; nothing was stored. Split it into smaller files."
    ) % {"limit": imports.megabytes(settings.IMPORT_MAX_BYTES)}
    return _render_upload(request, spec, ImportUploadForm(), status=413, error=message)


@csrf_protect
def _import_upload(request, spec):
    form = ImportUploadForm()
    status = 200
    if request.method == "POST":
        if getattr(request, "import_too_large", False):  # set while the body was read (no Content-Length)
            return _refuse_too_large(request, spec)
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.job_start_import(
                    user=request.user, spec_name=spec.name, upload=form.cleaned_data["file"]
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                return redirect(job.get_absolute_url())
        status = 400
    return _render_upload(request, spec, form, status=status)


def _render_upload(request, spec, form, *, status=200, error=""):
    recent = access.restrict(Job.objects.filter(kind=JobKind.IMPORT, target=spec.name), request.user)[:5]
    context = {
        "spec": spec,
        "form": form,
        "recent": recent,
        "list_url": _list_url(spec),
        "max_size": imports.megabytes(settings.IMPORT_MAX_BYTES),
        "error": error,
    }
    return render(request, "core/import_upload.html", context, status=status)


@login_required
def import_template_view(request, spec, file_format):
    """An empty import file: the header row (CSV), plus a Help sheet describing the columns (XLSX)."""
    spec = _spec_or_404(spec)
    if file_format not in imports.FILE_FORMATS:
        raise Http404
    if file_format == "csv":
        text = io.StringIO()
        imports.write_template(spec, "csv", text)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        buffer = io.BytesIO()
        imports.write_template(spec, "xlsx", buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{spec.name}-import-template.{file_format}"'
    return response


# --- jobs ----------------------------------------------------------------------------------------


def _job(request, pk, action="view") -> Job:
    return access.get_object_for(request.user, Job.objects.select_related("owner"), action, pk=pk)


def job_context(job: Job) -> dict:
    """What the job page and its polled fragment show."""
    done, total = services.live_progress(job)
    percent = (
        100
        if job.is_finished and job.status != JobStatus.FAILED
        else (min(100, 100 * done // total) if total else 0)
    )
    spec = None
    if job.kind == JobKind.IMPORT:
        try:
            spec = imports.get_spec(job.target)
        except LookupError:
            spec = None
    problem_count = job.summary.get("problem_count", len(job.errors))
    return {
        "job": job,
        "done": done,
        "total": total,
        "percent": percent,
        "badge": BADGES.get(job.status, "muted"),
        "spec": spec,
        "list_url": _list_url(spec) if spec else None,
        "problems": job.errors[:PROBLEMS_SHOWN],
        "problem_count": problem_count,
        "problems_hidden": max(0, problem_count - min(len(job.errors), PROBLEMS_SHOWN)),
        "created": job.summary.get("created", {}),
        # Still queued after a minute: the worker is probably not running (tell whoever runs the site).
        "waiting_long": job.status == JobStatus.QUEUED
        and (timezone.now() - job.updated).total_seconds() > 60,
        "notes": job.summary.get("notes", []),
    }


@login_required
def job_list_view(request):
    jobs = access.restrict(Job.objects.all(), request.user).order_by("-created", "-pk")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "core/job_list.html", {"page": page, "jobs": page.object_list, "badges": BADGES})


@login_required
def job_detail_view(request, pk):
    job = _job(request, pk)
    return render(request, "core/job_detail.html", job_context(job))


@login_required
def job_progress_view(request, pk):
    """The status fragment the job page polls every second (htmx) until the job is finished."""
    job = _job(request, pk)
    return render(request, "core/job_progress.html", job_context(job))


@login_required
@require_POST
def job_commit_view(request, pk):
    job = _job(request, pk, "change")
    try:
        job = services.job_commit_start(user=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == JobStatus.DONE:
            messages.success(request, _("The rows were imported."))
    return redirect(job.get_absolute_url())


@login_required
def job_download_view(request, pk):
    """The file an export job produced (only its owner reaches it)."""
    job = _job(request, pk)
    if job.kind != JobKind.EXPORT or job.status != JobStatus.DONE or not job.result:
        raise Http404(_("This job has no file to download."))
    basename = job.target.split(":")[-1].removesuffix("_list")
    filename = (
        f"{basename}-{timezone.localtime(job.finished_at or job.created):%Y%m%d-%H%M}.{job.file_format}"
    )
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=filename)


@login_required
def job_problems_view(request, pk):
    """Every problem a check found, as CSV (row, column, message), to work through in a spreadsheet."""
    job = _job(request, pk)
    text = io.StringIO()
    text.write("\ufeff")
    writer = csv.writer(text)
    rows = [["row", "column", "message"]] + [
        [problem.get("row") or "", problem.get("column", ""), problem.get("message", "")]
        for problem in job.errors
    ]
    for row in spreadsheet_rows([[str(value) for value in row] for row in rows]):
        writer.writerow(row)
    response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{job.target}-problems-{job.pk}.csv"'
    return response


@login_required
@require_POST
def export_start_view(request):
    """Export a long list in the background: the file is downloaded from the job page.

    Without JavaScript the form sends the list's filters as rendered (`query`); with htmx it sends
    the filter form as it is now (hx-include), since htmx filtering does not re-render the form.
    """
    query = request.POST.get("query", "")
    if request.htmx:
        current = QueryDict(mutable=True)
        for key, values in request.POST.lists():
            if key not in {"csrfmiddlewaretoken", "list", "format", "query"}:
                current.setlist(key, [value for value in values if value != ""])
        query = current.urlencode()
    try:
        job = services.job_start_export(
            user=request.user,
            list_name=request.POST.get("list", ""),
            query=query,
            file_format=request.POST.get("format", "csv"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseClientRefresh() if request.htmx else redirect("core:job_list")
    if request.htmx:
        return HttpResponseClientRedirect(job.get_absolute_url())
    return redirect(job.get_absolute_url())
