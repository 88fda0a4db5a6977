"""JSON API of projects: CRUD of projects, activities and participations (the generic crud_router),
plus the pipeline (advance, raise an idea, the board, uncovered priorities), training totals and
certificates. Every endpoint reads through the access engine and writes through the services."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from ninja import ModelSchema, Router, Schema, Status

from cbrnet import access
from cbrnet.api import RecordId, crud_router, form_errors
from cbrnet.core.exports import EXPORT_FORMATS
from cbrnet.core.generic import restrict_form_fields
from cbrnet.projects import filters, forms, models, selectors, services, views
from cbrnet.projects.certificates import certificate_pdf
from cbrnet.projects.choices import ActivityKind, ParticipantRole, TotalsDimension
from cbrnet.registry.api import router_for, schemas
from cbrnet.registry.models import Region

PROJECT_FIELDS = list(forms.ProjectForm._meta.fields)


class ProjectOut(ModelSchema):
    cbrn_areas: list[str]
    budget: Decimal | None = None

    class Meta:
        model = models.Project
        fields = ["id", *PROJECT_FIELDS, "status_note", "status_changed_on"]

    @staticmethod
    def resolve_cbrn_areas(obj):
        return models.decode_domains(obj.cbrn_areas)


class ProjectIn(schemas(models.Project, PROJECT_FIELDS)[1]):
    cbrn_areas: list[str] | None = None


class ParticipationOut(ModelSchema):
    class Meta:
        model = models.Participation
        fields = [
            "id", "activity", "person", "role", "attended", "note", "country", "organisation", "gender",
            "certificate_issued", "certificate_issued_on", "certificate_code",
        ]


PARTICIPATION_FIELDS = list(forms.ParticipationForm._meta.fields)
ParticipationIn = schemas(models.Participation, PARTICIPATION_FIELDS)[1]

router = Router()
extras = Router(tags=["Projects"])
participation_extras = Router(tags=["Participations"])


# --- the pipeline ----------------------------------------------------------------------------------


class AdvanceIn(Schema):
    to_status: str
    note: str = ""


class IdeaIn(Schema):
    region: RecordId
    title: str
    objectives: str = ""
    cbrn_areas: list[str] = []
    countries: list[RecordId] = []
    thematic_areas: list[RecordId] = []
    priorities: list[RecordId] = []
    origin: str = ""
    origin_detail: str = ""
    nap_actions: list[RecordId] = []  # NAP actions the idea would carry out (of plans the user may change)


class StageOut(Schema):
    status: str
    label: str
    count: int
    projects: list[int]


class UncoveredPriorityOut(Schema):
    id: int
    title: str
    region: int
    thematic_area: int | None
    ideas_and_proposals: list[int]


class UncoveredOut(Schema):
    total: int
    covered: int
    uncovered: list[UncoveredPriorityOut]


def _project_out(project):
    return models.Project.objects.prefetch_related(
        "regions", "countries", "thematic_areas", "priorities", "implementers"
    ).get(pk=project.pk)


@extras.post(
    "/{int:pk}/advance", response=ProjectOut, operation_id="project_advance",
    summary="Move a project one step along the pipeline (idea → proposal → approved → ongoing → closed)",
)
def project_advance(request, pk: int, payload: AdvanceIn):
    project = access.get_object_for(request.user, models.Project.objects.all(), "view", pk=pk)
    moved = services.project_advance(user=request.user, project=project, to_status=payload.to_status, note=payload.note)
    return _project_out(moved)


@extras.post(
    "/ideas", response={201: ProjectOut}, operation_id="project_raise_idea",
    summary="Raise a project idea for a region (its focal points and secretariat)",
)
def project_raise_idea(request, payload: IdeaIn):
    form = forms.ProjectIdeaForm(data=payload.model_dump())
    restrict_form_fields(form, request.user)
    form.fields["nap_actions"].queryset = selectors.nap_actions_to_link(user=request.user)
    if not form.is_valid():
        raise form_errors(form)
    idea = services.project_idea_raise(user=request.user, **form.cleaned_data)
    return Status(201, _project_out(idea))


@extras.get("/pipeline", response=list[StageOut], operation_id="project_pipeline",
            summary="The projects you may see, by stage of the pipeline")
def project_pipeline(request, region: RecordId | None = None):
    chosen = access.get_object_for(request.user, Region.objects.all(), "view", pk=region) if region else None
    return [
        {"status": stage["status"], "label": str(stage["label"]), "count": stage["count"],
         "projects": [project.pk for project in stage["projects"]]}
        for stage in selectors.pipeline(user=request.user, region=chosen)
    ]


@extras.get("/uncovered-priorities", response=UncoveredOut, operation_id="project_uncovered_priorities",
            summary="Regional priorities no approved or ongoing project serves yet")
def project_uncovered_priorities(request, region: RecordId | None = None):
    chosen = access.get_object_for(request.user, Region.objects.all(), "view", pk=region) if region else None
    result = selectors.uncovered_priorities(user=request.user, region=chosen)
    return {
        "total": result["total"], "covered": result["covered"],
        "uncovered": [
            {"id": priority.pk, "title": priority.title, "region": priority.region_id,
             "thematic_area": priority.thematic_area_id,
             "ideas_and_proposals": [project.pk for project in priority.pipeline_projects]}
            for priority in result["uncovered"]
        ],
    }


# --- training totals -------------------------------------------------------------------------------


class HeadlineOut(Schema):
    year: int | None
    people: int
    countries: int
    text: str


class TotalsOut(Schema):
    group_by: list[str]
    rows: list[dict[str, Any]]
    total: dict[str, int]
    headlines: list[HeadlineOut]


def _array(name, values, description):
    return {"name": name, "in": "query", "required": False, "description": description, "style": "form",
            "explode": True, "schema": {"type": "array", "items": {"type": "string", "enum": list(values)}}}


def _integer(name, description, minimum=1, maximum=2**63 - 1):
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "integer", "minimum": minimum, "maximum": maximum}}


TOTALS_PARAMETERS = [
    _array("group_by", TotalsDimension.values, "Group by (repeat the parameter); default country and year."),
    _integer("year_from", "First year", 1990, 2100),
    _integer("year_to", "Last year", 1990, 2100),
    _integer("country", "Country id"),
    _integer("region", "Region id (countries of the region)"),
    _integer("project", "Project id"),
    {"name": "kind", "in": "query", "required": False, "description": "Kind of activity",
     "schema": {"type": "string", "enum": ActivityKind.values}},
    _integer("thematic_area", "Thematic area id"),
    _array("role", ParticipantRole.values, "Roles counted (repeat the parameter); default trainee."),
]


def _totals(request):
    form = forms.TotalsForm(request.GET)
    restrict_form_fields(form, request.user)
    if not form.is_valid():
        raise form_errors(form)
    return selectors.training_totals(
        request.user, group_by=form.cleaned_data.get("group_by") or forms.DEFAULT_GROUP_BY,
        filters=forms.totals_filters(form),
    )


@extras.get("/training-totals", response=TotalsOut, operation_id="training_totals",
            summary="How many people were trained, by country, region, year, thematic area, gender or kind",
            openapi_extra={"parameters": TOTALS_PARAMETERS})
def training_totals(request):
    totals = _totals(request)
    return {"group_by": list(totals.group_by), "rows": totals.rows, "total": totals.total, "headlines": totals.headlines}


@extras.get("/training-totals/export", operation_id="training_totals_export",
            summary="Training totals as CSV or XLSX",
            openapi_extra={"parameters": [*TOTALS_PARAMETERS, {
                "name": "format", "in": "query", "required": False, "schema": {"type": "string", "enum": list(EXPORT_FORMATS)}}]})
def training_totals_export(request):
    file_format = request.GET.get("format", "csv")
    if file_format not in EXPORT_FORMATS:
        raise ValidationError({"format": [f"Use one of: {', '.join(EXPORT_FORMATS)}."]})
    return views.totals_file(_totals(request), file_format)


# --- certificates ----------------------------------------------------------------------------------


class CertificateIn(Schema):
    revoke: bool = False
    issued_on: datetime.date | None = None


def _participation(request, pk, action="view"):
    return access.get_object_for(
        request.user, models.Participation.objects.select_related("activity__project", "person"), action, pk=pk
    )


@participation_extras.post(
    "/{int:pk}/certificate", response=ParticipationOut, operation_id="participation_certificate_issue",
    summary="Issue (or with revoke, withdraw) the certificate of an attended participation",
)
def participation_certificate_issue(request, pk: int, payload: CertificateIn):
    participation = _participation(request, pk)
    if payload.revoke:
        return services.participation_certificate_revoke(user=request.user, participation=participation)
    return services.participation_certificate_issue(user=request.user, participation=participation, on=payload.issued_on)


@participation_extras.get(
    "/{int:pk}/certificate", operation_id="participation_certificate",
    summary="The certificate as PDF (for whoever may see the participation)",
)
def participation_certificate(request, pk: int):
    participation = _participation(request, pk)
    if not participation.certificate_issued:
        raise Http404("No certificate was issued for this participation.")
    response = HttpResponse(certificate_pdf(participation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{participation.certificate_code}.pdf"'
    return response


# --- wiring ----------------------------------------------------------------------------------------

router.add_router("/", extras)
router.add_router("/activities", router_for(
    models.Activity, forms.ActivityForm, filters.ActivityFilterSet, views.activity, ("start_date", "title"),
    select_related=("project", "country"), prefetch_related=("organisers", "thematic_areas"), tag="Activities"))
router.add_router("/participations", participation_extras)
router.add_router("/participations", crud_router(
    model=models.Participation, schema_out=ParticipationOut, schema_in=ParticipationIn,
    form_class=forms.ParticipationForm, filterset_class=filters.ParticipationFilterSet, ordering=("role", "attended"),
    export_fields=views.participation.list.view_class.export_fields,
    select_related=("activity", "person", "country", "organisation"), tag="Participations"))
router.add_router("/", crud_router(
    model=models.Project, schema_out=ProjectOut, schema_in=ProjectIn, form_class=forms.ProjectForm,
    filterset_class=filters.ProjectFilterSet, ordering=("code", "start_year", "end_year", "start_date"),
    export_fields=views.project.list.view_class.export_fields, select_related=("network",),
    prefetch_related=("regions", "countries", "thematic_areas", "priorities", "implementers"), tag="Projects"))
