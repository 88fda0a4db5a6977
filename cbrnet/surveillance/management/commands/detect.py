"""`cbrnet detect` judges weekly counts from a CSV file with one outbreak-detection method.

    cbrnet detect --method farrington_flexible --input counts.csv --output alarms.csv \\
        [--weeks 52] [--alpha 0.05]

Input columns series,date,count (date = the Monday starting the week); output columns
series,date,count,threshold,alarm for the last --weeks weeks of every series. The methods and the
CSV contract are documented in docs/surveillance.md. Invalid input lists every problem by line and
field, exits non-zero and writes nothing.
"""

import argparse

from django.core.management.base import BaseCommand, CommandError

from cbrnet.surveillance.detection import METHODS
from cbrnet.surveillance.detection.cli import DetectInputError, run_detect


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _probability(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 < number < 1.0:
        raise argparse.ArgumentTypeError("must lie strictly between 0 and 1")
    return number


class Command(BaseCommand):
    help = "Judge weekly counts (CSV series,date,count) with an outbreak-detection method."

    def add_arguments(self, parser):
        parser.add_argument("--method", required=True, choices=sorted(METHODS), help="detection method")
        parser.add_argument("--input", required=True, help="input CSV: series,date,count")
        parser.add_argument("--output", required=True, help="output CSV: series,date,count,threshold,alarm")
        parser.add_argument(
            "--weeks", type=_positive, default=52, help="judge the last N weeks of each series (default 52)"
        )
        parser.add_argument(
            "--alpha", type=_probability, default=None, help="override the method's alpha (not for cusum)"
        )

    def handle(self, *args, **options):
        try:
            run_detect(
                options["method"],
                options["input"],
                options["output"],
                weeks=options["weeks"],
                alpha=options["alpha"],
            )
        except DetectInputError as error:  # bad input: every problem by line and field, nothing written
            raise CommandError(str(error)) from error
        except ValueError as error:  # a parameter the method does not take, e.g. --alpha for cusum
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Wrote {options['output']} ({options['method']}, last {options['weeks']} weeks)."
            )
