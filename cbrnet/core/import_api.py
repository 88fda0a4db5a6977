"""JSON API of imports and background jobs.

    GET  /api/imports/                 the imports the user may run, with their columns
    POST /api/imports/{spec}           multipart `file`: check it (dry run, nothing written)
    GET  /api/jobs/                    the user's jobs, newest first
    GET  /api/jobs/{id}                status, progress and report of one job
    POST /api/jobs/{id}/commit         import a checked file, all rows or none
    GET  /api/jobs/{id}/result         the file of a finished export
    POST /api/jobs/exports             export a list in the background

A check or commit of a small file answers at once: 200 with the job, or 422 problem+json listing
every problem as {row, column, message} (row 1 is the header). A bigger one answers 202 with the
job and a Location to poll. Only a job's owner sees it (404 to anyone else).
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from ninja import Router, Schema

from cbrnet import access
from cbrnet.api import PROBLEM, api, problem
from cbrnet.core import imports
from cbrnet.core.import_views import MaxSizeUploadHandler, job_context, too_large
from cbrnet.jobs import services
from cbrnet.jobs.models import Job, JobKind, JobStatus

imports_router = Router(tags=["Imports"])
jobs_router = Router(tags=["Jobs"])

MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "CSV (UTF-8) or XLSX"}
                    },
                }
            }
        },
    }
}


class ProblemOut(Schema):
    row: int | None
    column: str
    message: str


class JobOut(Schema):
    id: int
    kind: str
    target: str
    status: str
    phase: str
    finished: bool
    done: int
    total: int
    percent: int
    summary: dict[str, Any]
    problems: list[ProblemOut]
    message: str
    created: datetime
    finished_at: datetime | None
    links: dict[str, str]


class ColumnOut(Schema):
    name: str
    required: bool
    help: str
    example: str


class ImportSpecOut(Schema):
    name: str
    title: str
    description: str
    columns: list[ColumnOut]
    templates: dict[str, str]


class ExportIn(Schema):
    list: str
    format: str = "csv"
    query: str = ""


def job_out(job: Job) -> dict:
    context = job_context(job)
    links = {"self": reverse("api:job_read", args=[job.pk]), "page": job.get_absolute_url()}
    if job.kind == JobKind.IMPORT and job.status == JobStatus.READY:
        links["commit"] = reverse("api:job_commit", args=[job.pk])
    if job.kind == JobKind.EXPORT and job.status == JobStatus.DONE:
        links["result"] = reverse("api:job_result", args=[job.pk])
    return {
        "id": job.pk,
        "kind": job.kind,
        "target": job.target,
        "status": job.status,
        "phase": job.phase,
        "finished": job.is_finished,
        "done": context["done"],
        "total": context["total"],
        "percent": context["percent"],
        "summary": job.summary,
        "problems": job.errors,
        "message": job.message,
        "created": job.created,
        "finished_at": job.finished_at,
        "links": links,
    }


def _job_response(request, job: Job):
    """202 while the job waits or runs; 422 problem+json when the file has problems; else 200."""
    job.refresh_from_db()  # a step queued on commit may have run already (CBRNET_TASKS=immediate)
    body = job_out(job)
    if not job.is_finished:
        response = api.create_response(request, body, status=202)
        response["Location"] = body["links"]["self"]
        return response
    if job.status != JobStatus.INVALID:
        return api.create_response(request, body, status=200)
    count = job.summary.get("problem_count", len(job.errors))
    # RFC 9457 problem details, as cbrnet.api.problem builds them, with the job as an extension member.
    payload = {
        "type": "about:blank",
        "title": "Invalid file",
        "status": 422,
        "detail": f"{count} problem(s) found; nothing was imported. Correct the file and upload it again.",
        "errors": [{**item, "field": item.get("column") or None} for item in job.errors],
        "instance": request.path,
        "job": {"id": body["id"], "status": body["status"], "links": body["links"]},
    }
    response = api.create_response(request, payload, status=422)
    response["Content-Type"] = PROBLEM
    return response


@imports_router.get(
    "/",
    response=list[ImportSpecOut],
    operation_id="import_list",
    url_name="import_list",
    summary="List the imports you may run",
)
def import_list(request):
    result = []
    for name in imports.SPECS:
        spec = imports.get_spec(name)
        if not spec.may_import(request.user):
            continue
        result.append(
            {
                "name": spec.name,
                "title": spec.title,
                "description": spec.description,
                "columns": [
                    {"name": c.name, "required": c.required, "help": c.help, "example": c.example}
                    for c in spec.columns
                ],
                "templates": {
                    fmt: reverse("core:import_template", args=[spec.name, fmt])
                    for fmt in imports.FILE_FORMATS
                },
            }
        )
    return result


@imports_router.post(
    "/{spec}",
    response={200: JobOut, 202: JobOut},
    operation_id="import_check",
    url_name="import_check",
    summary="Upload a file and check it (dry run: nothing is written)",
    openapi_extra=MULTIPART_FILE,
)
def import_check(request, spec: str):
    if spec not in imports.SPECS:
        raise Http404
    if too_large(request):
        return problem(
            request,
            413,
            "File too large",
            f"The limit is {imports.megabytes(settings.IMPORT_MAX_BYTES)}; nothing was stored.",
        )
    try:
        request.upload_handlers.insert(0, MaxSizeUploadHandler(request))
    except AttributeError:
        pass  # the body was read already (session authentication checked the CSRF token in it)
    upload = request.FILES.get("file")
    if getattr(request, "import_too_large", False):
        return problem(
            request,
            413,
            "File too large",
            f"The limit is {imports.megabytes(settings.IMPORT_MAX_BYTES)}; nothing was stored.",
        )
    if upload is None:
        raise ValidationError({"file": ["Send the CSV or XLSX file as the multipart field 'file'."]})
    job = services.job_start_import(user=request.user, spec_name=spec, upload=upload)
    return _job_response(request, job)


@jobs_router.get(
    "/",
    response=list[JobOut],
    operation_id="job_list",
    url_name="job_list",
    summary="Your background jobs, newest first",
)
def job_list(request, limit: int = 50):
    jobs = access.restrict(Job.objects.all(), request.user).order_by("-created", "-pk")[
        : max(1, min(limit, 200))
    ]
    return [job_out(job) for job in jobs]


@jobs_router.get(
    "/{int:pk}",
    response=JobOut,
    operation_id="job_read",
    url_name="job_read",
    summary="Status, progress and report of a job",
)
def job_read(request, pk: int):
    return job_out(access.get_object_for(request.user, Job.objects.all(), "view", pk=pk))


@jobs_router.post(
    "/{int:pk}/commit",
    response={200: JobOut, 202: JobOut},
    operation_id="job_commit",
    url_name="job_commit",
    summary="Import a checked file: every row, or none",
)
def job_commit(request, pk: int):
    job = access.get_object_for(request.user, Job.objects.all(), "change", pk=pk)
    try:
        job = services.job_commit_start(user=request.user, job=job)
    except ValidationError as error:
        return problem(request, 409, "Conflict", " ".join(error.messages))
    return _job_response(request, job)


@jobs_router.get(
    "/{int:pk}/result",
    operation_id="job_result",
    url_name="job_result",
    summary="Download the file of a finished export",
)
def job_result(request, pk: int):
    job = access.get_object_for(request.user, Job.objects.all(), "view", pk=pk)
    if job.kind != JobKind.EXPORT or job.status != JobStatus.DONE or not job.result:
        raise Http404
    return FileResponse(
        job.result.open("rb"), as_attachment=True, filename=f"export-{job.pk}.{job.file_format}"
    )


@jobs_router.post(
    "/exports",
    response={202: JobOut},
    operation_id="job_export",
    url_name="job_export",
    summary="Export a list (by its URL name, e.g. registry:person_list) in the background",
)
def job_export(request, payload: ExportIn):
    if not access.may_add(request.user, Job):
        raise PermissionDenied("You may not start exports.")
    job = services.job_start_export(
        user=request.user, list_name=payload.list, query=payload.query, file_format=payload.format
    )
    return _job_response(request, job)
