"""Periodic work: the tasks to queue every so often, and the scheduler step that queues those due.

There is no scheduler daemon: `cbrnet periodic` (from cron or a systemd timer, or looping with
`--every 60` beside the worker) queues each task that is due through the task backend, and the
worker runs it. When each task was last queued is stored in the database (a row per task), and only
the scheduler whose conditional update of that row succeeds queues it, so two schedulers (two
machines, or cron plus a loop) never queue a task twice in one interval. Their clocks must agree
within the tolerance below (run NTP, as the deployment guide does).

Adding one: a `django.tasks` task that takes no arguments, and a line in PERIODIC_TASKS.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: datetime.timedelta
    task: str  # dotted path of a django.tasks Task that takes no arguments

    def get_task(self):
        return import_string(self.task)

    @property
    def tolerance(self) -> datetime.timedelta:
        """Queued this much early at most: cron starts a command a second or two late or early, and a
        task due "in 200 ms" should not wait a whole interval."""
        return min(self.every / 10, datetime.timedelta(seconds=10))


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    # E-mails to retry after a failure, whose task was lost, or whose worker died (docs/notifications.md).
    PeriodicTask(
        "notifications.outbox_retry", datetime.timedelta(minutes=1), "cbrnet.notifications.tasks.outbox_retry"
    ),
    # Incident announcements whose task was lost or whose worker died (cbrnet.incidents.tasks).
    PeriodicTask(
        "incidents.announcements_pending", datetime.timedelta(minutes=1), "cbrnet.incidents.tasks.announcements_pending"
    ),
    # Outbreak detection on series with new or corrected counts, and on every series once a week
    # (docs/surveillance.md, "Detection runs").
    PeriodicTask("surveillance.detect_all", datetime.timedelta(hours=1), "cbrnet.surveillance.tasks.detect_all"),
)


@dataclass
class SchedulerReport:
    queued: list[str]
    failed: list[str]


def run_due(*, now: datetime.datetime | None = None, tasks=PERIODIC_TASKS) -> SchedulerReport:
    """Queue every periodic task that is due, once; return which were queued and which could not be."""
    report = SchedulerReport(queued=[], failed=[])
    for periodic in tasks:
        try:
            if enqueue_if_due(periodic, now=now or timezone.now()):
                report.queued.append(periodic.name)
        except Exception:
            # The queue is unreachable: the claim was rolled back, so the next run tries again.
            logger.exception("periodic task %s could not be queued", periodic.name)
            report.failed.append(periodic.name)
    return report


def enqueue_if_due(periodic: PeriodicTask, *, now: datetime.datetime) -> bool:
    """Queue `periodic` if its interval has passed since it was last queued by anyone; True if queued."""
    from cbrnet.notifications.models import PeriodicTaskRun

    PeriodicTaskRun.objects.get_or_create(name=periodic.name)
    cutoff = now - periodic.every + periodic.tolerance
    with transaction.atomic():
        # The conditional update is the lock: a second scheduler's update waits for this one (row
        # lock on PostgreSQL, one writer at a time on SQLite), then finds the new time and matches nothing.
        won = PeriodicTaskRun.objects.filter(
            Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=cutoff), name=periodic.name
        ).update(last_enqueued_at=now)
        if not won:
            return False
        # Queued inside the transaction: with the database backend both commit or neither does; with
        # RQ a failure to queue rolls the claim back.
        result = periodic.get_task().enqueue()
        PeriodicTaskRun.objects.filter(name=periodic.name).update(last_task_id=str(result.id)[:64])
    return True


def last_runs() -> dict[str, datetime.datetime | None]:
    """When each periodic task was last queued (None: never)."""
    from cbrnet.notifications.models import PeriodicTaskRun

    stored = dict(PeriodicTaskRun.objects.values_list("name", "last_enqueued_at"))
    return {periodic.name: stored.get(periodic.name) for periodic in PERIODIC_TASKS}
