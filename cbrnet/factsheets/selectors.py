"""Fact sheets of a region and of a country, and the network dashboard, computed from the records.

Every read goes through the access engine. Where a figure counts records the user may not see one
by one (focal-point appointments, national teams, assessments and plans in preparation, trainees),
only the count is given, never the records (docs/factsheets.md lists what a sheet reveals, to whom).
The methodology figures and stages come from cbrnet.actionplans.selectors, the scores from
cbrnet.assessments.selectors.scores: both are imported when used (see `_methodology`).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.factsheets.models import Achievement
from cbrnet.projects.choices import ProjectStatus
from cbrnet.projects.models import Project
from cbrnet.projects.selectors import headline, trained_participations
from cbrnet.registry.choices import MembershipStatus
from cbrnet.registry.models import (
    Country,
    Membership,
    Network,
    Region,
    RegionalPriority,
    Secretariat,
    detail_url,
)

# A project counts for a fact sheet from approval on (ideas, proposals and projects not taken
# forward are the pipeline's business); "unknown" are recorded projects whose stage the sources omit.
REPORTED_STATUSES = (
    ProjectStatus.APPROVED,
    ProjectStatus.ONGOING,
    ProjectStatus.CLOSED,
    ProjectStatus.UNKNOWN,
)
# Memberships that make a country a partner country of a region (ASEAN calls them member states).
PARTNER_STATUSES = (MembershipStatus.PARTNER, MembershipStatus.MEMBER)
RECENT_ACHIEVEMENTS = 3


# --- what a sheet holds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretariatProfile:
    """The regional secretariat as a fact sheet presents it: LOCATION is the host institution, city, country."""

    framework: str
    established: datetime.date | None
    host_institution: str
    city: str
    country: str
    overall_goal: str
    head: str
    website: str
    url: str

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.host_institution, self.city, self.country) if part)


@dataclass(frozen=True)
class CountryLine:
    id: int
    name: str
    iso2: str
    status: str
    status_label: str
    stage: int | None
    stage_label: str
    url: str


@dataclass(frozen=True)
class MethodologyFigures:
    """How many of the partner countries reached each step of the CoE methodology."""

    countries: int
    nfp_appointed: int
    teams_established: int
    naps_in_preparation: int
    naps_developed: int
    naps_adopted: int

    def sentences(self) -> list[str]:
        """The four figures in the words of the CoE fact sheets."""
        from django.utils.translation import ngettext

        return [
            ngettext(
                "%(count)s partner country of the region appointed its CBRN National Focal Point",
                "%(count)s partner countries of the region appointed their CBRN National Focal Points",
                self.nfp_appointed,
            )
            % {"count": self.nfp_appointed},
            ngettext(
                "%(count)s National Team established",
                "%(count)s National Teams established",
                self.teams_established,
            )
            % {"count": self.teams_established},
            ngettext(
                "%(count)s partner country is currently engaged in the preparation of its National CBRN Action Plan",
                "%(count)s partner countries are currently engaged in the preparation of their National CBRN Action "
                "Plans",
                self.naps_in_preparation,
            )
            % {"count": self.naps_in_preparation},
            ngettext(
                "%(count)s National Action Plan developed",
                "%(count)s National Action Plans developed",
                self.naps_developed,
            )
            % {"count": self.naps_developed},
        ]


@dataclass(frozen=True)
class ProjectLine:
    id: int
    code: str
    title: str
    start_year: int | None
    end_year: int | None
    status: str
    status_label: str
    url: str

    @property
    def label(self) -> str:
        return f"{self.code} — {self.title}" if self.code else self.title


@dataclass(frozen=True)
class ProjectFigures:
    """The projects of a region (or of a country) up to a date: how many, since which year, which ongoing.
    `of` is "region" or "country": whose projects they are, for the sentence."""

    as_of: datetime.date
    of: str
    total: int
    since: int | None
    ongoing: list[ProjectLine]

    def sentence(self) -> str:
        from django.utils.translation import ngettext

        values = {
            "total": self.total,
            "ongoing": len(self.ongoing),
            "year": self.as_of.year,
            "since": self.since,
        }
        if self.of == "country":
            subject = (
                _("Since %(since)s, the country took part in")
                if self.since
                else _("The country took part in")
            )
        else:
            subject = (
                _("Since %(since)s, the region participated in")
                if self.since
                else _("The region participated in")
            )
        projects = ngettext("%(total)s project", "%(total)s projects", self.total) % values
        ongoing = (
            ngettext(
                "of which %(ongoing)s is ongoing in %(year)s",
                "of which %(ongoing)s are ongoing in %(year)s",
                len(self.ongoing),
            )
            % values
        )
        return _("%(subject)s %(projects)s, %(ongoing)s.") % {
            "subject": subject % values,
            "projects": projects,
            "ongoing": ongoing,
        }


@dataclass(frozen=True)
class TrainingFigures:
    """People trained (trainees who attended activities not cancelled) up to the sheet's date."""

    people: int
    countries: int
    headlines: list[dict]

    def sentence(self) -> str:
        return headline(self.people, self.countries, None)


@dataclass(frozen=True)
class AchievementLine:
    id: int
    date: datetime.date
    title: str
    text: str
    project: str
    source: str
    url: str


@dataclass(frozen=True)
class RegionFactSheet:
    """What the fact sheet of a region states, at `as_of`."""

    id: int
    name: str
    code: str
    network: str
    as_of: datetime.date
    secretariat: SecretariatProfile | None
    partners: list[CountryLine]
    potential_partners: list[CountryLine]
    priorities: list[str]
    methodology: MethodologyFigures
    projects: ProjectFigures
    training: TrainingFigures
    achievements: list[AchievementLine]
    url: str = ""

    def as_dict(self) -> dict:
        return _plain(self)


@dataclass(frozen=True)
class RegionMembership:
    region_id: int
    region: str
    network: str
    status: str
    status_label: str
    since: datetime.date | None
    url: str


@dataclass(frozen=True)
class CountryFactSheet:
    """What the fact sheet of a country states, at `as_of`."""

    id: int
    name: str
    iso2: str
    as_of: datetime.date
    regions: list[RegionMembership]
    secretariats: list[SecretariatProfile]
    stage: int | None
    stage_label: str
    steps: list[dict]
    priorities: list[str]
    assessments: list[dict]
    plans: list[dict]
    projects: ProjectFigures
    training: TrainingFigures
    achievements: list[AchievementLine]
    url: str = ""

    def as_dict(self) -> dict:
        return _plain(self)


def _plain(sheet) -> dict:
    """JSON-ready: dates as ISO text, lazy translations as text."""

    def convert(value):
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        if isinstance(value, datetime.date):
            return value.isoformat()
        if value is None or isinstance(value, bool | int | float | str):
            return value
        return str(value)

    data = convert(asdict(sheet))
    if getattr(sheet, "secretariat", None) is not None:
        data["secretariat"]["location"] = sheet.secretariat.location
    for position, secretariat in enumerate(getattr(sheet, "secretariats", None) or []):
        data["secretariats"][position]["location"] = secretariat.location
    if hasattr(sheet, "methodology"):
        data["methodology_sentences"] = sheet.methodology.sentences()
    data["projects"]["sentence"] = sheet.projects.sentence()
    data["training"]["sentence"] = sheet.training.sentence()
    return data


# --- pieces ------------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _members_at(queryset, as_of: datetime.date):
    """Memberships in force on `as_of`."""
    return queryset.filter(
        Q(since__isnull=True) | Q(since__lte=as_of), Q(until__isnull=True) | Q(until__gte=as_of)
    )


def _methodology():
    """The methodology selectors of the action plans app (imported when used: it is written beside this one)."""
    from cbrnet.actionplans import selectors as actionplan_selectors

    return actionplan_selectors


def _stage_label(stage) -> str:
    from cbrnet.actionplans.choices import MethodologyStage

    return "" if stage is None else str(MethodologyStage(int(stage)).label)


def _secretariat_profile(secretariat: Secretariat) -> SecretariatProfile:
    return SecretariatProfile(
        framework=secretariat.framework,
        established=secretariat.established,
        host_institution=secretariat.host_institution,
        city=secretariat.city,
        country=secretariat.host_country.name,
        overall_goal=secretariat.overall_goal,
        head=secretariat.head_name,
        website=secretariat.website,
        url=secretariat.get_absolute_url(),
    )


def _country_line(membership: Membership, stages: dict) -> CountryLine:
    stage = stages.get(membership.country_id)
    return CountryLine(
        id=membership.country_id,
        name=membership.country.name,
        iso2=membership.country.iso2,
        status=membership.status,
        status_label=str(MembershipStatus(membership.status).label),
        stage=None if stage is None else int(stage),
        stage_label=_stage_label(stage),
        url=membership.country.get_absolute_url(),
    )


def methodology_figures(*, countries: list[int], network: Network | None = None) -> MethodologyFigures:
    """The counts a fact sheet states, from the action plans app's `methodology_figures` (the
    network's assessments and plans only, when a network is given)."""
    figures = _methodology().methodology_figures(countries=countries, network=network)
    return MethodologyFigures(
        countries=figures["countries"],
        nfp_appointed=figures["nfp_appointed"],
        teams_established=figures["national_teams"],
        naps_in_preparation=figures["nap_in_preparation"],
        naps_developed=figures["nap_developed"],
        naps_adopted=figures["nap_adopted"],
    )


def project_started(project: dict, as_of: datetime.date) -> bool:
    """Whether a project had started by `as_of`: by its start date, else its start year; a project
    whose start the sources do not give counts as started (it was recorded, so it exists)."""
    if project["start_date"]:
        return project["start_date"] <= as_of
    if project["start_year"]:
        return project["start_year"] <= as_of.year
    return True


def project_ongoing(project: dict, as_of: datetime.date) -> bool:
    """Whether a project was ongoing on `as_of`: started, and not ended by its end date (else end
    year). Without any end, its status decides: approved or ongoing (a closed project without an
    end date ended at an unknown time, so it is not counted as ongoing)."""
    started = (
        (project["start_date"] or datetime.date(project["start_year"], 1, 1))
        if (project["start_date"] or project["start_year"])
        else None
    )
    if started is not None and started > as_of:
        return False
    if project["end_date"]:
        return project["end_date"] >= as_of
    if project["end_year"]:
        return project["end_year"] >= as_of.year
    if started is None and project["status"] != ProjectStatus.ONGOING:
        return False
    return project["status"] in (ProjectStatus.APPROVED, ProjectStatus.ONGOING)


PROJECT_COLUMNS = ("pk", "code", "title", "start_date", "end_date", "start_year", "end_year", "status")


def project_figures(*, user, projects, as_of: datetime.date, of: str = "region") -> ProjectFigures:
    """How many of `projects` (a queryset) the sheet counts at `as_of`, since which year, which are ongoing."""
    rows = [
        row
        for row in access.restrict(projects.filter(status__in=list(REPORTED_STATUSES)), user)
        .order_by("code", "title")
        .values(*PROJECT_COLUMNS)
        if project_started(row, as_of)
    ]
    years = [row["start_date"].year if row["start_date"] else row["start_year"] for row in rows]
    years = [year for year in years if year]
    ongoing = [
        ProjectLine(
            id=row["pk"],
            code=row["code"],
            title=row["title"],
            start_year=row["start_date"].year if row["start_date"] else row["start_year"],
            end_year=row["end_date"].year if row["end_date"] else row["end_year"],
            status=row["status"],
            status_label=str(ProjectStatus(row["status"]).label),
            url=detail_url("projects:project_detail", row["pk"]),
        )
        for row in rows
        if project_ongoing(row, as_of)
    ]
    return ProjectFigures(
        as_of=as_of, of=of, total=len(rows), since=min(years) if years else None, ongoing=ongoing
    )


def training_figures(*, user, filters: dict, as_of: datetime.date) -> TrainingFigures:
    """People trained up to `as_of` (cbrnet.projects training totals: counts, no names)."""
    base = trained_participations({**filters, "year_to": as_of.year}).filter(activity__start_date__lte=as_of)
    totals = base.aggregate(
        people=Count("person_id", distinct=True), countries=Count("country_id", distinct=True)
    )
    from django.db.models.functions import ExtractYear

    years = (
        base.annotate(year=ExtractYear("activity__start_date"))
        .values("year")
        .annotate(people=Count("person_id", distinct=True), countries=Count("country_id", distinct=True))
        .order_by("year")
    )
    return TrainingFigures(
        people=totals["people"] or 0,
        countries=totals["countries"] or 0,
        headlines=[{**row, "text": headline(row["people"], row["countries"], row["year"])} for row in years],
    )


def recent_achievements(
    *, user, regions, as_of: datetime.date, limit: int = RECENT_ACHIEVEMENTS
) -> list[AchievementLine]:
    """The newest achievements of `regions` dated up to `as_of`."""
    rows = access.restrict(
        Achievement.objects.filter(region__in=regions, date__lte=as_of).select_related("project"), user
    ).order_by("-date", "-pk")[:limit]
    return [
        AchievementLine(
            id=row.pk,
            date=row.date,
            title=row.title,
            text=row.text,
            project=str(row.project) if row.project_id else "",
            source=row.source,
            url=row.get_absolute_url(),
        )
        for row in rows
    ]


# --- the region's sheet ------------------------------------------------------------------------------


def region_fact_sheet(*, user, region: Region, as_of: datetime.date | None = None) -> RegionFactSheet:
    """The fact sheet of `region` on `as_of` (default: today), as `user` may see it.

    The caller has fetched `region` through the access engine. Partner countries are the countries
    whose membership of the region (partner, or member state) is in force on `as_of`; the
    methodology figures count those countries as their records stand now (the stages have no history).
    """
    as_of = as_of or _today()
    memberships = list(
        access.restrict(
            _members_at(Membership.objects.filter(region=region), as_of).select_related("country"), user
        ).order_by("country__name")
    )
    partners = [m for m in memberships if m.status in PARTNER_STATUSES]
    potential = [m for m in memberships if m.status == MembershipStatus.POTENTIAL]
    partner_ids = [m.country_id for m in partners]
    stages = _methodology().methodology_stages(
        countries=partner_ids + [m.country_id for m in potential], network=region.network
    )
    secretariat = access.restrict(
        Secretariat.objects.filter(region=region).select_related("host_country"), user
    ).first()
    priorities = access.restrict(RegionalPriority.objects.filter(region=region), user).order_by(
        "order", "title"
    )
    region_projects = Project.objects.filter(pk__in=Project.objects.filter(regions=region).values("pk"))
    return RegionFactSheet(
        id=region.pk,
        name=region.name,
        code=region.code,
        network=str(region.network),
        as_of=as_of,
        secretariat=_secretariat_profile(secretariat) if secretariat else None,
        partners=[_country_line(m, stages) for m in partners],
        potential_partners=[_country_line(m, stages) for m in potential],
        priorities=list(priorities.values_list("title", flat=True)),
        methodology=methodology_figures(countries=partner_ids, network=region.network),
        projects=project_figures(user=user, projects=region_projects, as_of=as_of),
        training=training_figures(user=user, filters={"region": region}, as_of=as_of),
        achievements=recent_achievements(user=user, regions=[region], as_of=as_of),
        url=region.get_absolute_url(),
    )


# --- the country's sheet -----------------------------------------------------------------------------


def country_projects(country: Country, region_ids: list[int]):
    """A country's projects: those that name it, and the projects of its regions that name no country
    (a regional project without a country list covers the whole region)."""
    named = Project.objects.filter(countries=country).values("pk")
    regional = Project.objects.filter(regions__in=region_ids, countries__isnull=True).values("pk")
    return Project.objects.filter(Q(pk__in=named) | Q(pk__in=regional))


def _steps(stage) -> list[dict]:
    from cbrnet.actionplans.choices import MethodologyStage

    reached = -1 if stage is None else int(stage)
    return [
        {"stage": int(step), "label": str(step.label), "reached": int(step) <= reached}
        for step in MethodologyStage
        if step != MethodologyStage.NONE
    ]


def country_fact_sheet(*, user, country: Country, as_of: datetime.date | None = None) -> CountryFactSheet:
    """The fact sheet of `country` on `as_of` (default: today), as `user` may see it.

    The country's regions are those of its memberships in force on `as_of`; its stage of the
    methodology is derived from its records (cbrnet.actionplans). Assessments and action plans are
    listed only as far as the user may see them; their scores and progress come from the owners'
    selectors, which apply the same rules.
    """
    from cbrnet.actionplans.models import ActionPlan
    from cbrnet.assessments.models import Assessment

    as_of = as_of or _today()
    memberships = list(
        access.restrict(
            _members_at(Membership.objects.filter(country=country), as_of).select_related("region__network"),
            user,
        ).order_by("region__name")
    )
    region_ids = [m.region_id for m in memberships]
    stage = _methodology().methodology_stages(countries=[country.pk]).get(country.pk)
    secretariats = access.restrict(
        Secretariat.objects.filter(region_id__in=region_ids).select_related("host_country"), user
    ).order_by("region__name")
    priorities = access.restrict(RegionalPriority.objects.filter(region_id__in=region_ids), user).order_by(
        "region__name", "order", "title"
    )
    assessments = access.restrict(
        Assessment.objects.filter(country=country).select_related("version"), user
    ).order_by("-year", "-pk")
    plans = list(
        access.restrict(ActionPlan.objects.filter(country=country), user).order_by("-start_year", "-pk")
    )
    return CountryFactSheet(
        id=country.pk,
        name=country.name,
        iso2=country.iso2,
        as_of=as_of,
        regions=[
            RegionMembership(
                region_id=m.region_id,
                region=m.region.name,
                network=str(m.region.network),
                status=m.status,
                status_label=str(MembershipStatus(m.status).label),
                since=m.since,
                url=m.region.get_absolute_url(),
            )
            for m in memberships
        ],
        secretariats=[_secretariat_profile(secretariat) for secretariat in secretariats],
        stage=None if stage is None else int(stage),
        stage_label=_stage_label(stage),
        steps=_steps(stage),
        priorities=list(priorities.values_list("title", flat=True)),
        assessments=[
            {
                "id": a.pk,
                "title": str(a),
                "year": a.year,
                "status": a.status,
                "status_label": a.get_status_display(),
                "url": a.get_absolute_url(),
            }
            for a in assessments
        ],
        plans=_plan_lines(user, plans),
        projects=project_figures(
            user=user, projects=country_projects(country, region_ids), as_of=as_of, of="country"
        ),
        training=training_figures(user=user, filters={"country": country}, as_of=as_of),
        achievements=recent_achievements(user=user, regions=region_ids, as_of=as_of),
        url=country.get_absolute_url(),
    )


def _plan_lines(user, plans) -> list[dict]:
    progress = _plan_progress(user, plans)
    return [
        {
            "id": plan.pk,
            "title": plan.title,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "status": plan.status,
            "status_label": plan.get_status_display(),
            "url": plan.get_absolute_url(),
            "progress": progress.get(plan.pk),
        }
        for plan in plans
    ]


def _plan_progress(user, plans) -> dict[int, float | None]:
    """Plan id → share of its actions done (0–100), from the action plans app's `plan_progress`
    (which counts only the plans the user may see); None for a plan without actions."""
    if not plans:
        return {}
    return {
        plan_id: progress.percent_complete
        for plan_id, progress in _methodology().plan_progress(user=user, plans=plans).items()
    }


# --- the network dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    network: Network
    countries: list[CountryLine] = field(default_factory=list)
    stage_counts: list[dict] = field(default_factory=list)
    map_classes: dict[str, str] = field(default_factory=dict)
    map_links: dict[str, str] = field(default_factory=dict)
    legend: dict[str, str] = field(default_factory=dict)
    scores: list[dict] = field(default_factory=list)
    family: str = ""
    plans: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "network": {"id": self.network.pk, "name": str(self.network)},
            "countries": [asdict(line) for line in self.countries],
            "stage_counts": self.stage_counts,
            "family": self.family,
            "scores": self.scores,
            "plans": self.plans,
        }


def stage_legend() -> dict[str, str]:
    from cbrnet.actionplans.choices import MethodologyStage

    return {f"stage-{int(stage)}": str(stage.label) for stage in MethodologyStage}


def network_dashboard(*, user, network: Network, family: str | None = None) -> Dashboard:
    """The network's partner countries by methodology stage (a map and counts), the assessment
    scores of each region the user may see, and the progress of the action plans the user may see."""
    from cbrnet.actionplans.choices import MethodologyStage
    from cbrnet.actionplans.models import ActionPlan

    memberships = list(
        access.restrict(
            Membership.objects.current()
            .filter(network=network, status__in=list(PARTNER_STATUSES))
            .select_related("country", "region"),
            user,
        ).order_by("country__name")
    )
    stages = _methodology().methodology_stages(countries=[m.country_id for m in memberships], network=network)
    dashboard = Dashboard(network=network, legend=stage_legend())
    for membership in memberships:
        line = _country_line(membership, stages)
        dashboard.countries.append(line)
        dashboard.map_classes[line.iso2] = f"stage-{line.stage or 0}"
        dashboard.map_links[line.iso2] = detail_url("factsheets:country_factsheet", line.id)
    dashboard.stage_counts = [
        {
            "stage": int(stage),
            "label": str(stage.label),
            "count": sum(1 for line in dashboard.countries if (line.stage or 0) == int(stage)),
        }
        for stage in MethodologyStage
    ]
    regions = list(access.restrict(Region.objects.filter(network=network), user).order_by("name"))
    dashboard.family = family or _default_family(network)
    dashboard.scores = _region_scores(user, regions, dashboard.family) if dashboard.family else []
    plans = list(
        access.restrict(
            ActionPlan.objects.filter(
                network=network, country_id__in=[m.country_id for m in memberships]
            ).select_related("country"),
            user,
        ).order_by("country__name", "-start_year", "-pk")
    )
    progress = _plan_progress(user, plans)
    dashboard.plans = [
        {
            "id": plan.pk,
            "country": plan.country.name,
            "country_id": plan.country_id,
            "title": plan.title,
            "status": plan.status,
            "status_label": plan.get_status_display(),
            "progress": progress.get(plan.pk),
            "url": plan.get_absolute_url(),
        }
        for plan in plans
    ]
    return dashboard


def _default_family(network: Network) -> str:
    """The questionnaire of the network's newest published version (e.g. "NAQ")."""
    from cbrnet.assessments.choices import VersionStatus
    from cbrnet.assessments.models import QuestionnaireVersion

    return (
        QuestionnaireVersion.objects.filter(network=network, status=VersionStatus.PUBLISHED)
        .order_by("-published_on", "-pk")
        .values_list("family", flat=True)
        .first()
        or ""
    )


def _region_scores(user, regions, family: str) -> list[dict]:
    """Per region, the overall score of the latest assessment of each country that the user may see
    (the scores app's region comparison, which applies the access rules: another country's
    assessment counts only once published). A few queries per region of the network."""
    from cbrnet.assessments.selectors.scores import region_comparison

    result = []
    for region in regions:
        comparison = region_comparison(user=user, region=region, family=family)
        result.append(
            {
                "region_id": region.pk,
                "region": region.name,
                "average": _rounded(comparison.average_overall),
                "countries": [
                    {
                        "country_id": row.country.pk,
                        "country": row.country.name,
                        "year": row.assessment.year,
                        "assessment_id": row.assessment.pk,
                        "overall": _rounded(row.overall),
                        "coverage": _rounded(row.coverage),
                    }
                    for row in comparison.rows
                    if row.assessment is not None
                ],
            }
        )
    return result


def _rounded(value) -> float | None:
    return None if value is None else round(float(value), 1)
