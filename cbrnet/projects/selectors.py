"""Reads that span relations: training totals, the pipeline, uncovered priorities, the project and
activity pages. Always take the user."""

import datetime
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cbrnet import access
from cbrnet.projects.choices import (
    ACTIVE_STATUSES,
    ATTENDED,
    PIPELINE,
    PIPELINE_STATUSES,
    TRAINED_ROLES,
    ActivityKind,
    ActivityStatus,
    Attendance,
    ParticipantRole,
    ProjectOrigin,
    ProjectStatus,
    TotalsDimension,
)
from cbrnet.projects.models import Activity, Participation, Project
from cbrnet.registry.choices import Gender
from cbrnet.registry.models import Country, Membership, Region, RegionalPriority, ThematicArea

# --- training totals -----------------------------------------------------------------------------


# The region of a participant: the current membership of the participant's country in the network of
# the activity's project (a country can be in regions of several networks; one current membership per
# network). A join, not a subquery per row: 200,000 correlated subqueries took seconds.
REGION_MEMBERSHIP = FilteredRelation(
    "activity__project__network__memberships",
    condition=Q(activity__project__network__memberships__until__isnull=True)
    & Q(activity__project__network__memberships__country_id=F("country_id")),
)
# PostgreSQL sorts for COUNT(DISTINCT …); the default 4 MB of working memory spills 200,000 rows to disk.
REPORT_WORK_MEM = "64MB"

GROUP_EXPRESSIONS = {
    TotalsDimension.COUNTRY: lambda: F("country_id"),
    TotalsDimension.REGION: lambda: F("region_membership__region_id"),
    TotalsDimension.YEAR: lambda: ExtractYear("activity__start_date"),
    TotalsDimension.THEMATIC_AREA: lambda: F("activity__thematic_areas"),
    TotalsDimension.GENDER: lambda: F("gender"),
    TotalsDimension.KIND: lambda: F("activity__kind"),
}


@dataclass
class TrainingTotals:
    """The totals of one report: a row per group, the overall total, and a headline per year."""

    group_by: tuple[str, ...]
    rows: list[dict] = field(default_factory=list)
    total: dict = field(default_factory=dict)
    headlines: list[dict] = field(default_factory=list)

    def table(self) -> list[list]:
        """Header and rows for CSV/XLSX: each dimension (a country also by its ISO code), then the counts."""
        header = []
        for name in self.group_by:
            header.append(str(TotalsDimension(name).label))
            if name == TotalsDimension.COUNTRY:
                header.append(_("ISO code"))
        header += [_("People"), _("Participations"), _("Activities")]
        lines = [header]
        for row in self.rows:
            line = []
            for name in self.group_by:
                line.append(row[name]["label"])
                if name == TotalsDimension.COUNTRY:
                    line.append(row[name]["code"])
            line += [row["people"], row["participations"], row["activities"]]
            lines.append(line)
        return lines


def trained_participations(filters: dict | None = None) -> QuerySet:
    """Every participation that counts as "trained" under `filters` (see training_totals).

    Not narrowed by the access engine: the totals hold no names, and every signed-in user reads them.
    """
    filters = filters or {}
    queryset = Participation.objects.filter(
        role__in=list(filters.get("role") or TRAINED_ROLES), attended__in=list(ATTENDED)
    ).exclude(activity__status=ActivityStatus.CANCELLED)
    if filters.get("year_from"):
        queryset = queryset.filter(activity__start_date__gte=datetime.date(filters["year_from"], 1, 1))
    if filters.get("year_to"):
        queryset = queryset.filter(activity__start_date__lte=datetime.date(filters["year_to"], 12, 31))
    if filters.get("country"):
        queryset = queryset.filter(country=filters["country"])
    if filters.get("region"):
        countries = Membership.objects.current().filter(region=filters["region"]).values("country_id")
        queryset = queryset.filter(country_id__in=countries)
    if filters.get("project"):
        queryset = queryset.filter(activity__project=filters["project"])
    if filters.get("kind"):
        queryset = queryset.filter(activity__kind=filters["kind"])
    if filters.get("thematic_area"):
        # A subquery, not a join: an activity with several areas would count its people twice.
        activities = Activity.objects.filter(thematic_areas=filters["thematic_area"]).values("pk")
        queryset = queryset.filter(activity_id__in=activities)
    return queryset


def _require_signed_in(user) -> None:
    if not access.user_context(user).active:
        raise PermissionDenied(_("Sign in to see training totals."))


def training_totals(user, *, group_by=(TotalsDimension.COUNTRY, TotalsDimension.YEAR), filters: dict | None = None) -> TrainingTotals:
    """How many people were trained, grouped by any of country, region, year, thematic area, gender and
    kind of activity, with `filters` (year_from, year_to, country, region, project, kind,
    thematic_area, role: roles counted, trainees by default).

    "Trained": the role is one of the counted roles, the person attended (fully or in part) and the
    activity was not cancelled. People are counted once per group however many activities they
    attended; the country and gender are those recorded at registration. The rows come from one
    aggregate query; the total and the yearly headlines from one more each, the labels from small
    look-ups. Aggregates only, no names: every signed-in user may read them.
    """
    _require_signed_in(user)
    group_by = tuple(dict.fromkeys(TotalsDimension(name).value for name in group_by))
    with transaction.atomic(), report_memory():
        return _training_totals(user, group_by, filters)


@contextmanager
def report_memory():
    """More working memory for the report's sorts, for this transaction only (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
    yield


def _training_totals(user, group_by, filters) -> TrainingTotals:
    base = trained_participations(filters)
    counts = {
        "people": Count("person_id", distinct=True),
        "participations": Count("id"),
        "activities": Count("activity_id", distinct=True),
    }
    keys = [f"g_{name}" for name in group_by]
    grouped = base.annotate(region_membership=REGION_MEMBERSHIP) if TotalsDimension.REGION in group_by else base
    grouped = grouped.annotate(**{key: GROUP_EXPRESSIONS[name]() for key, name in zip(keys, group_by, strict=True)})
    raw = list(grouped.values(*keys).annotate(**counts).order_by(*keys)) if keys else [base.aggregate(**counts)]
    result = TrainingTotals(group_by=group_by)
    labels = _labels(group_by, raw)
    for item in raw:
        row = {name: labels[name](item[f"g_{name}"]) for name in group_by}
        row.update({name: item[name] or 0 for name in counts})
        result.rows.append(row)
    result.rows.sort(key=lambda row: [_sort_key(row[name]) for name in group_by])
    result.total = {key: value or 0 for key, value in base.aggregate(**counts, countries=Count("country_id", distinct=True)).items()}
    result.headlines = training_headlines(user, filters=filters, base=base)
    return result


def training_headlines(user, *, filters: dict | None = None, base: QuerySet | None = None) -> list[dict]:
    """Per year: "N people from M countries trained in YEAR", as fact sheets quote it."""
    _require_signed_in(user)
    base = trained_participations(filters) if base is None else base
    years = (
        base.annotate(year=ExtractYear("activity__start_date"))
        .values("year")
        .annotate(people=Count("person_id", distinct=True), countries=Count("country_id", distinct=True))
        .order_by("year")
    )
    return [{**row, "text": headline(row["people"], row["countries"], row["year"])} for row in years]


def headline(people: int, countries: int, year: int | None) -> str:
    """ "214 people from 6 countries trained in 2022"."""
    people_text = ngettext("%(count)s person", "%(count)s people", people) % {"count": people}
    countries_text = ngettext("%(count)s country", "%(count)s countries", countries) % {"count": countries}
    if year is None:
        return _("%(people)s from %(countries)s trained") % {"people": people_text, "countries": countries_text}
    return _("%(people)s from %(countries)s trained in %(year)s") % {
        "people": people_text, "countries": countries_text, "year": year,
    }


def _labels(group_by, raw) -> dict:
    """For each dimension, a function from the grouped value to {"id", "label", "code"}."""
    result = {}
    for name in group_by:
        ids = {item[f"g_{name}"] for item in raw if item[f"g_{name}"] is not None}
        if name == TotalsDimension.COUNTRY:
            known = {c.pk: (c.name, c.iso2) for c in Country.objects.filter(pk__in=ids).only("name", "iso2")}
            result[name] = _looked_up(known, _("Country not recorded"))
        elif name == TotalsDimension.REGION:
            known = {r.pk: (r.name, r.code) for r in Region.objects.filter(pk__in=ids).only("name", "code")}
            result[name] = _looked_up(known, _("No region"))
        elif name == TotalsDimension.THEMATIC_AREA:
            known = {a.pk: (a.name, a.code) for a in ThematicArea.objects.filter(pk__in=ids).only("name", "code")}
            result[name] = _looked_up(known, _("No thematic area"))
        elif name == TotalsDimension.GENDER:
            genders = {value: (str(label), value) for value, label in Gender.choices}
            result[name] = _looked_up(genders, str(Gender.UNDISCLOSED.label), empty="")
        elif name == TotalsDimension.KIND:
            kinds = {value: (str(label), value) for value, label in ActivityKind.choices}
            result[name] = _looked_up(kinds, "—")
        else:  # year
            result[name] = lambda value: {"id": value, "label": value, "code": value}
    return result


def _looked_up(known: dict, missing: str, empty=None):
    def label(value):
        if value is None or value == empty or value not in known:
            return {"id": None if value == empty else value, "label": missing, "code": ""}
        name, code = known[value]
        return {"id": value, "label": name, "code": code}

    return label


def _sort_key(value: dict):
    label = value["label"]
    return (value["id"] is None, label if isinstance(label, int) else str(label).casefold())


# --- the pipeline and what it does not cover yet ----------------------------------------------------


def pipeline(*, user, region: Region | None = None) -> list[dict]:
    """The projects the user may see, by stage of the pipeline (idea → … → closed), with counts."""
    projects = access.restrict(Project.objects.select_related("network").prefetch_related("regions"), user)
    if region is not None:
        projects = projects.filter(pk__in=Project.objects.filter(regions=region).values("pk"))
    by_status: dict[str, list] = {}
    for project in projects.order_by("code", "title"):
        by_status.setdefault(project.status, []).append(project)
    order = [ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED, ProjectStatus.ONGOING,
             ProjectStatus.CLOSED, ProjectStatus.REJECTED, ProjectStatus.UNKNOWN]
    return [
        {"status": status, "label": status.label, "projects": by_status.get(status, []),
         "count": len(by_status.get(status, []))}
        for status in order
    ]


def uncovered_priorities(*, user, region: Region | None = None) -> dict:
    """The regional priorities no approved or ongoing project serves yet, with the ideas and proposals
    that would serve them, and the National Action Plan actions no project carries yet."""
    from cbrnet.actionplans.selectors import unaddressed_nap_gaps  # action plans build on projects

    priorities = access.restrict(RegionalPriority.objects.select_related("region", "thematic_area"), user)
    if region is not None:
        priorities = priorities.filter(region=region)
    active = Project.objects.filter(priorities=OuterRef("pk"), status__in=list(ACTIVE_STATUSES))
    annotated = priorities.annotate(covered=Exists(active))
    in_pipeline = Prefetch(
        "projects",
        queryset=access.restrict(Project.objects.filter(status__in=list(PIPELINE_STATUSES)), user).order_by("title"),
        to_attr="pipeline_projects",
    )
    uncovered = list(annotated.filter(covered=False).prefetch_related(in_pipeline).order_by("region__name", "order", "title"))
    return {
        "uncovered": uncovered,
        "total": priorities.count(),
        "covered": priorities.filter(Exists(active)).count(),
        "nap_actions": list(unaddressed_nap_gaps(user=user, region=region)[:500]),
    }


def allowed_transitions(*, user, project: Project) -> list:
    """The statuses `user` may move `project` to now (empty when the user may not advance it)."""
    if not access.can(user, "change", project):
        return []
    return list(PIPELINE.get(ProjectStatus(project.status), ()))


# --- pages ---------------------------------------------------------------------------------------


def project_page(*, user, project: Project) -> dict:
    """Activities, priorities served, NAP actions carried out, training headline and the pipeline
    actions of a project's page."""
    from cbrnet.actionplans.selectors import nap_actions_for_project  # action plans build on projects

    activities = access.restrict(
        project.activities.select_related("country").annotate(registered=Count("participations")), user
    ).order_by("-start_date")
    return {
        "activities": activities,
        "priorities": access.restrict(project.priorities.select_related("region"), user),
        "nap_actions": nap_actions_for_project(user=user, project=project),
        "transitions": allowed_transitions(user=user, project=project),
        "headlines": training_headlines(user, filters={"project": project}),
        "can_add_activity": access.can(user, "change", project) or _manages_as_implementer(user, project),
    }


def _manages_as_implementer(user, project: Project) -> bool:
    return bool(project.lead_implementer_id and project.lead_implementer_id in access.user_context(user).org_admin_ids)


def activity_page(*, user, activity: Activity) -> dict:
    """The participants the user may see (names are personal data) and counts everyone may see."""
    participations = access.restrict(
        activity.participations.select_related("person", "country", "organisation"), user
    ).order_by("person__family_name", "person__given_name")
    everyone = Participation.objects.filter(activity=activity)
    roles = Counter(dict(everyone.values_list("role").annotate(total=Count("pk")).order_by()))
    attended = everyone.filter(attended__in=list(ATTENDED))
    summary = attended.aggregate(people=Count("person_id", distinct=True), countries=Count("country_id", distinct=True))
    return {
        "participations": participations,
        "registered": sum(roles.values()),
        "roles": [(ParticipantRole(role).label, roles[role]) for role in ParticipantRole.values if roles[role]],
        "attended_people": summary["people"],
        "attended_countries": summary["countries"],
        "hidden_count": max(0, sum(roles.values()) - participations.count()),
        "can_register": access.can(user, "change", activity),
        "not_recorded": everyone.filter(attended=Attendance.NOT_RECORDED).count(),
    }


def nap_actions_to_link(*, user):
    """The NAP actions a project idea may be raised from: those of plans the user may change."""
    from cbrnet.actionplans.models import Action  # action plans build on projects

    return access.restrict(Action.objects.select_related("plan__country"), user, "change").order_by(
        "plan__country__name", "plan__title", "objective__order", "order", "pk"
    )


def project_idea_initial(*, user, region=None, nap_action=None) -> dict:
    """What the idea form starts with: the region asked for, or, for an idea raised from a NAP action
    the user may change, that action with its country, thematic area, title and region."""
    initial = {"region": region}
    if not nap_action or not str(nap_action).isdigit():
        return initial
    action = nap_actions_to_link(user=user).select_related("objective__thematic_area").filter(pk=nap_action).first()
    if action is None:
        return initial
    plan = action.plan
    membership = Membership.objects.current().filter(country_id=plan.country_id, network_id=plan.network_id).first()
    initial.update({
        "title": action.title,
        "objectives": action.description,
        "countries": [plan.country_id],
        "thematic_areas": [action.objective.thematic_area_id] if action.objective.thematic_area_id else [],
        "origin": ProjectOrigin.NAP_GAP,
        "origin_detail": str(plan)[:300],
        "nap_actions": [action.pk],
    })
    if membership is not None and not region:
        initial["region"] = membership.region_id
    return initial

