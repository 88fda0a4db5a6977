"""Every write to background jobs: start an import or an export, check, commit, write, report progress.

The `job_check`, `job_commit` and `job_export` steps run either within the request (small files,
CBRNET_TASKS=immediate) or in a worker through the tasks of cbrnet.core.tasks; they are the same
functions either way.

Unlike most services, the long steps do not run in one transaction of their own: the job row must
show progress while they run, so it is updated outside the work's transactions. A commit writes its
rows in one transaction, which other connections cannot see into (and SQLite lets only one
connection write), so while it runs its progress is published in a small file of the job's storage,
which the web server and the workers share anyway for uploads and results.
"""

import datetime
import io
import logging
import tempfile
import time
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from cbrnet import access
from cbrnet.core import imports
from cbrnet.core.exports import EXPORT_FORMATS, export_rows, write_csv, write_xlsx
from cbrnet.jobs.models import Job, JobKind, JobPhase, JobStatus

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes


def job_start_import(*, user, spec_name: str, upload, inline: bool | None = None) -> Job:
    """Store an uploaded file as a new import job and check it: now when it is small (or `inline`),
    else in a worker. Raises ValidationError (bad file name or size) or PermissionDenied."""
    try:
        spec = imports.get_spec(spec_name)
    except LookupError as error:
        raise ValidationError({"spec": str(error)}) from None
    if not spec.may_import(user):
        raise PermissionDenied(f"You may not import {spec.title.lower()}.")
    if upload is None:
        raise ValidationError({"file": "Choose a CSV or XLSX file to upload."})
    try:
        imports.check_size(upload.size)
        head = upload.read(8)
        upload.seek(0)
        file_format = imports.detect_format(head)
    except imports.ImportFileError as error:
        raise ValidationError({"file": str(error)}) from None
    job = Job(
        owner=user,
        kind=JobKind.IMPORT,
        target=spec.name,
        phase=JobPhase.CHECK,
        file_format=file_format,
        original_name=(upload.name or "")[-200:],
        upload_size=upload.size,
    )
    job.full_clean(exclude=["upload", "result"])
    with transaction.atomic():
        job.save()
        job.upload.save(f"upload.{file_format}", upload, save=True)
    return _run_or_enqueue(job, "import_check", inline)


def job_commit_start(*, user, job: Job, inline: bool | None = None) -> Job:
    """Confirm a checked import: it is saved now (small files) or by a worker. Only the owner may,
    and only once: a second confirmation is refused with a ValidationError."""
    if job.owner_id != user.pk:
        raise PermissionDenied("Only the person who uploaded this file may import it.")
    moved = Job.objects.filter(pk=job.pk, kind=JobKind.IMPORT, status=JobStatus.READY).update(
        status=JobStatus.QUEUED, phase=JobPhase.COMMIT, done=0, updated=timezone.now()
    )
    if not moved:
        raise ValidationError(
            "This import is not waiting for confirmation: it was imported already or has problems."
        )
    job.refresh_from_db()
    return _run_or_enqueue(job, "import_commit", inline)


def job_start_export(*, user, list_name: str, query: str, file_format: str) -> Job:
    """Export a list (by its URL name, e.g. "registry:person_list", with the list's filters as a query
    string) into a file, in a worker. The rows are those the access engine lets the user export."""
    if file_format not in EXPORT_FORMATS:
        raise ValidationError({"format": f"Use one of: {', '.join(EXPORT_FORMATS)}."})
    queryset, _fields, _model = _export_source(list_name, query, user)
    total = access.restrict(queryset, user, "export").count()
    job = Job(
        owner=user,
        kind=JobKind.EXPORT,
        target=list_name,
        phase=JobPhase.EXPORT,
        file_format=file_format,
        params={"query": query},
        total=total,
    )
    job.full_clean(exclude=["upload", "result"])
    job.save()
    return _run_or_enqueue(job, "export_write", inline=False)


def _run_or_enqueue(job: Job, task_name: str, inline: bool | None) -> Job:
    """Run a step now, or queue its task once the job row is committed (a worker must find it)."""
    if inline is None:
        inline = job.kind == JobKind.IMPORT and job.upload_size <= settings.IMPORT_INLINE_MAX_BYTES
    if inline:
        return STEPS[task_name](job=job)
    from cbrnet.core import tasks

    def enqueue():
        try:
            result = getattr(tasks, task_name).enqueue(job.pk)
        except Exception:  # the queue is down (Redis unreachable…): say so on the job page
            logger.exception("job %s could not be queued", job.pk)
            _fail(
                job,
                "The job could not be queued (the task queue is not reachable); nothing was done. "
                "Try again later, or tell the administrators of this site.",
            )
            return
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

    transaction.on_commit(enqueue)
    return job


# --- the steps -----------------------------------------------------------------------------------


def job_check(*, job: Job) -> Job:
    """Dry-run an import: every problem by row and column; nothing is written."""
    return _import_step(job, commit=False)


def job_commit(*, job: Job) -> Job:
    """Import the rows of a checked file, all of them or (on any problem) none."""
    return _import_step(job, commit=True)


def _import_step(job: Job, *, commit: bool) -> Job:
    if not _claim(job, JobPhase.COMMIT if commit else JobPhase.CHECK):
        return job
    progress = Progress(job, live_file=commit)
    try:
        spec = imports.get_spec(job.target)
        with job.upload.open("rb") as handle:
            data = handle.read()
        report = imports.run_import(
            spec=spec,
            user=job.owner,
            data=data,
            file_format=job.file_format,
            commit=commit,
            progress=progress,
            request_id=job.token,
        )
    except PermissionDenied as error:
        return _fail(job, str(error))
    except Exception:
        logger.exception("import job %s failed", job.pk)
        return _fail(
            job,
            "The import stopped on an unexpected error; nothing was imported. The administrators "
            "can see the details in the server log.",
        )
    finally:
        progress.forget()
    job.summary = report.summary()
    job.errors = [problem.as_dict() for problem in report.problems]
    job.total = job.done = report.rows
    if report.ok:
        job.status = JobStatus.DONE if commit else JobStatus.READY
    else:
        job.status = JobStatus.INVALID
        if commit:
            job.message = (
                "Nothing was imported: the rows below no longer pass (the registry changed since the check)."
            )
    return _finish(job)


def job_export(*, job: Job) -> Job:
    """Write the export file of a job, through the access engine, as the job's owner."""
    if not _claim(job, JobPhase.EXPORT):
        return job
    progress = Progress(job)
    try:
        queryset, fields, model = _export_source(job.target, job.params.get("query", ""), job.owner)
        job.total = access.restrict(queryset, job.owner, "export").count()
        Job.objects.filter(pk=job.pk).update(total=job.total)

        def counted(rows):
            for index, row in enumerate(rows):
                if index:  # the first row is the header
                    progress(index, job.total)
                yield row

        rows = counted(export_rows(queryset, job.owner, fields))
        with tempfile.TemporaryFile() as handle:
            if job.file_format == "csv":
                text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
                write_csv(rows, text)
                text.flush()
                text.detach()
            else:
                write_xlsx(rows, handle, title=model._meta.model_name)
            handle.seek(0)
            job.result.save(f"export.{job.file_format}", File(handle), save=False)
    except (PermissionDenied, ValidationError) as error:
        return _fail(job, " ".join(getattr(error, "messages", [str(error)])))
    except Exception:
        logger.exception("export job %s failed", job.pk)
        return _fail(
            job,
            "The export stopped on an unexpected error. The administrators can see the details in the "
            "server log.",
        )
    job.done = job.total
    job.summary = {"rows": job.total}
    job.status = JobStatus.DONE
    return _finish(job)


STEPS = {"import_check": job_check, "import_commit": job_commit, "export_write": job_export}


def _export_source(list_name: str, query: str, user):
    """The filtered queryset, export fields and model of a list page named by its URL name."""
    from cbrnet.core.generic import ObjectListView

    try:
        view_class = getattr(resolve(reverse(list_name)).func, "view_class", None)
    except NoReverseMatch:
        view_class = None
    if view_class is None or not issubclass(view_class, ObjectListView) or not view_class.export_fields:
        raise ValidationError({"list": f"{list_name!r} is not a list that can be exported."})
    view = view_class()
    base = view.get_queryset()
    filterset = view_class.filterset_class(
        QueryDict(query), queryset=base, request=SimpleNamespace(user=user)
    )
    if not filterset.is_valid():
        raise ValidationError(
            {"query": [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]}
        )
    return filterset.qs, list(view_class.export_fields), view_class.model


# --- state changes -------------------------------------------------------------------------------


def _claim(job: Job, phase: str) -> bool:
    """Move a queued job to running; False when it is not queued for this phase (a task delivered
    twice, or a step already done), so that a step never runs twice."""
    claimed = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED, phase=phase).update(
        status=JobStatus.RUNNING, done=0, message="", updated=timezone.now()
    )
    job.refresh_from_db()
    return bool(claimed)


def _fail(job: Job, message: str) -> Job:
    job.status = JobStatus.FAILED
    job.message = message
    return _finish(job)


def _finish(job: Job) -> Job:
    job.finished_at = timezone.now()
    if job.status != JobStatus.READY and job.upload:
        # Only a checked file waiting for confirmation is still needed: the rest is personal data.
        job.upload.delete(save=False)
    job.save()
    return job


class Progress:
    """Called with (done, total) after every row; writes at most every PROGRESS_INTERVAL seconds.
    With `live_file` (inside a commit's transaction) it writes the job's progress file instead."""

    def __init__(self, job: Job, *, live_file: bool = False):
        self.job = job
        self.live_file = live_file
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        self.job.done, self.job.total = done, total
        if self.live_file:
            name = progress_file_name(self.job)
            default_storage.delete(name)
            default_storage.save(name, ContentFile(f"{done} {total}".encode()))
        else:
            Job.objects.filter(pk=self.job.pk).update(done=done, total=total, updated=timezone.now())

    def forget(self) -> None:
        if self.live_file:
            default_storage.delete(progress_file_name(self.job))


def progress_file_name(job: Job) -> str:
    return f"jobs/{job.owner_id}/progress-{job.token}.txt"


def live_progress(job: Job) -> tuple[int, int]:
    """(done, total) of a job, from its progress file while a commit runs, else from the row."""
    if job.status == JobStatus.RUNNING and job.phase == JobPhase.COMMIT:
        try:
            with default_storage.open(progress_file_name(job)) as handle:
                done, total = (int(part) for part in handle.read().split())
            return done, total
        except (OSError, ValueError):
            pass  # not written yet, or being rewritten: the row's numbers will do
    return job.done, job.total


def job_prune(*, older_than: datetime.timedelta) -> int:
    """Delete jobs (and their files) created longer ago than `older_than`; returns how many."""
    count = 0
    for job in Job.objects.filter(created__lt=timezone.now() - older_than).iterator():
        for stored in (job.upload, job.result):
            if stored:
                stored.delete(save=False)
        default_storage.delete(progress_file_name(job))
        job.delete()
        count += 1
    return count
