"""Reads of questionnaire templates: a version's page (sections, questions, descriptors, choices in
order, what the user may do with it, what stands in the way of publishing), and the template as a
document in the exchange formats (JSON and an XLSX workbook; docs/questionnaires.md).

The exchange formats are defined here, next to the export; the import in
`services/questionnaires.py` reads the same layout back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.models import LEVELS, Choice, LevelDescriptor, Question, QuestionnaireVersion, Section

CHOICE_TYPES = (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE)

# --- the exchange formats ---------------------------------------------------------------------------

TEMPLATE_FORMAT = "cbrnet-questionnaire"
TEMPLATE_FORMAT_VERSION = 1

VERSION_FIELDS = ("family", "version", "name", "description", "source", "previous")
SECTION_FIELDS = ("code", "order", "title", "description")
QUESTION_FIELDS = (
    "code",
    "order",
    "text",
    "guidance",
    "answer_type",
    "domains",
    "thematic_area",
    "weight",
    "target_level",
    "allow_not_applicable",
    "required",
    "reference",
    "maps_to",
)
DESCRIPTOR_FIELDS = ("level", "text")
CHOICE_FIELDS = ("order", "value", "label")

# The workbook: one sheet per kind of record; the first row names the columns. Parts name their
# parent by its code (a question its section, a descriptor or a choice its question).
SHEETS = {
    "version": ("field", "value"),
    "sections": SECTION_FIELDS,
    "questions": ("section", *QUESTION_FIELDS),
    "descriptors": ("question", *DESCRIPTOR_FIELDS),
    "choices": ("question", *CHOICE_FIELDS),
}


def weight_text(value: Decimal) -> str:
    """A weight as the files write it: plain decimal notation without trailing zeros ("1", "1.5")."""
    return f"{Decimal(value).normalize():f}"


def template_queryset():
    """A version with everything its document or page shows, in four queries whatever its size."""
    questions = (
        Question.objects.select_related("thematic_area", "maps_to")
        .prefetch_related(
            Prefetch("level_descriptors", queryset=LevelDescriptor.objects.order_by("level")),
            Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
        )
        .order_by("order", "pk")
    )
    return QuestionnaireVersion.objects.select_related("network", "previous").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("order", "pk").prefetch_related(
                Prefetch("questions", queryset=questions)
            ),
        ),
    )


def _loaded(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The version with its parts prefetched (as given when it already is)."""
    if "sections" in getattr(version, "_prefetched_objects_cache", {}):
        return version
    return template_queryset().get(pk=version.pk)


def template_document_of(version: QuestionnaireVersion) -> dict:
    """The template as a JSON-ready document (no access check: callers check)."""
    version = _loaded(version)
    sections = []
    for section in version.sections.all():
        questions = []
        for question in section.questions.all():
            questions.append(
                {
                    "code": question.code,
                    "order": question.order,
                    "text": question.text,
                    "guidance": question.guidance,
                    "answer_type": question.answer_type,
                    "domains": question.domains,
                    "thematic_area": question.thematic_area.code,
                    "weight": weight_text(question.weight),
                    "target_level": question.target_level,
                    "allow_not_applicable": question.allow_not_applicable,
                    "required": question.required,
                    "reference": question.reference,
                    "maps_to": question.maps_to.code if question.maps_to_id else None,
                    "level_descriptors": [
                        {"level": d.level, "text": d.text} for d in question.level_descriptors.all()
                    ],
                    "choices": [
                        {"order": c.order, "value": c.value, "label": c.label} for c in question.choices.all()
                    ],
                }
            )
        sections.append(
            {
                "code": section.code,
                "order": section.order,
                "title": section.title,
                "description": section.description,
                "questions": questions,
            }
        )
    return {
        "format": TEMPLATE_FORMAT,
        "format_version": TEMPLATE_FORMAT_VERSION,
        # Informative only: an import always makes a draft in the network it is given.
        "exported_from": {
            "network": version.network.code,
            "status": version.status,
            "published_on": version.published_on.isoformat() if version.published_on else None,
        },
        "version": {
            "family": version.family,
            "version": version.version,
            "name": version.name,
            "description": version.description,
            "source": version.source,
            "previous": version.previous.version if version.previous_id else None,
        },
        "sections": sections,
    }


def workbook_rows(document: dict) -> dict[str, list[list]]:
    """The rows of each sheet of the workbook (header first) for a template document."""
    head = document["version"]
    exported = document.get("exported_from", {})
    version_rows = [["format", document["format"]], ["format_version", document["format_version"]]]
    version_rows += [[name, "" if head[name] is None else head[name]] for name in VERSION_FIELDS]
    # Informative rows, ignored on import (as "exported_from" in JSON).
    version_rows += [[f"exported_from.{key}", value or ""] for key, value in exported.items()]
    rows = {
        "version": [list(SHEETS["version"]), *version_rows],
        "sections": [list(SHEETS["sections"])],
        "questions": [list(SHEETS["questions"])],
        "descriptors": [list(SHEETS["descriptors"])],
        "choices": [list(SHEETS["choices"])],
    }

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value

    for section in document["sections"]:
        rows["sections"].append([cell(section[name]) for name in SECTION_FIELDS])
        for question in section["questions"]:
            rows["questions"].append([section["code"], *(cell(question[name]) for name in QUESTION_FIELDS)])
            for descriptor in question["level_descriptors"]:
                rows["descriptors"].append(
                    [question["code"], *(cell(descriptor[n]) for n in DESCRIPTOR_FIELDS)]
                )
            for choice in question["choices"]:
                rows["choices"].append([question["code"], *(cell(choice[n]) for n in CHOICE_FIELDS)])
    return rows


def template_workbook_of(document: dict) -> bytes:
    """The template as an XLSX workbook. Text cells are written as text and neutralised, so that no
    value runs as a formula in a spreadsheet (the import takes the neutralising apostrophe off)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from cbrnet.core.exports import spreadsheet_rows

    workbook = Workbook(write_only=True)
    for title, rows in workbook_rows(document).items():
        sheet = workbook.create_sheet(title)
        for row in spreadsheet_rows(rows):
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
                cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_document(*, user, version: QuestionnaireVersion) -> dict:
    """The template as a JSON document, for a user who may export it."""
    if not access.can(user, "export", version):
        raise PermissionDenied(_("You may not export this questionnaire version."))
    return template_document_of(template_queryset().get(pk=version.pk))


def template_workbook(*, user, version: QuestionnaireVersion) -> bytes:
    """The template as an XLSX workbook, for a user who may export it."""
    return template_workbook_of(template_document(user=user, version=version))


def template_filename(version: QuestionnaireVersion, extension: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in f"{version.family}-{version.version}")
    return f"questionnaire-{safe}.{extension}"


# --- rules the pages and the services share ---------------------------------------------------------


def may_manage_template(user, version: QuestionnaireVersion) -> bool:
    """Whether the user builds, publishes and retires the templates of the version's network
    (platform administrators; secretariat officers of a region of that network), whatever the
    version's status. Changing a version's content also needs it to be a draft (access "change")."""
    policy = QuestionnaireVersion.access_policy
    return (
        QuestionnaireVersion.objects.filter(pk=version.pk)
        .filter(policy.manage_q(access.user_context(user)))
        .exists()
    )


def publication_problems(version: QuestionnaireVersion) -> dict[str, list[str]]:
    """What keeps a draft from being published, by field: at least one question; every section has
    questions; every capability-level question has a descriptor for each level 1–5; every choice
    question has at least two choices; `maps_to` only onto questions of the previous version, which
    must itself be published (or retired)."""
    version = _loaded(version)
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if version.previous_id and version.previous.status == VersionStatus.DRAFT:
        add(
            "previous",
            _("The previous version %(previous)s is still a draft: publish it first.")
            % {"previous": version.previous},
        )
    count = 0
    for section in version.sections.all():
        questions = list(section.questions.all())
        count += len(questions)
        if not questions:
            add("sections", _("Section %(section)s has no questions.") % {"section": section.code})
        for question in questions:
            if question.answer_type == AnswerType.LEVEL:
                levels = {descriptor.level for descriptor in question.level_descriptors.all()}
                missing = [str(level) for level in LEVELS if level not in levels]
                if missing:
                    add(
                        "level_descriptors",
                        _("Question %(code)s has no descriptor for level %(levels)s.")
                        % {"code": question.code, "levels": ", ".join(missing)},
                    )
            if question.answer_type in CHOICE_TYPES and len(question.choices.all()) < 2:
                add("choices", _("Question %(code)s needs at least two choices.") % {"code": question.code})
            if question.maps_to_id and (
                not version.previous_id or question.maps_to.version_id != version.previous_id
            ):
                add(
                    "maps_to",
                    _("Question %(code)s maps onto a question that is not in the previous version.")
                    % {"code": question.code},
                )
    if not count:
        add("questions", _("The version has no questions yet."))
    return problems


# --- pages ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionPermissions:
    """What the user may do with one version, for the buttons a page offers."""

    build: bool  # change its content (drafts only)
    delete: bool
    publish: bool
    retire: bool
    new_version: bool


def version_permissions(*, user, version: QuestionnaireVersion) -> VersionPermissions:
    manage = may_manage_template(user, version)
    build = manage and version.status == VersionStatus.DRAFT
    return VersionPermissions(
        build=build,
        delete=build,
        publish=build,
        retire=manage and version.status == VersionStatus.PUBLISHED,
        new_version=manage
        and version.status != VersionStatus.DRAFT
        and access.may_add(user, QuestionnaireVersion),
    )


def questionnaire_version_page(*, user, version: QuestionnaireVersion) -> dict:
    """The content of a version's page (read-only detail or builder): its sections with their
    questions in order, each with descriptors and choices; what the user may do; and, for a draft,
    what stands in the way of publishing. A fixed number of queries whatever the size."""
    version = access.restrict(template_queryset(), user, "view").get(pk=version.pk)
    sections = list(version.sections.all())
    permissions = version_permissions(user=user, version=version)
    problems = publication_problems(version) if version.status == VersionStatus.DRAFT else {}
    return {
        "version": version,
        "sections": sections,
        "question_count": sum(len(section.questions.all()) for section in sections),
        "permissions": permissions,
        "problems": [message for messages in problems.values() for message in messages],
        "next_versions": list(access.restrict(version.next_versions.all(), user, "view").order_by("version")),
    }


def _questions_queryset():
    return Question.objects.select_related("thematic_area", "maps_to", "version").prefetch_related(
        Prefetch("level_descriptors", queryset=LevelDescriptor.objects.order_by("level")),
        Prefetch("choices", queryset=Choice.objects.order_by("order", "pk")),
    )


def builder_section(*, user, section: Section) -> Section:
    """One section of the builder with its questions, their descriptors and choices."""
    return (
        access.restrict(Section.objects.select_related("version"), user, "view")
        .prefetch_related(Prefetch("questions", queryset=_questions_queryset().order_by("order", "pk")))
        .get(pk=section.pk)
    )


def builder_question(*, user, question: Question) -> Question:
    """One question of the builder with its descriptors and choices."""
    return access.restrict(_questions_queryset().select_related("section"), user, "view").get(pk=question.pk)
