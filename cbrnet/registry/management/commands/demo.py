"""`cbrnet demo`: load the demo data set; `cbrnet demo --logins`: print the demo logins."""

import time

from django.core.management.base import BaseCommand

from cbrnet.registry.demo import format_logins_table, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data set (reference data of the EU CBRN CoE and the ASEAN CBR Network, and fictional "
        "people with demo logins). Safe to run again: unchanged rows are not rewritten. With --logins, only "
        "print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins",
            action="store_true",
            help="Only print the demo logins (username, password, role, scope).",
        )

    def handle(self, *args, logins: bool = False, **options):
        if logins:
            self.stdout.write(format_logins_table())
            return
        started = time.perf_counter()
        report = load_demo(source="command")
        elapsed = time.perf_counter() - started
        if options["verbosity"] > 1:
            self.stdout.write(report.summary())
        created, changed = sum(report.created.values()), sum(report.changed.values())
        if report.wrote_anything:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded in {elapsed:.1f} s: {created} records created, {changed} changed."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data already up to date ({elapsed:.1f} s); nothing written.")
            )
        self.stdout.write("Run `cbrnet demo --logins` for the demo logins.")
