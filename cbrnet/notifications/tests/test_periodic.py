"""The scheduler (cbrnet.core.periodic, `cbrnet periodic`): each due task queued once per interval,
never twice, and again when the queue could not take it. Several processes at once: test_workers.py."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cbrnet.core import periodic
from cbrnet.notifications.models import PeriodicTaskRun

pytestmark = pytest.mark.django_db

DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RETRY = "cbrnet.notifications.tasks.outbox_retry"
OUTBOX = tuple(task for task in periodic.PERIODIC_TASKS if task.name == "notifications.outbox_retry")


def queued_tasks():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.filter(task_path=RETRY).values_list("id", flat=True))


def test_a_due_task_is_queued_once_per_interval(settings):
    settings.TASKS = DATABASE
    now = timezone.now()
    assert periodic.run_due(now=now, tasks=OUTBOX).queued == ["notifications.outbox_retry"]
    assert periodic.run_due(now=now, tasks=OUTBOX).queued == []
    assert periodic.run_due(now=now + datetime.timedelta(seconds=30), tasks=OUTBOX).queued == []
    assert len(queued_tasks()) == 1
    run = PeriodicTaskRun.objects.get(name="notifications.outbox_retry")
    assert run.last_enqueued_at == now and run.last_task_id == str(queued_tasks()[0])

    # A minute later (a second early is within the tolerance of cron's start-up jitter).
    assert periodic.run_due(now=now + datetime.timedelta(seconds=59), tasks=OUTBOX).queued == [
        "notifications.outbox_retry"
    ]
    assert len(queued_tasks()) == 2


def test_the_same_scheduler_step_twice_at_the_same_moment_queues_once(settings):
    settings.TASKS = DATABASE
    task = OUTBOX[0]
    now = timezone.now()
    assert [periodic.enqueue_if_due(task, now=now) for _ in range(3)] == [True, False, False]
    assert len(queued_tasks()) == 1


def test_when_the_queue_cannot_take_the_task_the_claim_is_rolled_back_and_tried_again(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "cbrnet.core.rq_backend.RQBackend",
            "OPTIONS": {"URL": "redis://127.0.0.1:1/0"},
        }
    }  # nothing listens there
    now = timezone.now()
    report = periodic.run_due(now=now, tasks=OUTBOX)
    assert (report.queued, report.failed) == ([], ["notifications.outbox_retry"])
    assert PeriodicTaskRun.objects.get(name="notifications.outbox_retry").last_enqueued_at is None
    with pytest.raises(CommandError, match="Could not queue: .*notifications.outbox_retry"):
        call_command("periodic", verbosity=0)

    settings.TASKS = DATABASE
    assert periodic.run_due(now=now, tasks=OUTBOX).queued == ["notifications.outbox_retry"]


def test_the_command_queues_what_is_due_and_lists_the_tasks(settings, capsys):
    settings.TASKS = DATABASE
    call_command("periodic", "--list")
    assert "notifications.outbox_retry  every 60 s  last queued never" in capsys.readouterr().out
    call_command("periodic")
    assert "notifications.outbox_retry" in capsys.readouterr().out
    call_command("periodic")
    assert "notifications.outbox_retry" not in capsys.readouterr().out
    call_command("periodic", "--list")
    assert "last queued 20" in capsys.readouterr().out
    assert len(queued_tasks()) == 1


def test_the_retry_task_sends_what_is_due(world, settings):
    from django.core import mail

    from cbrnet.notifications import services, tasks

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    services.notify(
        [world.nfp_kz], kind="system", title="Hello", body="", url=""
    )  # on_commit never runs here
    result = tasks.outbox_retry.enqueue()
    assert result.return_value == {"sent": 1, "retrying": 0, "failed": 0} and len(mail.outbox) == 1


def test_every_periodic_task_names_a_task_without_arguments():
    import inspect

    for task in periodic.PERIODIC_TASKS:
        assert not inspect.signature(task.get_task().func).parameters, task.name
        assert task.every >= datetime.timedelta(seconds=1)
