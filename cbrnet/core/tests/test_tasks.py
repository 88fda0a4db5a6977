"""The three task backends run cbrnet's tasks for real: database (worker in batch mode), RQ on Redis
(a SimpleWorker burst) and immediate; every task's writes are attributed to the user who started it.

The worker tests commit for real (transactional database): workers close and reopen database
connections between tasks, as they must in production.
"""

import os
import signal
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks import TaskResult, TaskResultStatus, task
from django.tasks.signals import task_finished, task_started

from cbrnet.core.models import AuditEntry
from cbrnet.core.tasks import acting_user, import_check, import_commit
from cbrnet.core.tests.test_imports import csv_bytes, kz_people
from cbrnet.jobs import services
from cbrnet.jobs.models import Job, JobStatus
from cbrnet.registry.models import Language, Person

# Workers commit for real; the audit chain's head row (created by a migration) is restored each time.
WORKER_TEST = pytest.mark.django_db(transaction=True, serialized_rollback=True)
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE_BACKEND = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@task
def add_language(user_id: int, code: str) -> int:
    """A task that writes an audited record (for the attribution tests)."""
    with acting_user(user_id):
        return Language.objects.create(code=code, name=code.upper()).pk


@task
def add(a: int, b: int) -> int:
    return a + b


@task
def fail() -> None:
    raise LookupError("this task fails on purpose")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def audit_of(instance):
    label = instance._meta.label_lower
    return AuditEntry.objects.get(model_label=label, object_id=str(instance.pk), action="create")


def queued_import(user, *names) -> Job:
    """An import job whose check is left to a worker (IMPORT_INLINE_MAX_BYTES is 0 in these tests)."""
    upload = SimpleUploadedFile("people.csv", csv_bytes(kz_people(*names)))
    return services.job_start_import(user=user, spec_name="people", upload=upload, inline=False)


@pytest.fixture
def keep_signal_handlers():
    """Workers install SIGINT/SIGTERM handlers; put pytest's back afterwards."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


# --- database backend (the default) --------------------------------------------------------------


@WORKER_TEST
def test_a_task_enqueued_on_the_database_backend_runs_when_the_worker_runs(
    world, settings, media, keep_signal_handlers
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_BACKEND
    job = queued_import(world.nfp_kz, ("Aliya", "Sarsen"))  # outside a transaction: enqueued at once
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.READY and result.task_path == "cbrnet.core.tasks.import_check"
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id == str(result.id)

    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    job.refresh_from_db()
    assert job.status == JobStatus.READY and (job.done, job.total) == (1, 1)

    services.job_commit_start(user=world.nfp_kz, job=job, inline=False)
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    entry = audit_of(Person.objects.get(family_name="Sarsen"))
    assert (entry.actor_id, entry.source, entry.request_id) == (world.nfp_kz.pk, "import", job.token)


@WORKER_TEST
def test_what_a_task_writes_is_attributed_to_its_user_with_source_task(world, settings, keep_signal_handlers):
    settings.TASKS = DATABASE_BACKEND
    add_language.enqueue(world.admin.pk, "kk")
    assert not Language.objects.filter(code="kk").exists()
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    entry = audit_of(Language.objects.get(code="kk"))
    assert (entry.actor_id, entry.actor_repr, entry.source) == (world.admin.pk, "admin", "task")


# --- immediate backend ---------------------------------------------------------------------------


def test_the_immediate_backend_runs_tasks_at_once(world, settings, media):
    settings.TASKS = IMMEDIATE_BACKEND
    result = add_language.enqueue(world.nfp_kz.pk, "ru")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert audit_of(Language.objects.get(pk=result.return_value)).source == "task"
    job = queued_import(world.nfp_kz, ("Aliya", "Sarsen"))
    import_check.enqueue(job.pk)  # what on_commit would do
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.percent == 100
    services.job_commit_start(user=world.nfp_kz, job=job, inline=False)
    import_commit.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and Person.objects.filter(family_name="Sarsen").exists()
    before = (Person.objects.count(), AuditEntry.objects.count())
    import_commit.enqueue(job.pk)  # a task delivered twice does nothing the second time
    import_check.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (Person.objects.count(), AuditEntry.objects.count()) == before


def test_a_job_whose_task_cannot_be_queued_fails_with_a_message(
    world, settings, media, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "cbrnet.core.rq_backend.RQBackend",
            "OPTIONS": {"URL": "redis://127.0.0.1:1/0"},
        }
    }  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        job = queued_import(world.nfp_kz, ("Aliya", "Sarsen"))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "could not be queued" in job.message
    assert not job.upload


def test_a_task_for_a_job_that_was_pruned_does_nothing(world, settings):
    settings.TASKS = IMMEDIATE_BACKEND
    assert import_check.enqueue(987654).return_value == {"job": 987654, "status": "missing"}


# --- RQ on Redis ---------------------------------------------------------------------------------


@pytest.fixture
def rq_backend(settings):
    """The RQ backend on the test Redis (CBRNET_TEST_REDIS_URL), with queues of its own."""
    url = os.environ.get("CBRNET_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CBRNET_TEST_REDIS_URL is not set, and CI must run the RQ tests.")
        pytest.skip("set CBRNET_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/15) to run the RQ backend tests")
    from django.tasks import task_backends

    prefix = f"test-{uuid.uuid4().hex[:12]}:"  # test runs and xdist workers share the Redis database
    settings.TASKS = {
        "default": {
            "BACKEND": "cbrnet.core.rq_backend.RQBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"URL": url, "JOB_TIMEOUT": 60, "QUEUE_PREFIX": prefix},
        }
    }
    backend = task_backends["default"]
    backend.connection.ping()
    yield backend
    queue = backend.queue("default")
    for job_id in queue.finished_job_registry.get_job_ids() + queue.failed_job_registry.get_job_ids():
        backend.connection.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    for registry in (queue.finished_job_registry, queue.failed_job_registry, queue.started_job_registry):
        backend.connection.delete(registry.key)
    queue.delete(delete_jobs=True)


def burst(backend):
    from rq import SimpleWorker

    worker = SimpleWorker([backend.queue("default")], connection=backend.connection)
    worker.work(burst=True, logging_level="WARNING")


@pytest.mark.redis
@WORKER_TEST
def test_rq_backend_enqueues_on_redis_and_an_rq_worker_runs_the_task(rq_backend, keep_signal_handlers):
    backend = rq_backend
    seen = []

    def remember(sender, task_result, **kwargs):
        seen.append((type(task_result), task_result.status))

    task_started.connect(remember)
    task_finished.connect(remember)
    try:
        result = add.enqueue(2, 3)
        assert isinstance(result, TaskResult) and result.status == TaskResultStatus.READY
        assert add.get_result(result.id).status == TaskResultStatus.READY
        assert backend.queue("default").count == 1
        burst(backend)
    finally:
        task_started.disconnect(remember)
        task_finished.disconnect(remember)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 5
    assert result.finished_at is not None and len(result.worker_ids) == 1
    assert seen == [(TaskResult, TaskResultStatus.RUNNING), (TaskResult, TaskResultStatus.SUCCESSFUL)]


@pytest.mark.redis
@WORKER_TEST
def test_rq_backend_reports_a_failed_task_with_its_exception(rq_backend, keep_signal_handlers):
    backend = rq_backend
    result = fail.enqueue()
    burst(backend)
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    (error,) = result.errors
    assert error.exception_class is LookupError and "this task fails on purpose" in error.traceback


@pytest.mark.redis
@WORKER_TEST
def test_an_import_runs_through_rq_and_the_rqworker_command(world, rq_backend, media, keep_signal_handlers):
    backend = rq_backend
    job = queued_import(world.nfp_kz, ("Aliya", "Sarsen"), ("Dana", "Bek"))
    assert backend.queue("default").count == 1
    call_command("rqworker", burst=True, simple=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.READY and (job.done, job.total) == (2, 2)
    assert import_check.get_result(job.task_id).status == TaskResultStatus.SUCCESSFUL
    services.job_commit_start(user=world.nfp_kz, job=job, inline=False)
    call_command("rqworker", "default", burst=True, simple=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    entry = audit_of(Person.objects.get(family_name="Bek"))
    assert (entry.actor_id, entry.source) == (world.nfp_kz.pk, "import")


def test_the_rqworker_command_refuses_other_backends(settings):
    from django.core.management.base import CommandError

    settings.TASKS = DATABASE_BACKEND
    with pytest.raises(CommandError, match="not the RQ backend"):
        call_command("rqworker", burst=True)
