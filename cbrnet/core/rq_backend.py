"""A django.tasks backend that puts tasks on RQ queues in Redis; RQ workers run them.

RQ is the queue; this module only translates. `enqueue` creates an RQ job that calls `run_task`
below with the Task's import path and its JSON arguments; an RQ worker (`cbrnet rqworker`) picks
it up, and `run_task` finds the Task and calls it as Django's own backends do (context, signals).
`get_result` reads the RQ job back as a django.tasks TaskResult.

Why not django_tasks_rq: it is written for the django_tasks backport. Configured in Django 6's
TASKS it "works", but `@django.tasks.task` then builds the backport's Task class (the backend's
`task_class`), results are the backport's TaskResult and the signals sent are the backport's, so
nothing that checks for django.tasks types or listens to Django's task signals sees them.

Settings (TASKS["default"]["OPTIONS"]): URL (redis://…), JOB_TIMEOUT (seconds a task may run,
default 3600), RESULT_TTL (seconds RQ keeps a result, default a week) and QUEUE_PREFIX (prepended
to the RQ queue names, so that several sites or test runs can share one Redis; default none).
"""

import datetime
from traceback import format_exception

import redis
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db import close_old_connections
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskContext, TaskError, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from rq import Queue, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.results import Result

# What each RQ job status means in django.tasks terms (the rest are "ready": not started yet).
STATUS = {
    JobStatus.STARTED: TaskResultStatus.RUNNING,
    JobStatus.FINISHED: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
    JobStatus.STOPPED: TaskResultStatus.FAILED,
    JobStatus.CANCELED: TaskResultStatus.FAILED,
}
EXCEPTION_META_KEY = "exception_class_paths"  # RQ keeps only the traceback text; we keep the class too


def _aware(value: datetime.datetime | None) -> datetime.datetime | None:
    # RQ stores UTC; older versions hand back naive datetimes.
    if value is not None and timezone.is_naive(value):
        return value.replace(tzinfo=datetime.UTC)
    return value


class RQBackend(BaseTaskBackend):
    """Tasks on RQ: deferred tasks need a worker started with the scheduler (the default of
    `cbrnet rqworker`); priorities are not supported (RQ orders by queue, not by priority)."""

    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = False

    def __init__(self, alias, params):
        super().__init__(alias, params)
        self.url = self.options.get("URL")
        if not self.url:
            raise ImproperlyConfigured(f"TASKS[{alias!r}] uses the RQ backend but OPTIONS has no URL.")
        self.job_timeout = int(self.options.get("JOB_TIMEOUT", 3600))
        self.result_ttl = int(self.options.get("RESULT_TTL", 7 * 24 * 3600))
        self.prefix = self.options.get("QUEUE_PREFIX", "")
        self._connection = None

    @property
    def connection(self) -> redis.Redis:
        if self._connection is None:
            self._connection = redis.Redis.from_url(self.url)
        return self._connection

    def queue(self, name: str) -> Queue:
        """The RQ queue of a django.tasks queue name."""
        return Queue(self.prefix + name, connection=self.connection)

    def queue_name(self, job: Job) -> str:
        """The django.tasks queue name of an RQ job."""
        return job.origin.removeprefix(self.prefix)

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_string(32),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        # TaskResult has turned the arguments into JSON values: the worker gets exactly what the
        # database backend would store.
        job_args = (task.module_path, self.alias, result.args, result.kwargs)
        options = {"job_id": result.id, "result_ttl": self.result_ttl, "description": task.module_path}
        queue = self.queue(task.queue_name)
        if task.run_after is None:
            job = queue.enqueue_call(run_task, args=job_args, timeout=self.job_timeout, **options)
        else:
            job = queue.enqueue_at(
                task.run_after, run_task, *job_args, job_timeout=self.job_timeout, **options
            )
        object.__setattr__(result, "enqueued_at", _aware(job.enqueued_at) or timezone.now())
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id):
        try:
            job = Job.fetch(str(result_id), connection=self.connection)
        except NoSuchJobError:
            raise TaskResultDoesNotExist(result_id) from None
        return self.result_from_job(job)

    def result_from_job(self, job: Job) -> TaskResult:
        """The django.tasks view of an RQ job created by `enqueue`."""
        task_path, alias, args, kwargs = job.args
        task = _task_at(task_path).using(queue_name=self.queue_name(job), backend=alias)
        status = STATUS.get(job.get_status(), TaskResultStatus.READY)
        runs = job.results()  # newest first
        exception_paths = list(job.meta.get(EXCEPTION_META_KEY, []))
        errors = []
        for run in reversed(runs):
            if run.type == Result.Type.FAILED:
                path = exception_paths.pop(0) if exception_paths else "builtins.Exception"
                errors.append(TaskError(exception_class_path=path, traceback=run.exc_string or ""))
        result = TaskResult(
            task=task,
            id=job.id,
            status=status,
            enqueued_at=_aware(job.enqueued_at),
            started_at=_aware(job.started_at),
            last_attempted_at=_aware(job.started_at),
            finished_at=_aware(job.ended_at),
            args=args,
            kwargs=kwargs,
            backend=alias,
            errors=errors,
            worker_ids=[run.worker_name for run in reversed(runs) if run.worker_name],
        )
        if status == TaskResultStatus.SUCCESSFUL and runs:
            object.__setattr__(result, "_return_value", runs[0].return_value)
        return result


def _task_at(path: str) -> Task:
    task = import_string(path)
    if not isinstance(task, Task):
        raise SuspiciousOperation(f"{path} is not a task (decorate it with django.tasks.task).")
    return task


def run_task(task_path: str, backend_alias: str, args: list, kwargs: dict):
    """What an RQ worker calls: find the Task and run it as Django's backends do.

    Database connections are closed before and after, as around a request: a worker lives for
    days and each job may run in a freshly forked process.
    """
    job = get_current_job()
    backend = task_backends[backend_alias]
    task = _task_at(task_path).using(queue_name=backend.queue_name(job), backend=backend_alias)
    result = backend.result_from_job(job)
    object.__setattr__(result, "status", TaskResultStatus.RUNNING)
    object.__setattr__(result, "started_at", result.started_at or timezone.now())
    close_old_connections()
    task_started.send(type(backend), task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
        value = normalize_json(value)
    except BaseException as error:
        kind = type(error)
        job.meta.setdefault(EXCEPTION_META_KEY, []).append(f"{kind.__module__}.{kind.__qualname__}")
        job.save_meta()
        result.errors.append(
            TaskError(
                exception_class_path=job.meta[EXCEPTION_META_KEY][-1],
                traceback="".join(format_exception(error)),
            )
        )
        object.__setattr__(result, "status", TaskResultStatus.FAILED)
        object.__setattr__(result, "finished_at", timezone.now())
        task_finished.send(type(backend), task_result=result)
        raise
    finally:
        close_old_connections()
    object.__setattr__(result, "status", TaskResultStatus.SUCCESSFUL)
    object.__setattr__(result, "finished_at", timezone.now())
    object.__setattr__(result, "_return_value", value)
    task_finished.send(type(backend), task_result=result)
    return value
