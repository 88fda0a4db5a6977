"""JSON API of countries' assessments, mounted at /api/assessments/assessments/: CRUD of assessments and
their section assignments, answers, comments and evidence (list, read, create, replace, partial
update, delete, export, as every model has), the workflow steps, the answer upsert by question code,
the completion figures and the offline workbook.

Reads go through the access engine; writes are validated with the same forms as the web pages and
saved by the same services (the CRUD helper of cbrnet.api saves plain records with record_save,
which would skip the cycle's rules, hence `service_crud_router` below)."""

import base64
import binascii
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cbrnet import access
from cbrnet.api import (
    RecordId,
    crud_router,
    problem,
)
from cbrnet.assessments import models, workbook
from cbrnet.assessments.filters import assessments as filters
from cbrnet.assessments.forms import assessments as forms
from cbrnet.assessments.selectors import assessments as selectors
from cbrnet.assessments.services import assessments as services
from cbrnet.assessments.views import assessments as views
from cbrnet.registry.api import schemas


def service_crud_router(
    *,
    model,
    schema_out,
    schema_in,
    form_class,
    filterset_class,
    view_class,
    delete,
    ordering=(),
    export_fields=(),
    select_related=(),
    files=None,
    tag=None,
) -> Router:
    """cbrnet.api.crud_router whose writes go through the services: `view_class().save(request, form)`
    (the web page's edit view) and `delete(user, record)`. A record is deleted by whoever may delete
    it or change it (the parts of an assessment are removed by those who may change the assessment;
    the services check the assessment's status). `files(payload) -> (payload, files)` turns parts of
    the payload into uploaded files."""

    def remove(request, instance):
        if not access.can(request.user, "delete", instance) and not access.can(request.user, "change", instance):
            raise PermissionDenied(f"You may not delete this {model._meta.verbose_name}.")
        delete(request.user, instance)

    return crud_router(
        model=model,
        schema_out=schema_out,
        schema_in=schema_in,
        form_class=form_class,
        filterset_class=filterset_class,
        ordering=ordering,
        export_fields=export_fields,
        select_related=select_related,
        tag=tag,
        save=lambda request, form: view_class().save(request, form),
        delete=remove,
        delete_action="view",
        files=files,
    )


def _fields(form_class):
    return list(form_class._meta.fields)


# --- assessments ----------------------------------------------------------------------------------
ASSESSMENT_FIELDS = [
    "country",
    "version",
    "network",
    "year",
    "title",
    "status",
    "status_note",
    "submitted_at",
    "submitted_by",
    "validated_at",
    "validated_by",
    "published_at",
    "published_by",
    "created",
    "updated",
]
AssessmentOut, _unused = schemas(models.Assessment, ASSESSMENT_FIELDS)
_unused_out, AssessmentIn = schemas(models.Assessment, _fields(forms.AssessmentForm))

router = service_crud_router(
    model=models.Assessment,
    schema_out=AssessmentOut,
    schema_in=AssessmentIn,
    form_class=forms.AssessmentForm,
    filterset_class=filters.AssessmentFilterSet,
    view_class=views.AssessmentEditView,
    delete=lambda user, record: services.assessment_delete(user=user, assessment=record),
    ordering=("year", "status", "submitted_at"),
    export_fields=views.assessment.list.view_class.export_fields,
    tag="Assessments",
)


def _assessment(request, pk: int, action: str = "view") -> models.Assessment:
    return access.get_object_for(
        request.user, models.Assessment.objects.select_related("country", "version"), action, pk=pk
    )


@router.post(
    "/{int:pk}/submit",
    response=AssessmentOut,
    operation_id="assessment_submit",
    summary="Submit a draft to the secretariat (the country's National Focal Point)",
)
def assessment_submit(request, pk: int):
    return services.assessment_submit(user=request.user, assessment=_assessment(request, pk))


@router.post(
    "/{int:pk}/validate",
    response=AssessmentOut,
    operation_id="assessment_validate",
    summary="Validate a submitted assessment (the secretariat of the country's region)",
)
def assessment_validate(request, pk: int):
    return services.assessment_validate(user=request.user, assessment=_assessment(request, pk))


@router.post(
    "/{int:pk}/publish",
    response=AssessmentOut,
    operation_id="assessment_publish",
    summary="Publish a validated assessment to the network (the secretariat)",
)
def assessment_publish(request, pk: int):
    return services.assessment_publish(user=request.user, assessment=_assessment(request, pk))


class ReturnIn(Schema):
    note: str


@router.post(
    "/{int:pk}/return",
    response=AssessmentOut,
    operation_id="assessment_return",
    summary="Return a submitted or validated assessment to the country as a draft, with a note",
)
def assessment_return(request, pk: int, payload: ReturnIn):
    return services.assessment_return(
        user=request.user, assessment=_assessment(request, pk), note=payload.note
    )


class SectionCompletionOut(Schema):
    section: int
    code: str
    title: str
    required: int
    answered: int
    completion: float
    assigned_to: int | None


class CompletionOut(Schema):
    assessment: int
    status: str
    completion: float
    required: int
    answered: int
    missing: list[str]
    sections: list[SectionCompletionOut]


@router.get(
    "/{int:pk}/completion",
    response=CompletionOut,
    operation_id="assessment_completion",
    summary="Completion: the share of required questions answered or not applicable, per section too",
)
def assessment_completion(request, pk: int):
    assessment = _assessment(request, pk)
    progress = selectors.section_progress(assessment)
    summary = selectors.completion_summary(progress)
    return {
        "assessment": assessment.pk,
        "status": assessment.status,
        "completion": round(summary["completion"], 2),
        "required": summary["required_total"],
        "answered": summary["answered_total"],
        "missing": [question.code for question in selectors.missing_required(assessment)],
        "sections": [
            {
                "section": item.section.pk,
                "code": item.section.code,
                "title": item.section.title,
                "required": item.required,
                "answered": item.answered,
                "completion": round(item.percent, 2),
                "assigned_to": item.assignment.person_id if item.assignment else None,
            }
            for item in progress
        ],
    }


ANSWER_FORM_FIELDS = _fields(forms.AnswerForm)
AnswerOut, _unused = schemas(models.Answer, [*ANSWER_FORM_FIELDS, "answered_by", "updated"])
_unused_out, AnswerIn = schemas(models.Answer, ANSWER_FORM_FIELDS)


class AnswerUpsertIn(Schema):
    value: str | int | float | bool | list[str] | None = None
    not_applicable: bool = False
    justification: str = ""
    target_level: int | None = None


@router.put(
    "/{int:pk}/answers/{code}",
    response={200: AnswerOut, 204: None},
    operation_id="assessment_answer_upsert",
    summary="Answer a question given by its code (create or replace the answer; 204 when nothing is stored)",
)
def assessment_answer_upsert(request, pk: int, code: str, payload: AnswerUpsertIn):
    assessment = _assessment(request, pk)
    question = models.Question.objects.filter(version_id=assessment.version_id, code=code).first()
    if question is None:
        raise Http404
    answer = services.answer_save(
        user=request.user,
        assessment=assessment,
        question=question,
        value=payload.value,
        not_applicable=payload.not_applicable,
        justification=payload.justification,
        target_level=payload.target_level,
    )
    return Status(204, None) if answer is None else answer


@router.get(
    "/{int:pk}/workbook.xlsx",
    operation_id="assessment_workbook_download",
    response={200: None},
    summary="The assessment as an XLSX workbook to fill in offline",
)
def assessment_workbook_download(request, pk: int):
    return views.workbook_response(_assessment(request, pk))


class WorkbookOut(Schema):
    changed: int
    unchanged: int
    changed_codes: list[str]


@router.post(
    "/{int:pk}/workbook",
    response={200: WorkbookOut},
    operation_id="assessment_workbook_upload",
    summary="Upload a filled-in workbook (multipart field `file`): all or nothing; each bad cell is "
    "reported by sheet, row and column (422)",
)
def assessment_workbook_upload(request, pk: int, file: File[UploadedFile]):
    assessment = _assessment(request, pk)
    try:
        workbook.check_size(file.size)
        result = workbook.workbook_upload(user=request.user, assessment=assessment, data=file.read())
    except workbook.WorkbookError as error:
        return problem(
            request,
            422,
            "Invalid workbook",
            "Nothing was saved: correct these cells and upload again.",
            [item.as_dict() for item in error.problems],
        )
    return {"changed": result.changed, "unchanged": result.unchanged, "changed_codes": result.changed_codes}


# --- parts ----------------------------------------------------------------------------------------
AssignmentOut, AssignmentIn = schemas(models.SectionAssignment, _fields(forms.SectionAssignmentForm))
router.add_router(
    "/section-assignments",
    service_crud_router(
        model=models.SectionAssignment,
        schema_out=AssignmentOut,
        schema_in=AssignmentIn,
        form_class=forms.SectionAssignmentForm,
        filterset_class=filters.SectionAssignmentFilterSet,
        view_class=views.SectionAssignmentEditView,
        delete=lambda user, record: services.section_unassign(user=user, assignment=record),
        export_fields=views.section_assignment.list.view_class.export_fields,
        tag="Assessment section assignments",
    ),
)

router.add_router(
    "/answers",
    service_crud_router(
        model=models.Answer,
        schema_out=AnswerOut,
        schema_in=AnswerIn,
        form_class=forms.AnswerForm,
        filterset_class=filters.AnswerFilterSet,
        view_class=views.AnswerEditView,
        delete=lambda user, record: services.answer_delete(user=user, answer=record),
        ordering=("updated",),
        export_fields=views.answer.list.view_class.export_fields,
        select_related=("question",),
        tag="Assessment answers",
    ),
)

CommentOut, _unused = schemas(
    models.AssessmentComment, ["assessment", "question", "author", "text", "created"]
)
_unused_out, CommentIn = schemas(models.AssessmentComment, _fields(forms.AssessmentCommentForm))
router.add_router(
    "/comments",
    service_crud_router(
        model=models.AssessmentComment,
        schema_out=CommentOut,
        schema_in=CommentIn,
        form_class=forms.AssessmentCommentForm,
        filterset_class=filters.AssessmentCommentFilterSet,
        view_class=views.CommentEditView,
        delete=lambda user, record: services.comment_delete(user=user, comment=record),
        ordering=("created",),
        export_fields=views.comment.list.view_class.export_fields,
        tag="Assessment comments",
    ),
)


class EvidenceOut(Schema):
    id: int
    assessment: int
    question: int | None
    title: str
    file_name: str
    file: str | None  # where to download it
    uploaded_by: int | None
    created: datetime.datetime

    @staticmethod
    def resolve_assessment(obj):
        return obj.assessment_id

    @staticmethod
    def resolve_question(obj):
        return obj.question_id

    @staticmethod
    def resolve_uploaded_by(obj):
        return obj.uploaded_by_id

    @staticmethod
    def resolve_file(obj):
        return f"/api/assessments/assessments/evidence/{obj.pk}/file" if obj.file else None


class EvidenceIn(Schema):
    assessment: RecordId | None = None
    question: RecordId | None = None
    title: str | None = None
    file_name: str | None = None
    content: str | None = None  # the file, base64-encoded (small files; larger ones: POST /evidence/upload)


def _evidence_files(payload: dict):
    payload = dict(payload)
    name = (payload.pop("file_name", None) or "").strip()
    content = payload.pop("content", None)
    if content is None:
        return payload, {}
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"content": ["Send the file's content base64-encoded."]}) from None
    if not name:
        raise ValidationError({"file_name": ["Give the file's name (with its extension)."]})
    return payload, {"file": SimpleUploadedFile(name.rsplit("/", 1)[-1][:200], data)}


evidence = service_crud_router(
    model=models.Evidence,
    schema_out=EvidenceOut,
    schema_in=EvidenceIn,
    form_class=forms.EvidenceForm,
    filterset_class=filters.EvidenceFilterSet,
    view_class=views.EvidenceEditView,
    delete=lambda user, record: services.evidence_delete(user=user, evidence=record),
    ordering=("created", "title"),
    export_fields=views.evidence.list.view_class.export_fields,
    files=_evidence_files,
    tag="Assessment evidence",
)


@evidence.post(
    "/upload",
    response={201: EvidenceOut},
    operation_id="evidence_upload",
    summary="Upload an evidence file (multipart: assessment, question, title, file)",
)
def evidence_upload(
    request,
    file: File[UploadedFile],
    assessment: Form[RecordId],
    question: Form[RecordId | None] = None,
    title: Form[str] = "",
):
    parent = _assessment(request, assessment)
    target = None
    if question:
        target = models.Question.objects.filter(version_id=parent.version_id, pk=question).first()
        if target is None:
            raise ValidationError({"question": ["No such question in this assessment's questionnaire."]})
    return Status(
        201,
        services.evidence_upload(
            user=request.user, assessment=parent, file=file, title=title, question=target
        ),
    )


@evidence.get(
    "/{int:pk}/file",
    operation_id="evidence_download",
    summary="Download an evidence file",
    response={200: None},
)
def evidence_download(request, pk: int):
    item = access.get_object_for(request.user, models.Evidence.objects.all(), "view", pk=pk)
    return views.evidence_file_response(item)


router.add_router("/evidence", evidence)
