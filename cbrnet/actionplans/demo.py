"""Demo National Action Plans: Uzbekistan's approved plan (objectives, actions with lead agencies,
indicators, progress reports, an action carried by Project 53) and Kazakhstan's plan in preparation,
loaded idempotently. Everything here is invented and says so in each plan's summary.

They need the demo population (national teams, focal points, the secretariat's login), so `load_demo`
loads them after it; lead agencies are chosen among the organisations the lead agency rule allows
(docs/actionplans.md). Written as the system, like every demo record: a second run writes nothing.
"""

import datetime
from decimal import Decimal

from cbrnet.actionplans.choices import ActionStatus, PlanStatus
from cbrnet.actionplans.models import Action, ActionPlan, Indicator, Objective, ProgressReport
from cbrnet.actionplans.selectors import eligible_lead_agencies

DEMO_NOTE = (
    "Demo record: an invented plan of the demo data set; it states nothing about the country's real plan."
)
UTC = datetime.UTC

# Lead agencies are picked by the first of these words found in an eligible organisation's name.
HEALTH, CUSTOMS, LABORATORY, CIVIL_PROTECTION, RADIATION = (
    "Health",
    "Customs",
    "Laboratory",
    "Civil Protection",
    "Radiation",
)

PLANS = [
    {
        "country": "UZ",
        "title": "National CBRN Action Plan of Uzbekistan 2024–2027",
        "summary": "Strengthens the legal framework, dual-use trade control and laboratory biosafety identified "
        "by the needs assessment.",
        "years": (2024, 2027),
        "status": PlanStatus.APPROVED,
        "submitted_at": datetime.datetime(2024, 5, 20, 9, 0, tzinfo=UTC),
        "approved_at": datetime.datetime(2024, 6, 14, 9, 0, tzinfo=UTC),
        "approved_by": "sec-ca",
        "status_note": "Approved at the 2024 round table of the Central Asia focal points.",
        "objectives": [
            (
                "legal-framework",
                "CBRN",
                "Strengthen the legal framework for CBRN risk mitigation",
                [
                    {
                        "title": "Review the biosafety and biosecurity legislation against international standards",
                        "lead": HEALTH,
                        "dates": ((2024, 3, 1), (2025, 6, 30)),
                        "budget": "40000.00",
                        "status": ActionStatus.COMPLETED,
                        "indicators": [
                            ("Draft amendments submitted to the government", "drafts", "0", "1", "1")
                        ],
                        "reports": [
                            (
                                (2025, 7, 1),
                                ActionStatus.COMPLETED,
                                100,
                                "The review was completed and the draft amendments were submitted.",
                            )
                        ],
                    },
                    {
                        "title": "Adopt a national control list of dual-use goods aligned with the EU list",
                        "lead": CUSTOMS,
                        "dates": ((2024, 9, 1), (2026, 12, 31)),
                        "budget": "60000.00",
                        "status": ActionStatus.IN_PROGRESS,
                        "indicators": [("Categories of the EU list covered", "categories", "0", "10", "6")],
                        "reports": [
                            (
                                (2025, 10, 15),
                                ActionStatus.IN_PROGRESS,
                                60,
                                "Six of the ten categories are drafted; customs officers were consulted.",
                            )
                        ],
                    },
                ],
            ),
            (
                "biosafety-biosecurity",
                "B",
                "Improve laboratory biosafety and biosecurity",
                [
                    {
                        "title": "Train laboratory staff in biosafety and biosecurity",
                        "lead": LABORATORY,
                        "dates": ((2024, 6, 1), (2027, 6, 30)),
                        "budget": "120000.00",
                        "status": ActionStatus.IN_PROGRESS,
                        "project": "P53",
                        "indicators": [("Laboratory staff trained", "people", "0", "150", "95")],
                        "reports": [
                            (
                                (2025, 11, 1),
                                ActionStatus.IN_PROGRESS,
                                55,
                                "Four courses held with Project 53; 95 staff trained so far.",
                            )
                        ],
                    },
                    {
                        "title": "Set up a national biorisk management committee",
                        "lead": HEALTH,
                        "dates": ((2026, 1, 1), (2027, 12, 31)),
                        "budget": None,
                        "status": ActionStatus.PLANNED,
                        "indicators": [],
                        "reports": [],
                    },
                ],
            ),
        ],
    },
    {
        "country": "KZ",
        "title": "National CBRN Action Plan of Kazakhstan 2026–2029",
        "summary": "In preparation by the national team: border control and mass-gathering preparedness first.",
        "years": (2026, 2029),
        "status": PlanStatus.DRAFT,
        "objectives": [
            (
                "border-control",
                "RN",
                "Strengthen detection at the borders",
                [
                    {
                        "title": "Equip border crossing points with radiation portal monitors",
                        "lead": CUSTOMS,
                        "dates": ((2026, 3, 1), (2028, 12, 31)),
                        "budget": "900000.00",
                        "status": ActionStatus.PLANNED,
                        "indicators": [("Crossing points equipped", "crossing points", "2", "12", None)],
                        "reports": [],
                    },
                ],
            ),
            (
                "mass-gatherings",
                "CB",
                "Prepare for CBRN incidents at mass gatherings",
                [
                    {
                        "title": "Run a table-top exercise on a chemical incident at a mass gathering",
                        "lead": CIVIL_PROTECTION,
                        "dates": ((2026, 9, 1), (2026, 11, 30)),
                        "budget": None,
                        "status": ActionStatus.PLANNED,
                        "indicators": [],
                        "reports": [],
                    },
                ],
            ),
        ],
    },
]


def _decimal(text: str | None) -> Decimal | None:
    # Stored values are compared with these on a second run: Decimals, so that nothing differs.
    return None if text is None else Decimal(text)


def _lead(country, word: str):
    """The eligible organisation whose name has `word`, else the first eligible one by name."""
    eligible = list(eligible_lead_agencies(country.pk).order_by("name", "pk"))
    return next(
        (organisation for organisation in eligible if word.lower() in organisation.name.lower()),
        eligible[0] if eligible else None,
    )


def load_action_plans(reference, report) -> dict[str, ActionPlan]:
    """The demo plans (title → plan); nothing for a country without its focal point in the records."""
    from cbrnet.accounts.models import User
    from cbrnet.projects.models import Project
    from cbrnet.registry.demo import EU_COE, sync_many, upsert

    network = reference.networks[EU_COE]
    loaded = {}
    for spec in PLANS:
        country = reference.countries[spec["country"]]
        if not eligible_lead_agencies(country.pk).exists():
            continue  # no focal point or team yet: the population was not loaded
        approved_by = User.objects.filter(username=spec.get("approved_by", "")).first()
        plan = upsert(
            ActionPlan,
            lookup={"country": country, "network": network, "title": spec["title"]},
            values={
                "summary": f"{spec['summary']}\n\n{DEMO_NOTE}",
                "start_year": spec["years"][0],
                "end_year": spec["years"][1],
                "status": spec["status"],
                "status_note": spec.get("status_note", ""),
                "submitted_at": spec.get("submitted_at"),
                "approved_at": spec.get("approved_at"),
                "approved_by": approved_by if spec.get("approved_at") else None,
            },
            report=report,
        )
        loaded[plan.title] = plan
        for order, (area, domains, title, actions) in enumerate(spec["objectives"], start=1):
            objective = upsert(
                Objective,
                lookup={"plan": plan, "order": order},
                values={
                    "title": title,
                    "thematic_area": reference.thematic_areas.get(area),
                    "domains": domains,
                },
                report=report,
            )
            for position, item in enumerate(actions, start=1):
                (start, end) = item["dates"]
                action = upsert(
                    Action,
                    lookup={"plan": plan, "objective": objective, "order": position},
                    values={
                        "title": item["title"],
                        "lead_agency": _lead(country, item["lead"]),
                        "start_date": datetime.date(*start),
                        "end_date": datetime.date(*end),
                        "budget": _decimal(item["budget"]),
                        "currency": "EUR" if item["budget"] else "",
                        "status": item["status"],
                    },
                    report=report,
                )
                project = Project.objects.filter(network=network, code=item.get("project", "")).first()
                if project is not None:
                    sync_many(action, "projects", [project], report)
                for name, unit, baseline, target, current in item["indicators"]:
                    upsert(
                        Indicator,
                        lookup={"action": action, "name": name},
                        values={
                            "unit": unit,
                            "baseline": _decimal(baseline),
                            "target": _decimal(target),
                            "current": _decimal(current),
                        },
                        report=report,
                    )
                for day, status, percent, narrative in item["reports"]:
                    upsert(
                        ProgressReport,
                        lookup={"action": action, "date": datetime.date(*day)},
                        values={"status": status, "percent_complete": percent, "narrative": narrative},
                        report=report,
                    )
    return loaded
