"""Reads of National Action Plans: the methodology stage of countries and the figures a fact sheet
states, plans' progress, the timeline of a plan, its page, and the plans' actions as projects see
them. Every read that shows records takes the user and goes through the access engine; the
methodology stages are derived facts (counts and stages, no record content) and take no user."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from cbrnet import access
from cbrnet.actionplans.choices import (
    CONTENT_EDITABLE,
    DEVELOPED,
    IMPLEMENTATION,
    IN_PREPARATION,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    MethodologyStage,
    PlanStatus,
)
from cbrnet.actionplans.models import Action, ActionPlan, Indicator, Objective, ProgressReport
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Membership, Organisation, Person, Region, RoleAssignment

# --- lead agencies -------------------------------------------------------------------------------------


def eligible_lead_agencies(country_id: int | None) -> QuerySet:
    """The organisations that may lead an action of a plan of `country_id`: active organisations of
    that country represented in its national team — named on an active national-team appointment of
    the country, or the organisation of a person holding one — and the focal point's own office."""
    if not country_id:
        return Organisation.objects.none()
    return _represented(RoleAssignment.objects.active().filter(country_id=country_id)).filter(
        country_id=country_id
    )


def _represented(roles: QuerySet) -> QuerySet:
    team = roles.filter(role=Role.NATIONAL_TEAM).exclude(organisation=None).values("organisation_id")
    people = Person.objects.filter(
        pk__in=roles.filter(role__in=[Role.NATIONAL_TEAM, Role.FOCAL_POINT]).values("person_id")
    ).values("organisation_id")
    return Organisation.objects.filter(is_active=True).filter(Q(pk__in=team) | Q(pk__in=people))


def lead_agency_choices(*, user, plan: ActionPlan | None = None) -> QuerySet:
    """The lead agencies to offer: those of `plan`, or (no plan chosen yet) those of the countries
    of every plan in preparation the user may change. The service checks the plan's own country."""
    if plan is not None:
        return eligible_lead_agencies(plan.country_id)
    countries = access.restrict(
        ActionPlan.objects.filter(status__in=list(CONTENT_EDITABLE)), user, "change"
    ).values("country_id")
    roles = RoleAssignment.objects.active().filter(country_id__in=countries)
    return _represented(roles).filter(country_id__in=countries).order_by("name")


# --- methodology stage ---------------------------------------------------------------------------------


def _country_ids(countries) -> list[int]:
    if isinstance(countries, QuerySet):
        return list(countries.values_list("pk", flat=True))
    return [getattr(country, "pk", country) for country in countries]


@dataclass(frozen=True)
class MethodologyFacts:
    """Which records exist for one country (each one a stage's condition)."""

    nfp_appointed: bool = False
    team_established: bool = False
    naq_completed: bool = False
    nap_in_preparation: bool = False
    nap_developed: bool = False
    nap_adopted: bool = False

    @property
    def stage(self) -> MethodologyStage:
        """The highest stage whose condition holds (no stage requires the ones before it)."""
        reached = [
            (self.nap_adopted, MethodologyStage.NAP_ADOPTED),
            (self.nap_developed, MethodologyStage.NAP_DEVELOPED),
            (self.nap_in_preparation, MethodologyStage.NAP_IN_PREPARATION),
            (self.naq_completed, MethodologyStage.NAQ_COMPLETED),
            (self.team_established, MethodologyStage.TEAM_ESTABLISHED),
            (self.nfp_appointed, MethodologyStage.NFP_APPOINTED),
        ]
        return next((stage for holds, stage in reached if holds), MethodologyStage.NONE)


def methodology_facts(
    *, countries, network=None, on: datetime.date | None = None
) -> dict[int, MethodologyFacts]:
    """Country id → which methodology records it has, from four queries whatever the number of
    countries. `network` narrows assessments and plans to one network's; `on` is the day the
    appointments must be active on (today by default)."""
    from cbrnet.assessments.choices import COMPLETED_STATUSES
    from cbrnet.assessments.models import Assessment

    ids = _country_ids(countries)
    if not ids:
        return {}
    roles = RoleAssignment.objects.active(on).filter(
        country_id__in=ids, role__in=[Role.FOCAL_POINT, Role.NATIONAL_TEAM]
    )
    held = set(roles.values_list("country_id", "role").distinct())
    assessments = Assessment.objects.filter(country_id__in=ids, status__in=list(COMPLETED_STATUSES))
    plans = ActionPlan.objects.filter(country_id__in=ids)
    if network is not None:
        assessments = assessments.filter(network=network)
        plans = plans.filter(network=network)
    completed = set(assessments.values_list("country_id", flat=True).distinct())
    statuses: dict[int, set[str]] = {}
    for country_id, status in plans.values_list("country_id", "status").distinct():
        statuses.setdefault(country_id, set()).add(status)
    facts = {}
    for country_id in ids:
        plan_statuses = statuses.get(country_id, set())
        facts[country_id] = MethodologyFacts(
            nfp_appointed=(country_id, Role.FOCAL_POINT) in held,
            team_established=(country_id, Role.NATIONAL_TEAM) in held,
            naq_completed=country_id in completed,
            nap_in_preparation=bool(plan_statuses & set(IN_PREPARATION)),
            nap_developed=bool(plan_statuses & set(DEVELOPED)),
            nap_adopted=PlanStatus.ADOPTED in plan_statuses,
        )
    return facts


def methodology_stages(*, countries, network=None) -> dict[int, MethodologyStage]:
    """Country id → its stage in the CoE methodology, derived from the records only (never a flag):
    NFP appointed (an active focal-point appointment), national team established (at least one active
    national-team appointment), needs assessment completed (a validated or published assessment), NAP
    in preparation (a plan drafted or submitted), NAP developed (approved, adopted or superseded),
    NAP adopted (a plan in force). The highest stage reached wins (docs/actionplans.md)."""
    return {
        country_id: facts.stage
        for country_id, facts in methodology_facts(countries=countries, network=network).items()
    }


def methodology_figures(*, countries, network=None) -> dict:
    """The methodology figures a fact sheet states for `countries` (e.g. a region's partners):

    - countries: how many countries were counted,
    - nfp_appointed: countries with an active National Focal Point,
    - national_teams: countries with a national team (an active member),
    - naq_completed: countries with a completed needs assessment,
    - nap_in_preparation: countries preparing their first NAP (a plan in preparation, none developed),
    - nap_developed: countries with a developed NAP (approved, adopted or superseded),
    - nap_adopted: countries with an adopted NAP in force,
    - by_stage: {stage value: number of countries at that stage} for every stage (zeros included).
    """
    facts = methodology_facts(countries=countries, network=network)
    stages = Counter(item.stage for item in facts.values())
    return {
        "countries": len(facts),
        "nfp_appointed": sum(item.nfp_appointed for item in facts.values()),
        "national_teams": sum(item.team_established for item in facts.values()),
        "naq_completed": sum(item.naq_completed for item in facts.values()),
        "nap_in_preparation": sum(
            item.nap_in_preparation and not item.nap_developed for item in facts.values()
        ),
        "nap_developed": sum(item.nap_developed for item in facts.values()),
        "nap_adopted": sum(item.nap_adopted for item in facts.values()),
        "by_stage": {int(stage): stages.get(stage, 0) for stage in MethodologyStage},
    }


def region_countries(region: Region) -> QuerySet:
    """The countries currently in `region` (its partners, members, observers…)."""
    from cbrnet.registry.models import Country

    return Country.objects.filter(
        pk__in=Membership.objects.current().filter(region=region).values("country_id")
    )


def region_methodology(*, region: Region) -> dict:
    """The stage of each country of a region and the region's figures (its network's plans only)."""
    countries = list(region_countries(region).order_by("name"))
    facts = methodology_facts(countries=countries, network=region.network)
    stages = {country.pk: facts[country.pk].stage for country in countries}
    figures = methodology_figures(countries=countries, network=region.network)
    return {"countries": countries, "stages": stages, "figures": figures}


# --- progress ------------------------------------------------------------------------------------------


@dataclass
class IndicatorProgress:
    id: int
    action_id: int
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    current: Decimal | None
    percent: float | None  # how far from the baseline to the target (0–100), None when unknown


@dataclass
class PlanProgress:
    """How far a plan has come: its actions by status, the share done, its indicators."""

    plan_id: int
    actions: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    percent_complete: float | None = None  # mean of the actions' completion; None without actions
    overdue: int = 0  # open actions whose end date has passed
    indicators: list[IndicatorProgress] = field(default_factory=list)
    indicators_percent: float | None = None  # mean of the indicators' progress that is known


def indicator_percent(baseline, target, current) -> float | None:
    """Progress from baseline to target, 0–100 (a missing baseline counts as 0). Works both ways:
    an indicator may aim down (e.g. days to detect an outbreak)."""
    if target is None or current is None:
        return None
    start = baseline if baseline is not None else Decimal(0)
    if target == start:
        return 100.0 if current == target else None
    share = float((current - start) / (target - start)) * 100
    return max(0.0, min(100.0, share))


def action_completion(status: str, latest_percent: int | None) -> float | None:
    """An action's share done: 100 when completed, its latest report's percentage otherwise (0 with
    no report); None when cancelled (it no longer counts)."""
    if status == ActionStatus.CANCELLED:
        return None
    if status == ActionStatus.COMPLETED:
        return 100.0
    return float(latest_percent or 0)


def _latest_report(field_name: str) -> Subquery:
    return Subquery(
        ProgressReport.objects.filter(action_id=OuterRef("pk"))
        .order_by("-date", "-pk")
        .values(field_name)[:1]
    )


def plan_progress(*, user, plans) -> dict[int, PlanProgress]:
    """Plan id → its progress, for the plans among `plans` the user may see, from three queries
    whatever their number. Each action counts equally: its share done is its latest progress
    report's percentage (100 once completed; cancelled actions are left out)."""
    ids = [getattr(plan, "pk", plan) for plan in plans] if not isinstance(plans, QuerySet) else None
    visible = access.restrict(
        ActionPlan.objects.all() if ids is None else ActionPlan.objects.filter(pk__in=ids), user
    )
    if ids is None:
        visible = visible.filter(pk__in=plans.values("pk"))
    visible_ids = list(visible.values_list("pk", flat=True))
    result = {
        plan_id: PlanProgress(plan_id=plan_id, by_status={status: 0 for status in ActionStatus.values})
        for plan_id in visible_ids
    }
    if not visible_ids:
        return result
    today = timezone.localdate()
    shares: dict[int, list[float]] = {}
    rows = Action.objects.filter(plan_id__in=visible_ids).annotate(
        latest_percent=_latest_report("percent_complete")
    )
    for plan_id, status, end_date, latest in rows.values_list(
        "plan_id", "status", "end_date", "latest_percent"
    ):
        progress = result[plan_id]
        progress.actions += 1
        progress.by_status[status] = progress.by_status.get(status, 0) + 1
        if status in OPEN_ACTION_STATUSES and end_date and end_date < today:
            progress.overdue += 1
        share = action_completion(status, latest)
        if share is not None:
            shares.setdefault(plan_id, []).append(share)
    for plan_id, values in shares.items():
        result[plan_id].percent_complete = round(sum(values) / len(values), 1)
    indicators = Indicator.objects.filter(action__plan_id__in=visible_ids).order_by(
        "action__plan_id", "action_id", "pk"
    )
    for row in indicators.values(
        "id", "action_id", "action__plan_id", "name", "unit", "baseline", "target", "current"
    ):
        result[row["action__plan_id"]].indicators.append(
            IndicatorProgress(
                id=row["id"],
                action_id=row["action_id"],
                name=row["name"],
                unit=row["unit"],
                baseline=row["baseline"],
                target=row["target"],
                current=row["current"],
                percent=indicator_percent(row["baseline"], row["target"], row["current"]),
            )
        )
    for progress in result.values():
        known = [item.percent for item in progress.indicators if item.percent is not None]
        progress.indicators_percent = round(sum(known) / len(known), 1) if known else None
    return result


# --- timeline ------------------------------------------------------------------------------------------

TIMELINE_LABEL_WIDTH = 340
TIMELINE_CHART_WIDTH = 760
TIMELINE_ROW_HEIGHT = 26
TIMELINE_HEAD = 34
LABEL_CHARACTERS = 52


@dataclass
class TimelineRow:
    kind: str  # "objective" or "action"
    label: str
    full_label: str
    url: str
    y: int
    status: str = ""
    status_label: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    x: float = 0
    width: float = 0
    done_width: float = 0
    percent: float | None = None
    lead_agency: str = ""
    overdue: bool = False


@dataclass
class Timeline:
    """A Gantt chart of a plan's actions, laid out for an SVG: one row per objective and per action,
    bars from start to end date, the done share filled in, year (and quarter) ticks, a line today."""

    first: datetime.date
    last: datetime.date
    rows: list[TimelineRow]
    ticks: list[dict]
    width: int
    height: int
    label_width: int = TIMELINE_LABEL_WIDTH
    today_x: float | None = None
    undated: list[TimelineRow] = field(default_factory=list)

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def chart_right(self) -> int:
        return self.width - 10


def _short(text: str, length: int = LABEL_CHARACTERS) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def plan_timeline(*, user, plan: ActionPlan) -> Timeline:
    """The timeline of a plan the user may see (404 otherwise), from two queries."""
    plan = access.get_object_for(user, ActionPlan.objects.all(), "view", pk=plan.pk)
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("objective", "lead_agency")
        .annotate(latest_percent=_latest_report("percent_complete"))
        .order_by("objective__order", "objective_id", "order", "pk")
    )
    dated = [action for action in actions if action.start_date and action.end_date]
    first = min([datetime.date(plan.start_year, 1, 1), *(action.start_date for action in dated)])
    last = max([datetime.date(plan.end_year, 12, 31), *(action.end_date for action in dated)])
    span = max((last - first).days + 1, 1)
    left = TIMELINE_LABEL_WIDTH
    width = TIMELINE_LABEL_WIDTH + TIMELINE_CHART_WIDTH + 10

    def x_of(day: datetime.date) -> float:
        return round(left + TIMELINE_CHART_WIDTH * (day - first).days / span, 1)

    today = timezone.localdate()
    rows: list[TimelineRow] = []
    undated: list[TimelineRow] = []
    y = TIMELINE_HEAD
    objective_id = None
    for action in actions:
        if action.objective_id != objective_id:
            objective_id = action.objective_id
            title = f"{action.objective.order}. {action.objective.title}"
            rows.append(
                TimelineRow(
                    kind="objective",
                    label=_short(title),
                    full_label=title,
                    url=action.objective.get_absolute_url(),
                    y=y,
                )
            )
            y += TIMELINE_ROW_HEIGHT
        share = action_completion(action.status, action.latest_percent)
        row = TimelineRow(
            kind="action",
            label=_short(action.title),
            full_label=action.title,
            url=action.get_absolute_url(),
            y=y,
            status=action.status,
            status_label=str(action.get_status_display()),
            start=action.start_date,
            end=action.end_date,
            percent=share,
            lead_agency=str(action.lead_agency or ""),
            overdue=bool(
                action.status in OPEN_ACTION_STATUSES and action.end_date and action.end_date < today
            ),
        )
        if action.start_date and action.end_date:
            row.x = x_of(action.start_date)
            row.width = max(round(x_of(action.end_date + datetime.timedelta(days=1)) - row.x, 1), 2)
            row.done_width = round(row.width * (share or 0) / 100, 1)
        else:
            undated.append(row)
        rows.append(row)
        y += TIMELINE_ROW_HEIGHT
    ticks = []
    for year in range(first.year, last.year + 2):
        for month in (1, 4, 7, 10):
            day = datetime.date(year, month, 1)
            if first <= day <= last + datetime.timedelta(days=1):
                major = month == 1
                if not major and last.year - first.year > 4:
                    continue
                # The year is written after its tick: none after the axis' closing line.
                label = str(year) if major and day <= last else ""
                ticks.append({"x": x_of(day), "label": label, "major": major})
    height = y + 10
    return Timeline(
        first=first,
        last=last,
        rows=rows,
        ticks=ticks,
        width=width,
        height=height,
        today_x=x_of(today) if first <= today <= last else None,
        undated=undated,
    )


# --- pages ---------------------------------------------------------------------------------------------


def plan_page(*, user, plan: ActionPlan) -> dict:
    """Everything a plan's page shows: objectives → actions (lead agency, partners, indicators,
    progress reports, linked projects the user may see), the progress, and what the user may do.
    A fixed number of queries whatever the size of the plan."""
    from cbrnet.actionplans import services
    from cbrnet.projects.models import Project

    projects = access.restrict(Project.objects.all(), user).order_by("code", "title")
    actions = (
        Action.objects.select_related("lead_agency", "gap_question")
        .prefetch_related(
            "partners",
            Prefetch("indicators", queryset=Indicator.objects.order_by("pk")),
            Prefetch(
                "progress_reports",
                queryset=ProgressReport.objects.select_related("author").order_by("-date", "-pk"),
            ),
            Prefetch("projects", queryset=projects, to_attr="visible_projects"),
        )
        .order_by("order", "pk")
    )
    objectives = list(
        Objective.objects.filter(plan=plan)
        .select_related("thematic_area")
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("order", "pk")
    )
    can_change = access.can(user, "change", plan)
    progress = plan_progress(user=user, plans=[plan]).get(plan.pk)
    indicator_percent_by_id = {item.id: item.percent for item in (progress.indicators if progress else [])}
    for objective in objectives:
        for action in objective.actions.all():
            for indicator in action.indicators.all():
                indicator.percent = indicator_percent_by_id.get(indicator.pk)
            reports = action.progress_reports.all()
            action.latest_report = reports[0] if reports else None
    return {
        "objectives": objectives,
        "progress": progress,
        "steps": services.allowed_steps(user=user, plan=plan),
        "can_change": can_change,
        "content_editable": can_change and plan.status in CONTENT_EDITABLE,
        "can_track": can_change and plan.status in IMPLEMENTATION,
        "can_link": can_change and plan.status != PlanStatus.SUPERSEDED,
        "draftable_assessments": draftable_assessments(user=user, plan=plan) if can_change else [],
    }


def draftable_assessments(*, user, plan: ActionPlan) -> QuerySet:
    """The assessments of the plan's country the user may see (to draft the plan from their gaps)."""
    from cbrnet.assessments.models import Assessment

    return access.restrict(
        Assessment.objects.filter(country_id=plan.country_id).select_related("version"), user
    ).order_by("-year", "-pk")


# --- projects and plans --------------------------------------------------------------------------------


def nap_actions_for_project(*, user, project) -> QuerySet:
    """The NAP actions `project` carries out, as far as the user may see their plans."""
    return access.restrict(
        Action.objects.filter(projects=project).select_related("plan__country", "objective", "lead_agency"),
        user,
    ).order_by("plan__country__name", "plan__title", "objective__order", "order", "pk")


def unaddressed_nap_gaps(*, user, region: Region | None = None) -> QuerySet:
    """The NAP actions of `region`'s countries (plans of the region's network; every region the user
    may see when None) that no project carries yet: still open (planned, in progress or delayed),
    of plans not superseded, as far as the user may see the plans — the national needs still waiting
    for a project ("uncovered regional priorities")."""
    actions = Action.objects.filter(status__in=list(OPEN_ACTION_STATUSES)).exclude(
        plan__status=PlanStatus.SUPERSEDED
    )
    actions = actions.exclude(pk__in=Action.projects.through.objects.values("action_id"))
    if region is not None:
        countries = Membership.objects.current().filter(region=region).values("country_id")
        actions = actions.filter(plan__country_id__in=countries, plan__network_id=region.network_id)
    return access.restrict(
        actions.select_related("plan__country", "objective__thematic_area", "lead_agency"), user
    ).order_by("plan__country__name", "plan__title", "objective__order", "order", "pk")
