"""The demo data set: the networks' reference data and a fictional population, loaded idempotently.

`load_demo()` is what `cbrnet demo` runs. It has two parts:

* reference data (`load_reference_data`): the two networks, their regions, every ISO 3166-1 country,
  memberships, the eight CoE Regional Secretariats, thematic areas, the Central Asia regional
  priorities, languages and the organisations named by the sources. Facts come only from the CSV
  copies in `cbrnet/registry/data/` (never from /work/shared at run time); each record's `source`
  says where it comes from (see data/README.md).
* the fictional population (`load_demo_population`): demo organisations, the demo logins and about
  200 more people, built from `random.Random(DEMO_SEED)` so every run plans exactly the same rows.

Running it again changes nothing and writes no audit entries: every row is found by a natural key
and saved only when a value differs (each save of an audited model writes an audit entry).
"""

from __future__ import annotations

from django.db import transaction

from cbrnet.core.audit import audit_actor
from cbrnet.registry.demo.common import (
    AREA_DOMAINS,
    ASEAN_CBR,
    ASEAN_REGION,
    CERTIFICATIONS,
    DEMO_EXPERTS,
    DEMO_PASSWORD,
    DEMO_PEOPLE,
    DEMO_SEED,
    EMAIL_DOMAIN,
    EU_COE,
    PHONE_PREFIX,
    LoadReport,
    read_csv,
    split_list,
    sync_many,
    upsert,
)
from cbrnet.registry.demo.population import load_demo_population, name_pools, personas, plan_population
from cbrnet.registry.demo.reference import Reference, load_reference_data
from cbrnet.registry.models import Network

# --- Entry points ----------------------------------------------------------------------------------


def load_demo(*, include_population: bool = True, source: str = "command") -> LoadReport:
    """Load the reference data and (unless told not to) the fictional population, in one transaction.

    Changes are audited as made by the system from `source`; a second run writes nothing.
    """
    report = LoadReport()
    with audit_actor(None, source=source), transaction.atomic():
        reference = load_reference_data(report)
        from cbrnet.assessments.default_template import load_default_questionnaire  # the published NAQ 2024

        load_default_questionnaire(reference.networks[EU_COE], report)
        if include_population:
            load_demo_population(reference, report)
            # The surveillance demo builds on the population's ministries and logins.
            from cbrnet.surveillance.demo import load_surveillance

            load_surveillance(reference, report)
            from cbrnet.projects.demo import load_demo_participants  # synthetic people of the demo activities

            load_demo_participants(reference, report)
            from cbrnet.meetings.demo import load_meetings  # round tables of the demo focal points

            load_meetings(reference, report)
            from cbrnet.assessments.demo import load_assessments  # the demo countries' needs assessments

            load_assessments(reference, report)
            from cbrnet.actionplans.demo import load_action_plans  # NAPs of the demo focal points and teams

            load_action_plans(reference, report)
    return report


def ensure_reference_data(*, source: str = "command") -> Reference:
    """The reference records, loading them first if the networks are missing (for `cbrnet generate`)."""
    if Network.objects.filter(code__in=(EU_COE, ASEAN_CBR)).count() < 2:
        load_demo(include_population=False, source=source)
    return Reference.from_database()


def demo_logins() -> list[dict[str, str]]:
    """The demo logins as rows: username, password, role, scope (static: needs no database)."""
    return [
        {
            "username": persona.username,
            "password": DEMO_PASSWORD,
            "role": persona.role.value if persona.role else "-",
            "scope": persona.scope,
        }
        for persona in personas()
    ]


def format_logins_table() -> str:
    """The demo logins as a plain-text table."""
    rows = demo_logins()
    headers = {"username": "username", "password": "password", "role": "role", "scope": "scope"}
    widths = {key: max(len(headers[key]), *(len(row[key]) for row in rows)) for key in headers}
    lines = ["  ".join(headers[key].ljust(widths[key]) for key in headers).rstrip()]
    lines.append("  ".join("-" * widths[key] for key in headers))
    lines += ["  ".join(row[key].ljust(widths[key]) for key in headers).rstrip() for row in rows]
    return "\n".join(lines)


__all__ = [
    "AREA_DOMAINS",
    "ASEAN_CBR",
    "ASEAN_REGION",
    "CERTIFICATIONS",
    "DEMO_EXPERTS",
    "DEMO_PASSWORD",
    "DEMO_PEOPLE",
    "DEMO_SEED",
    "EMAIL_DOMAIN",
    "EU_COE",
    "LoadReport",
    "PHONE_PREFIX",
    "Reference",
    "demo_logins",
    "ensure_reference_data",
    "format_logins_table",
    "load_demo",
    "load_demo_population",
    "load_reference_data",
    "name_pools",
    "personas",
    "plan_population",
    "read_csv",
    "split_list",
    "sync_many",
    "upsert",
]
