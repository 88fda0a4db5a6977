"""`cbrnet rqworker`: run an RQ worker for the queues of the RQ task backend (CBRNET_TASKS=rq)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from rq import SimpleWorker, Worker

from cbrnet.core.rq_backend import RQBackend


class Command(BaseCommand):
    help = (
        "Run an RQ worker for the task queues of the RQ backend (set CBRNET_TASKS=rq and CBRNET_REDIS_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "queues", nargs="*", help="Queues to work on (default: every queue of the backend)."
        )
        parser.add_argument(
            "--backend", default=DEFAULT_TASK_BACKEND_ALIAS, help="The TASKS alias (default: %(default)s)."
        )
        parser.add_argument("--burst", action="store_true", help="Run the queued tasks, then exit.")
        parser.add_argument("--max-jobs", type=int, default=None, help="Exit after this many tasks.")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not move deferred tasks (run_after) to their queue when they are due.",
        )
        parser.add_argument(
            "--simple",
            action="store_true",
            help="Run tasks in this process instead of a forked one (debugging, platforms without fork).",
        )
        parser.add_argument("--name", default=None, help="Worker name (default: generated).")

    def handle(
        self, *args, queues, backend, burst, max_jobs, no_scheduler, simple, name, verbosity, **options
    ):
        rq_backend = task_backends[backend]
        if not isinstance(rq_backend, RQBackend):
            raise CommandError(f"The task backend {backend!r} is not the RQ backend; set CBRNET_TASKS=rq.")
        names = queues or sorted(rq_backend.queues)
        unknown = sorted(set(names) - rq_backend.queues)
        if unknown:
            known = ", ".join(sorted(rq_backend.queues))
            raise CommandError(f"Unknown queue(s) {', '.join(unknown)}; the backend has {known}.")
        worker_class = SimpleWorker if simple else Worker
        worker = worker_class(
            [rq_backend.queue(queue) for queue in names], connection=rq_backend.connection, name=name
        )
        # A forked work horse must not share the parent's database connection.
        connections.close_all()
        worker.work(
            burst=burst,
            max_jobs=max_jobs,
            with_scheduler=not no_scheduler,
            logging_level={0: "WARNING", 1: "INFO"}.get(verbosity, "DEBUG"),
        )
