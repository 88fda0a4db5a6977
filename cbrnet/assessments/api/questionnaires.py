"""JSON API of questionnaire templates, at /api/assessments/questionnaires/: CRUD of versions (the
root), sections, questions, level descriptors and choices; publish, retire and new-version; export
of a whole template (JSON or XLSX) and import (a JSON document or an XLSX workbook, multipart).

The CRUD endpoints keep the shape of `cbrnet.api.crud_router` (same list parameters, pagination,
problem details, operation ids) but write through `services/questionnaires.py`, whose rules (a
published version never changes) hold on every entry point.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cbrnet import access
from cbrnet.api import (
    RecordId,
    crud_router,
    problem,
)
from cbrnet.assessments import models
from cbrnet.assessments.forms import questionnaires as forms
from cbrnet.assessments.selectors import questionnaires as selectors
from cbrnet.assessments.services import questionnaires as services
from cbrnet.assessments.views import questionnaires as views
from cbrnet.core.exports import XLSX_CONTENT_TYPE
from cbrnet.registry.api import schemas
from cbrnet.registry.models import Network


def template_router(*, model, form_class, model_views, ordering=(), out_fields=None, select_related=(), tag):
    """cbrnet.api.crud_router for one model of the templates, writing through
    `services/questionnaires.py` (a published version never changes, whatever the entry point)."""
    fields = list(form_class._meta.fields)
    schema_out, schema_in = schemas(model, fields)
    if out_fields:
        schema_out = schemas(model, out_fields)[0]  # the input schema made here is not used
    router = crud_router(
        model=model,
        schema_out=schema_out,
        schema_in=schema_in,
        form_class=form_class,
        filterset_class=model_views.filterset,
        ordering=ordering,
        export_fields=model_views.list.view_class.export_fields,
        select_related=select_related,
        tag=tag,
        save=lambda request, form: views.save_through_services(request.user, form),
        delete=lambda request, instance: views.delete_through_services(request.user, instance),
    )
    router.schema_out = schema_out
    return router


VERSION_OUT = [
    "network",
    "family",
    "version",
    "name",
    "description",
    "previous",
    "status",
    "published_on",
    "source",
]

versions = template_router(
    model=models.QuestionnaireVersion,
    form_class=forms.QuestionnaireVersionForm,
    model_views=views.questionnaire_version,
    ordering=("family", "version", "name", "published_on"),
    out_fields=VERSION_OUT,
    select_related=("network",),
    tag="Questionnaire versions",
)
sections = template_router(
    model=models.Section,
    form_class=forms.SectionForm,
    model_views=views.section,
    ordering=("order", "code"),
    tag="Questionnaire sections",
)
questions = template_router(
    model=models.Question,
    form_class=forms.QuestionForm,
    model_views=views.question,
    ordering=("order", "code", "weight"),
    out_fields=["version", *forms.QuestionForm._meta.fields],
    tag="Questionnaire questions",
)
level_descriptors = template_router(
    model=models.LevelDescriptor,
    form_class=forms.LevelDescriptorForm,
    model_views=views.level_descriptor,
    ordering=("level",),
    tag="Level descriptors",
)
choices = template_router(
    model=models.Choice,
    form_class=forms.ChoiceForm,
    model_views=views.choice,
    ordering=("order", "value"),
    tag="Questionnaire choices",
)

VersionOut = versions.schema_out
actions = Router(tags=["Questionnaire versions"])


def _version(request, pk: int, action: str = "view") -> models.QuestionnaireVersion:
    return access.get_object_for(request.user, models.QuestionnaireVersion.objects.all(), action, pk=pk)


class NewVersionIn(Schema):
    version: str
    name: str = ""


class TemplateProblemOut(Schema):
    location: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    path: str | None = None


@actions.post(
    "/{int:pk}/publish",
    response=VersionOut,
    operation_id="questionnaireversion_publish",
    summary="Publish a complete draft (from then on it never changes)",
)
def questionnaireversion_publish(request, pk: int):
    return services.questionnaire_version_publish(user=request.user, version=_version(request, pk))


@actions.post(
    "/{int:pk}/retire",
    response=VersionOut,
    operation_id="questionnaireversion_retire",
    summary="Retire a published version (no new assessments use it)",
)
def questionnaireversion_retire(request, pk: int):
    return services.questionnaire_version_retire(user=request.user, version=_version(request, pk))


@actions.post(
    "/{int:pk}/new-version",
    response={201: VersionOut},
    operation_id="questionnaireversion_new_version",
    summary="Start a new draft from a published version; its questions map onto the copied ones",
)
def questionnaireversion_new_version(request, pk: int, payload: NewVersionIn):
    draft = services.questionnaire_version_new_from(
        user=request.user,
        version=_version(request, pk),
        new_version=payload.version,
        name=payload.name,
    )
    return Status(201, draft)


@actions.get(
    "/{int:pk}/template",
    operation_id="questionnaireversion_template_export",
    response={200: None},
    summary="The whole template as a JSON document (format=json) or an XLSX workbook (format=xlsx)",
)
def questionnaireversion_template_export(request, pk: int, format: str = "json"):
    if format not in ("json", "xlsx"):
        raise ValidationError({"format": ["Use json or xlsx."]})
    version = _version(request, pk, "export")
    if format == "xlsx":
        response = HttpResponse(
            selectors.template_workbook(user=request.user, version=version), content_type=XLSX_CONTENT_TYPE
        )
    else:
        document = selectors.template_document(user=request.user, version=version)
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{selectors.template_filename(version, format)}"'
    return response


@actions.post(
    "/import",
    response={201: VersionOut, 422: None},
    operation_id="questionnaireversion_template_import",
    summary="Import a whole template (JSON document or XLSX workbook) as a new draft of a network",
)
def questionnaireversion_template_import(request, network: Form[RecordId], file: File[UploadedFile]):
    if not access.may_add(request.user, models.QuestionnaireVersion):
        raise PermissionDenied("You may not add questionnaire versions.")
    target = access.get_object_for(request.user, Network.objects.all(), "view", pk=network)
    if file.size > services.TEMPLATE_IMPORT_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    f"The file is {file.size / 2**20:.1f} MB; the limit is "
                    f"{services.TEMPLATE_IMPORT_MAX_BYTES / 2**20:.0f} MB."
                ]
            }
        )
    try:
        version = services.questionnaire_version_import(user=request.user, network=target, data=file.read())
    except services.TemplateImportError as error:
        errors = [{"field": item.path or item.column, **item.as_dict()} for item in error.problems]
        return problem(
            request, 422, "Invalid template", "Nothing was imported; every problem is listed.", errors
        )
    return Status(201, version)


router = Router()
router.add_router("/", actions)
router.add_router("/", versions)
router.add_router("/sections", sections)
router.add_router("/questions", questions)
router.add_router("/level-descriptors", level_descriptors)
router.add_router("/choices", choices)
