"""`make bench`: run every benchmark with its defaults, one after the other; each writes its own section
of docs/performance.md. Name some to run only those: `python benchmarks/run.py incident_matching`."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The quick ones first; registry_load (PostgreSQL, 100,000 people, locust) last.
BENCHMARKS = (
    "detection_bench", "incident_matching", "assessment_scoring", "training_totals", "factsheet_pdf", "registry_load",
)


def main(names: list[str]) -> int:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for name in names or BENCHMARKS:
        print(f"=== {name} ===", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
