"""`cbrnet generate`: fill the database with synthetic organisations, people and experts for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from cbrnet.registry.generate import generate


class Command(BaseCommand):
    help = (
        "Add synthetic organisations, people and experts for benchmarks (loads the demo reference data first "
        "if it is missing). Rows are bulk-inserted: they bypass the per-row audit trail, and one summary "
        "audit entry on the EU CBRN CoE network records the run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=1000, help="People to create (default 1000).")
        parser.add_argument(
            "--experts", type=int, default=200, help="How many of them get an expert profile (default 200)."
        )
        parser.add_argument(
            "--organisations",
            type=int,
            default=None,
            help="Organisations to create (default: people / 50, at least 10).",
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random generator (default 1).")

    def handle(self, *args, people: int, experts: int, organisations: int | None, seed: int, **options):
        self.stdout.write(
            "Bulk insert: the generated rows bypass the per-row audit trail; one summary audit entry "
            "on the EU CBRN CoE network records this run."
        )
        try:
            report = generate(
                people=people,
                experts=experts,
                organisations=organisations,
                seed=seed,
                log=lambda message: (
                    self.stdout.write(f"  created {message}") if options["verbosity"] > 1 else None
                ),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in report.counts().items())
        self.stdout.write(self.style.SUCCESS(f"Generated in {report.seconds:.1f} s (seed {seed}): {counts}."))
