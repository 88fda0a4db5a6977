"""`cbrnet periodic`: queue the periodic tasks that are due (cbrnet.core.periodic).

    cbrnet periodic                  queue what is due, once, and exit (cron: every minute)
    cbrnet periodic --every 60       do that every 60 seconds until stopped (beside the worker)
    cbrnet periodic --list           the periodic tasks and when each was last queued

Several schedulers may run at once: each task is queued once per interval whichever wins.
"""

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from cbrnet.core import periodic
from cbrnet.core.audit import audit_actor


def _seconds(text: str) -> int:
    import argparse

    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of seconds") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1 second")
    return number


class Command(BaseCommand):
    help = (
        "Queue the periodic tasks that are due, once (for cron or a systemd timer) or every --every seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=_seconds, metavar="SECONDS", help="Keep running, checking every SECONDS."
        )
        parser.add_argument(
            "--list",
            action="store_true",
            dest="show_list",
            help="List the periodic tasks and when each was last queued.",
        )

    def handle(self, *args, every=None, show_list=False, verbosity=1, **options):
        if show_list:
            runs = periodic.last_runs()
            for task in periodic.PERIODIC_TASKS:
                last = runs.get(task.name)
                when = f"{last:%Y-%m-%d %H:%M:%S}Z" if last else "never"
                self.stdout.write(
                    f"{task.name}  every {int(task.every.total_seconds())} s  last queued {when}"
                )
            return
        if every is None:
            failed = self.run_once(verbosity)
            if failed:
                raise CommandError(f"Could not queue: {', '.join(failed)} (is the task queue reachable?).")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))  # systemd stop: finish the round
        try:
            while not stopping:
                close_old_connections()
                try:
                    self.run_once(verbosity)
                except Exception as error:  # the database restarting must not end the loop
                    self.stderr.write(f"This round failed ({error}); trying again next round.")
                for _ in range(every * 10):
                    if stopping:
                        break
                    time.sleep(0.1)
        except KeyboardInterrupt:
            pass

    def run_once(self, verbosity) -> list[str]:
        with audit_actor(None, source="command"):
            report = periodic.run_due()
        if verbosity >= 1 and report.queued:
            self.stdout.write(f"Queued: {', '.join(report.queued)}")
        for name in report.failed:
            self.stderr.write(f"Could not queue {name}; trying again next round.")
        return report.failed
