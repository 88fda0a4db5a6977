"""`cbrnet jobs_prune`: delete old background jobs with their uploaded and result files (personal data)."""

import datetime

from django.core.management.base import BaseCommand

from cbrnet.core.audit import audit_actor
from cbrnet.jobs.services import job_prune


class Command(BaseCommand):
    help = "Delete background jobs older than --days (default 30), with their uploaded and result files."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30, help="Keep jobs younger than this many days.")

    def handle(self, *args, days, **options):
        with audit_actor(None, source="command"):
            count = job_prune(older_than=datetime.timedelta(days=max(days, 0)))
        self.stdout.write(f"{count} job(s) deleted.")
