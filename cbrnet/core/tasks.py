"""Background entry points (django.tasks): each one loads its job and runs the step as the job's owner.

Every task enters `audit_actor(owner, source="task")`, so whatever it writes is attributed to the
person who started it; the rows an import writes are recorded with source "import" (the import
engine enters that context itself). Tasks take only JSON values (a job id): the database backend
stores them, RQ ships them to another machine.
"""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.tasks import task

from cbrnet.core.audit import audit_actor


@contextmanager
def acting_user(user_id: int | None, *, request_id: str | None = None):
    """Attribute what a task writes to the user who started it (source "task"); yields the user."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    with audit_actor(user, source="task", request_id=request_id):
        yield user


def _run(job_id: int, step: str) -> dict:
    from cbrnet.jobs import services
    from cbrnet.jobs.models import Job

    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return {"job": job_id, "status": "missing"}  # deleted (pruned) before a worker reached it
    with acting_user(job.owner_id, request_id=job.token):
        job = services.STEPS[step](job=job)
    return {"job": job.pk, "status": job.status, "done": job.done, "total": job.total}


@task
def import_check(job_id: int) -> dict:
    """Dry-run an uploaded import file (cbrnet.jobs.services.job_check)."""
    return _run(job_id, "import_check")


@task
def import_commit(job_id: int) -> dict:
    """Import the rows of a checked file (cbrnet.jobs.services.job_commit)."""
    return _run(job_id, "import_commit")


@task
def export_write(job_id: int) -> dict:
    """Write the file of a background export (cbrnet.jobs.services.job_export)."""
    return _run(job_id, "export_write")
