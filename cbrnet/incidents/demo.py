"""Demo capabilities: a dozen fictional teams, modules, laboratories and experts of partner countries'
focal point offices and of the JRC (data/demo_capabilities.csv, ours; every name says "(demo)"),
loaded idempotently with the reference data so that the matching has something to rank.

Home bases are the capitals' coordinates; codes come from the taxonomy (docs/incidents.md).
"""

import csv
from pathlib import Path

from cbrnet.incidents.models import Capability, encode_list

DATA = Path(__file__).resolve().parent / "data" / "demo_capabilities.csv"


def load_capabilities(reference, report) -> dict[str, Capability]:
    """One Capability per CSV row whose organisation exists; unchanged rows are left untouched."""
    from cbrnet.registry.demo import split_list, upsert

    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    capabilities = {}
    for row in rows:
        organisation = reference.organisations.get(row["organisation"])
        if organisation is None:
            continue  # a partial reference load (tests) may lack it
        capabilities[row["key"]] = upsert(
            Capability,
            lookup={"organisation": organisation, "name": row["name"]},
            values={
                "kind": row["kind"],
                "codes": encode_list(split_list(row["codes"])),
                "country": organisation.country,
                "size": int(row["size"]),
                "readiness_hours": int(row["readiness_hours"]),
                "self_sufficiency_days": int(row["self_sufficiency_days"]),
                "base_name": row["base_name"],
                "base_latitude": float(row["base_latitude"]),
                "base_longitude": float(row["base_longitude"]),
                "languages": encode_list(split_list(row["languages"])),
                "status": row["status"],
                "description": "A fictional capability of the demo data set.",
            },
            report=report,
        )
    return capabilities
