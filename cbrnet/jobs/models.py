"""Background jobs: the record of one import or export that a user started, with its progress.

A job is the user's view of work done by a task (cbrnet.core.tasks): the task backend only knows
"queued, running, finished"; the job adds what the user needs — rows done out of the total, the
dry-run report, the file to download — and it outlives the task backend's own result store.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import NOTHING, Policy
from cbrnet.core.models import RestrictedQuerySet


class OwnerPolicy(Policy):
    """Records that belong to one user: the owner may do everything with them, nobody else anything.

    Not even platform administrators: a job's report and file hold rows of the owner's scope, and
    an administrator who needs them can run the same import or export.
    """

    def q(self, context, action, prefix=""):
        if not context.active or context.user_id is None:
            return NOTHING
        return Q(**{f"{prefix}owner_id": context.user_id})

    def may_add(self, context):
        return context.active


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    EXPORT = "export", _("Export")


class JobPhase(models.TextChoices):
    CHECK = "check", _("Checking the file")
    COMMIT = "commit", _("Saving the rows")
    EXPORT = "export", _("Writing the file")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for a worker")
    RUNNING = "running", _("Running")
    READY = "ready", _("Checked: ready to import")
    INVALID = "invalid", _("Problems found: nothing was imported")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (JobStatus.READY, JobStatus.INVALID, JobStatus.DONE, JobStatus.FAILED)


def new_token() -> str:
    return secrets.token_hex(16)


def _upload_path(job, filename):
    # The stored name never contains the user's file name (kept in `original_name` for display).
    return f"jobs/{job.owner_id}/upload-{job.token}.{job.file_format}"


def _result_path(job, filename):
    return f"jobs/{job.owner_id}/result-{job.token}.{job.file_format}"


class Job(models.Model):
    """One import or export run for a user: what it works on, how far it got, what it found or produced.

    Not audited: a job changes every second while it runs, and what it writes to the registry is
    audited row by row (source "import"). Uploaded files are deleted once they can no longer be
    committed; results are kept until `cbrnet jobs_prune` removes old jobs.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("owner")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    target = models.CharField(
        _("target"),
        max_length=100,
        help_text=_(
            "The import specification (e.g. 'people') or the exported list (e.g. 'registry:person_list')."
        ),
    )
    phase = models.CharField(_("phase"), max_length=10, choices=JobPhase.choices)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    token = models.CharField(max_length=32, unique=True, editable=False, default=new_token)
    file_format = models.CharField(_("file format"), max_length=4)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    upload = models.FileField(_("uploaded file"), upload_to=_upload_path, blank=True)
    upload_size = models.PositiveBigIntegerField(_("uploaded bytes"), default=0)
    result = models.FileField(_("result file"), upload_to=_result_path, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in total"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    access_policy = OwnerPolicy()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("background job")

    def __str__(self):
        return f"{self.get_kind_display()} {self.target} #{self.pk}"

    def get_absolute_url(self):
        return reverse("core:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 100 if self.is_finished else 0
        return min(100, (100 * self.done) // self.total)
