"""Demo projects: the CoE projects of cbrnet/registry/data/coe_projects.csv, loaded idempotently.

Implementers are matched to organisations through the `coe_project_aliases` column of
organisations.csv; a name no organisation claims (e.g. a named team leader) is kept in the
project's `source` text rather than invented as an organisation.
"""

import re

from cbrnet.projects.choices import ProjectStatus
from cbrnet.projects.models import Project

SOURCE = "coe_projects.csv (sources per project in cbrnet/registry/data/README.md)"


def _alias_index(read_csv, organisations) -> dict[str, object]:
    index = {}
    for row in read_csv("organisations.csv"):
        organisation = organisations.get(f"name:{row['name']}")
        for alias in filter(None, (part.strip() for part in row["coe_project_aliases"].split(";"))):
            index[alias] = organisation
    return index


def load_projects(reference, report) -> dict[str, Project]:
    """One Project per CSV row; regions, lead and implementers synchronised; unchanged rows untouched."""
    from cbrnet.registry.demo import EU_COE, read_csv, split_list, sync_many, upsert

    network = reference.networks[EU_COE]
    aliases = _alias_index(read_csv, reference.organisations)
    projects = {}
    for row in read_csv("coe_projects.csv"):
        implementers, lead, unmatched = [], None, []
        for entry in split_list(row["implementers"]):
            name = re.sub(r"\s*\(.*\)$", "", entry).strip()
            organisation = aliases.get(name)
            if organisation is None:
                unmatched.append(entry)
                continue
            implementers.append(organisation)
            if re.search(r"\b(lead|team leader)\b", entry):
                lead = organisation
        note = f"{SOURCE}." + (f" Also named as implementers: {'; '.join(unmatched)}." if unmatched else "")
        project = upsert(
            Project,
            lookup={"network": network, "code": row["code"]},
            values={
                "title": row["title"],
                "start_year": int(row["start_year"]) if row["start_year"] else None,
                "end_year": int(row["end_year"]) if row["end_year"] else None,
                "status": ProjectStatus(row["status"]),
                "lead_implementer": lead,
                "source": note,
            },
            report=report,
        )
        sync_many(project, "regions", [reference.regions[code] for code in split_list(row["regions"])], report)
        sync_many(project, "implementers", implementers, report)
        projects[row["code"]] = project
    return projects
