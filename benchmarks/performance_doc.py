"""The one writer of docs/performance.md: each benchmark replaces its own section (from its "## "
heading to the next one), or adds it at the end, and leaves the others alone."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
HEADER = "# Performance\n\nBenchmarks are run by hand; each section says when, where and how.\n"


def write_section(heading: str, text: str, doc: Path = DOC) -> None:
    """Put `text` (which starts with `heading`, e.g. "## Fact sheet PDF") in place of that section."""
    current = doc.read_text(encoding="utf-8") if doc.exists() else HEADER
    section = text.rstrip("\n") + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _match: section + "\n", current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
