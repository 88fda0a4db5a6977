"""The capability taxonomy: what can be requested and offered in a CBRN incident.

Two levels, both read from data/ once per process:

- groups (data/capability_groups.csv, ours): detection and sampling, decontamination, medical
  response, radiation survey, forensics…, each naming its member codes;
- capability types (data/assistance_capabilities.csv, a verbatim copy of the shared reference file):
  the IAEA RANET capabilities, EU UCPM modules, rescEU capacities and the ASEAN expert directory.

A group code is a code too: a request may ask for "any decontamination capacity" (GRP-DECON) and a
capability may be registered at group level (GRP-FORENSICS has no framework module of its own). The
matching (cbrnet.incidents.matching) uses each code's parent to give credit for near fits.

Plain Python, no Django: the matching module and the benchmark use it outside a project.
"""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class CapabilityType:
    code: str
    name: str
    parent: str  # "" for a group
    domain: str = ""  # C;B;R;N letters or "all" (types only)
    source_framework: str = ""
    description: str = ""

    @property
    def is_group(self) -> bool:
        return not self.parent

    def __str__(self):
        return f"{self.code} — {self.name}"


@cache
def types() -> dict[str, CapabilityType]:
    """code -> CapabilityType: the groups first, each followed by its members, in file order."""
    with (DATA / "assistance_capabilities.csv").open(encoding="utf-8", newline="") as handle:
        leaves = {row["code"]: row for row in csv.DictReader(handle)}
    result: dict[str, CapabilityType] = {}
    placed = set()
    with (DATA / "capability_groups.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            result[row["code"]] = CapabilityType(row["code"], row["name"], "", description=row["description"])
            for member in filter(None, (part.strip() for part in row["members"].split(";"))):
                if member not in leaves:
                    raise ValueError(f"capability_groups.csv: {row['code']} names an unknown code {member}")
                if member in placed:
                    raise ValueError(f"capability_groups.csv: {member} is in two groups")
                leaf = leaves[member]
                result[member] = CapabilityType(
                    member,
                    leaf["name"],
                    row["code"],
                    leaf["domain"],
                    leaf["source_framework"],
                    leaf["description"],
                )
                placed.add(member)
    missing = set(leaves) - placed
    if missing:
        raise ValueError(f"capability_groups.csv: no group for {', '.join(sorted(missing))}")
    return result


def codes() -> list[str]:
    return list(types())


def get(code: str) -> CapabilityType | None:
    return types().get(code)


def name(code: str) -> str:
    found = types().get(code)
    return found.name if found else code


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a select: each group offers itself ("any …") and its members."""
    grouped = []
    for group in (item for item in types().values() if item.is_group):
        members = [
            (item.code, f"{item.code} — {item.name}")
            for item in types().values()
            if item.parent == group.code
        ]
        grouped.append((group.name, [(group.code, f"{group.code} — {group.name} (any)"), *members]))
    return grouped


def flat_choices() -> list[tuple[str, str]]:
    return [(item.code, str(item)) for item in types().values()]


def index() -> tuple[list[str], list[int]]:
    """(codes, parent index per code; -1 for a group): the arrays the matching works on."""
    all_codes = codes()
    position = {code: number for number, code in enumerate(all_codes)}
    return all_codes, [position[types()[code].parent] if types()[code].parent else -1 for code in all_codes]


def related(requested) -> set[str]:
    """Every code that can fit a request for `requested` (cbrnet.incidents.matching): each code, its
    group, and its group's members (or, for a group, its members)."""
    found = set()
    for code in requested:
        item = types().get(code)
        if item is None:
            continue
        group = code if item.is_group else item.parent
        found |= {code, group} | {other.code for other in types().values() if other.parent == group}
    return found
