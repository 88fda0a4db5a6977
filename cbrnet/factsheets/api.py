"""JSON API of fact sheets: the fact sheet of a region or a country (JSON or PDF), the network
dashboard, and CRUD of achievements (the generic crud_router). Reads go through the access engine
and the same selectors as the web pages."""

import datetime
from typing import Any

from ninja import Router, Schema

from cbrnet import access
from cbrnet.api import RecordId
from cbrnet.factsheets import filters, forms, models, pdf, selectors, views
from cbrnet.registry.api import router_for
from cbrnet.registry.models import Country, Network, Region

router = Router()
sheets = Router(tags=["Fact sheets"])


class SecretariatOut(Schema):
    framework: str
    established: datetime.date | None
    host_institution: str
    city: str
    country: str
    location: str
    overall_goal: str
    head: str
    website: str
    url: str


class CountryLineOut(Schema):
    id: int
    name: str
    iso2: str
    status: str
    status_label: str
    stage: int | None
    stage_label: str
    url: str


class MethodologyOut(Schema):
    countries: int
    nfp_appointed: int
    teams_established: int
    naps_in_preparation: int
    naps_developed: int
    naps_adopted: int


class ProjectLineOut(Schema):
    id: int
    code: str
    title: str
    start_year: int | None
    end_year: int | None
    status: str
    status_label: str
    url: str


class ProjectsOut(Schema):
    as_of: datetime.date
    of: str
    total: int
    since: int | None
    ongoing: list[ProjectLineOut]
    sentence: str


class HeadlineOut(Schema):
    year: int | None
    people: int
    countries: int
    text: str


class TrainingOut(Schema):
    people: int
    countries: int
    headlines: list[HeadlineOut]
    sentence: str


class AchievementLineOut(Schema):
    id: int
    date: datetime.date
    title: str
    text: str
    project: str
    source: str
    url: str


class RegionFactSheetOut(Schema):
    id: int
    name: str
    code: str
    network: str
    as_of: datetime.date
    url: str
    secretariat: SecretariatOut | None
    partners: list[CountryLineOut]
    potential_partners: list[CountryLineOut]
    priorities: list[str]
    methodology: MethodologyOut
    methodology_sentences: list[str]
    projects: ProjectsOut
    training: TrainingOut
    achievements: list[AchievementLineOut]


class RegionMembershipOut(Schema):
    region_id: int
    region: str
    network: str
    status: str
    status_label: str
    since: datetime.date | None
    url: str


class StepOut(Schema):
    stage: int
    label: str
    reached: bool


class CountryFactSheetOut(Schema):
    id: int
    name: str
    iso2: str
    as_of: datetime.date
    url: str
    regions: list[RegionMembershipOut]
    secretariats: list[SecretariatOut]
    stage: int | None
    stage_label: str
    steps: list[StepOut]
    priorities: list[str]
    assessments: list[dict[str, Any]]
    plans: list[dict[str, Any]]
    projects: ProjectsOut
    training: TrainingOut
    achievements: list[AchievementLineOut]


class DashboardOut(Schema):
    network: dict[str, Any]
    countries: list[dict[str, Any]]
    stage_counts: list[dict[str, Any]]
    family: str
    scores: list[dict[str, Any]]
    plans: list[dict[str, Any]]


def _region(request, pk):
    return access.get_object_for(request.user, Region.objects.select_related("network"), "view", pk=pk)


def _country(request, pk):
    return access.get_object_for(request.user, Country.objects.all(), "view", pk=pk)


@sheets.get(
    "/regions/{int:pk}.pdf", operation_id="region_fact_sheet_pdf", summary="The fact sheet of a region as PDF"
)
def region_fact_sheet_pdf(request, pk: int, as_of: datetime.date | None = None):
    sheet = selectors.region_fact_sheet(user=request.user, region=_region(request, pk), as_of=as_of)
    return views.pdf_response(pdf.region_fact_sheet_pdf(sheet), pdf.filename(sheet))


@sheets.get(
    "/regions/{int:pk}",
    response=RegionFactSheetOut,
    operation_id="region_fact_sheet",
    summary="The fact sheet of a region: secretariat, partner countries, priorities, methodology "
    "figures, projects, experts trained, recent achievements",
)
def region_fact_sheet(request, pk: int, as_of: datetime.date | None = None):
    return selectors.region_fact_sheet(user=request.user, region=_region(request, pk), as_of=as_of).as_dict()


@sheets.get(
    "/countries/{int:pk}.pdf",
    operation_id="country_fact_sheet_pdf",
    summary="The fact sheet of a country as PDF",
)
def country_fact_sheet_pdf(request, pk: int, as_of: datetime.date | None = None):
    sheet = selectors.country_fact_sheet(user=request.user, country=_country(request, pk), as_of=as_of)
    return views.pdf_response(pdf.country_fact_sheet_pdf(sheet), pdf.filename(sheet))


@sheets.get(
    "/countries/{int:pk}",
    response=CountryFactSheetOut,
    operation_id="country_fact_sheet",
    summary="The fact sheet of a country: regions, methodology stage, projects, experts trained, "
    "recent achievements",
)
def country_fact_sheet(request, pk: int, as_of: datetime.date | None = None):
    return selectors.country_fact_sheet(
        user=request.user, country=_country(request, pk), as_of=as_of
    ).as_dict()


@sheets.get(
    "/dashboard",
    response=DashboardOut,
    operation_id="network_dashboard",
    summary="A network's partner countries by methodology stage, assessment scores by region, NAP progress",
)
def network_dashboard(request, network: RecordId | None = None, family: str | None = None):
    if network is None:
        chosen = views.default_network(request.user)
        if chosen is None:
            from django.http import Http404

            raise Http404
    else:
        chosen = access.get_object_for(request.user, Network.objects.all(), "view", pk=network)
    family = (family or "").strip()[:30] or None
    return selectors.network_dashboard(user=request.user, network=chosen, family=family).as_dict()


router.add_router("/", sheets)
router.add_router(
    "/achievements",
    router_for(
        models.Achievement,
        forms.AchievementForm,
        filters.AchievementFilterSet,
        views.achievement,
        ("date", "title"),
        select_related=("region", "project"),
        tag="Achievements",
    ),
)
