"""Writes of questionnaire templates: versions, their sections, questions, level descriptors and
choices; publishing, retiring and starting a new version from a published one; importing a whole
template from JSON or XLSX (docs/questionnaires.md).

The rules every entry point (web UI, API, import, the default-template loader) goes through:

* A published or retired version never changes: every write to a version or one of its parts locks
  the version's row and refuses anything but a draft (the access engine's TemplatePolicy refuses it
  too; the lock makes sure nothing is added while another request publishes).
* Who builds: platform administrators and the secretariat officers of a region of the version's
  network (`access.can(user, "change", …)` on drafts; `may_manage_template` to retire or copy).
* Every write runs in one transaction, calls full_clean() and is audited by the models.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.assessments.choices import AnswerType, VersionStatus
from cbrnet.assessments.models import Choice, LevelDescriptor, Question, QuestionnaireVersion, Section
from cbrnet.assessments.selectors.questionnaires import (
    CHOICE_FIELDS,
    CHOICE_TYPES,
    DESCRIPTOR_FIELDS,
    QUESTION_FIELDS,
    SECTION_FIELDS,
    SHEETS,
    TEMPLATE_FORMAT,
    TEMPLATE_FORMAT_VERSION,
    VERSION_FIELDS,
    may_manage_template,
    publication_problems,
)
from cbrnet.projects.models import encode_domains
from cbrnet.registry.models import Network, ThematicArea

VERSION_EDITABLE = ("family", "version", "name", "description", "previous", "source")
SECTION_EDITABLE = ("order", "code", "title", "description")
QUESTION_EDITABLE = (
    "section",
    "order",
    "code",
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
DESCRIPTOR_EDITABLE = ("level", "text")
CHOICE_EDITABLE = ("order", "value", "label")


# --- shared checks ----------------------------------------------------------------------------------


def _locked(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The version's row, locked until the transaction ends (call inside one)."""
    return QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)


def _ensure_draft(version: QuestionnaireVersion, field_name: str = "version") -> None:
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(
            {
                field_name: _(
                    "%(version)s is %(status)s: a published or retired questionnaire version never changes. "
                    "Make a new version from it instead."
                )
                % {"version": version, "status": version.get_status_display().lower()}
            }
        )


def _ensure_builder(user, version: QuestionnaireVersion) -> None:
    if not access.can(user, "change", version):
        raise PermissionDenied(_("You may not change this questionnaire version."))


def _draft_for_write(
    user, version: QuestionnaireVersion, field_name: str = "version"
) -> QuestionnaireVersion:
    """Lock the version, then refuse unless it is a draft the user may build (in that order: the
    status is named to everybody, since every signed-in user reads templates)."""
    locked = _locked(version)
    _ensure_draft(locked, field_name)
    _ensure_builder(user, locked)
    return locked


def _apply(instance, changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    for name, value in changes.items():
        setattr(instance, name, value)


def _save(user, instance) -> None:
    instance.full_clean()
    instance.save()
    access.ensure_in_scope(user, instance, "change")


def _next_order(queryset) -> int:
    return (queryset.aggregate(highest=Max("order"))["highest"] or 0) + 1


# --- versions ---------------------------------------------------------------------------------------


def _check_previous(previous: QuestionnaireVersion | None, network_id: int | None) -> None:
    if previous is None:
        return
    if previous.status == VersionStatus.DRAFT:
        raise ValidationError(
            {"previous": _("The previous version must be published (or retired), not a draft.")}
        )
    if network_id is not None and previous.network_id != network_id:
        raise ValidationError({"previous": _("The previous version must belong to the same network.")})


def _check_unique_label(network_id, family: str, label: str, exclude_pk=None) -> None:
    clash = QuestionnaireVersion.objects.filter(network_id=network_id, family=family, version=label)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "version": _("The network already has version %(version)s of %(family)s.")
                % {"version": label, "family": family}
            }
        )


def questionnaire_version_create(
    *,
    user,
    network: Network,
    family: str,
    version: str,
    name: str,
    description: str = "",
    previous: QuestionnaireVersion | None = None,
    source: str = "",
) -> QuestionnaireVersion:
    """A new draft version of a questionnaire in `network` (empty: add sections and questions, or
    use `questionnaire_version_new_from` to start from a published version)."""
    if not access.may_add(user, QuestionnaireVersion):
        raise PermissionDenied(_("You may not add questionnaire versions."))
    instance = QuestionnaireVersion(
        network=network,
        family=family,
        version=version,
        name=name,
        description=description,
        previous=previous,
        source=source,
        status=VersionStatus.DRAFT,
    )
    with transaction.atomic():
        _check_previous(previous, network.pk if network else None)
        if network is not None:
            _check_unique_label(network.pk, family, version)
        _save(user, instance)
    return instance


def questionnaire_version_update(
    *, user, version: QuestionnaireVersion, changes: dict[str, Any]
) -> QuestionnaireVersion:
    """Change a draft's label, name, description, sources or previous version. The previous version
    cannot change while questions map onto it (remove those mappings first)."""
    with transaction.atomic():
        locked = _draft_for_write(user, version, "status")
        old_previous = locked.previous_id
        _apply(locked, changes, VERSION_EDITABLE)
        if locked.previous_id != old_previous:
            _check_previous(locked.previous, locked.network_id)
            if locked.questions.filter(maps_to__isnull=False).exists():
                raise ValidationError(
                    {
                        "previous": _(
                            "Questions of this version map onto the current previous version: remove their "
                            "mappings before choosing another previous version."
                        )
                    }
                )
        _check_unique_label(locked.network_id, locked.family, locked.version, exclude_pk=locked.pk)
        _save(user, locked)
    return locked


def questionnaire_version_delete(*, user, version: QuestionnaireVersion) -> None:
    """Delete a draft with its sections, questions, descriptors and choices."""
    with transaction.atomic():
        locked = _locked(version)
        _ensure_draft(locked, "status")
        if not access.can(user, "delete", locked):
            raise PermissionDenied(_("You may not delete this questionnaire version."))
        locked.delete()


def questionnaire_version_publish(*, user, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Publish a complete draft: from then on countries answer it and it never changes. Refused with
    messages naming what is missing (see `publication_problems`)."""
    with transaction.atomic():
        locked = _draft_for_write(user, version, "status")
        _publish(locked)
    return locked


def _publish(locked: QuestionnaireVersion) -> None:
    problems = publication_problems(locked)
    if problems:
        raise ValidationError(problems)
    locked.status = VersionStatus.PUBLISHED
    locked.published_on = timezone.localdate()
    locked.full_clean()
    locked.save()


def questionnaire_version_retire(*, user, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Retire a published version: no new assessments use it; existing ones keep it, unchanged."""
    with transaction.atomic():
        locked = _locked(version)
        if locked.status != VersionStatus.PUBLISHED:
            raise ValidationError({"status": _("Only a published version can be retired.")})
        if not may_manage_template(user, locked):
            raise PermissionDenied(_("You may not retire this questionnaire version."))
        locked.status = VersionStatus.RETIRED
        locked.full_clean()
        locked.save()
    return locked


def questionnaire_version_new_from(
    *,
    user,
    version: QuestionnaireVersion,
    new_version: str,
    name: str = "",
    description: str | None = None,
) -> QuestionnaireVersion:
    """A new draft copied from a published (or retired) version: the same sections, questions,
    descriptors and choices, with `previous` set to the copied version and each question mapped onto
    the question it was copied from, so that results stay comparable. Then edit the draft."""
    if not access.may_add(user, QuestionnaireVersion) or not may_manage_template(user, version):
        raise PermissionDenied(_("You may not make new versions of this questionnaire."))
    if version.status == VersionStatus.DRAFT:
        raise ValidationError(
            {"version": _("Make new versions from a published or retired version, not a draft.")}
        )
    from cbrnet.assessments.selectors.questionnaires import template_queryset

    source = template_queryset().get(pk=version.pk)
    draft = QuestionnaireVersion(
        network_id=source.network_id,
        family=source.family,
        version=(new_version or "").strip(),
        name=name or source.name,
        description=source.description if description is None else description,
        source=source.source,
        previous=source,
        status=VersionStatus.DRAFT,
    )
    with transaction.atomic():
        _check_unique_label(source.network_id, source.family, draft.version)
        _save(user, draft)
        for section in source.sections.all():
            copy = Section(
                version=draft,
                order=section.order,
                code=section.code,
                title=section.title,
                description=section.description,
            )
            copy.full_clean()
            copy.save()
            for question in section.questions.all():
                new_question = Question(
                    version=draft,
                    section=copy,
                    maps_to=question,
                    **{
                        name: getattr(question, name)
                        for name in (
                            "order",
                            "code",
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
                        )
                    },
                )
                new_question.full_clean()
                new_question.save()
                for descriptor in question.level_descriptors.all():
                    LevelDescriptor.objects.create(
                        question=new_question, level=descriptor.level, text=descriptor.text
                    )
                for choice in question.choices.all():
                    Choice.objects.create(
                        question=new_question, order=choice.order, value=choice.value, label=choice.label
                    )
    return draft


# --- sections ---------------------------------------------------------------------------------------


def section_create(
    *,
    user,
    version: QuestionnaireVersion,
    code: str,
    title: str,
    order: int | None = None,
    description: str = "",
) -> Section:
    """A new section of a draft (at the end unless `order` is given)."""
    with transaction.atomic():
        locked = _draft_for_write(user, version)
        section = Section(
            version=locked,
            code=code,
            title=title,
            description=description,
            order=order or _next_order(locked.sections.all()),
        )
        _save(user, section)
    return section


def section_update(*, user, section: Section, changes: dict[str, Any]) -> Section:
    """Change a draft's section (its code, title, description or place)."""
    with transaction.atomic():
        _draft_for_write(user, section.version)
        section = Section.objects.get(pk=section.pk)
        _apply(section, changes, SECTION_EDITABLE)
        _save(user, section)
    return section


def section_delete(*, user, section: Section) -> None:
    """Delete a draft's section with its questions."""
    with transaction.atomic():
        _draft_for_write(user, section.version)
        Section.objects.get(pk=section.pk).delete()


# --- questions --------------------------------------------------------------------------------------


def _check_question(question: Question) -> None:
    if question.section_id and question.section.version_id != question.version_id:
        raise ValidationError({"section": _("Choose a section of the same questionnaire version.")})


def _drop_unused_options(question: Question) -> None:
    """Descriptors belong to capability-level questions and choices to choice questions only: when a
    question's answer type changes, those that no longer apply are deleted (audited)."""
    if question.answer_type != AnswerType.LEVEL:
        question.level_descriptors.all().delete()
    if question.answer_type not in CHOICE_TYPES:
        question.choices.all().delete()


def question_create(
    *,
    user,
    section: Section,
    code: str,
    text: str,
    thematic_area: ThematicArea,
    answer_type: str = AnswerType.LEVEL,
    order: int | None = None,
    guidance: str = "",
    domains: str = "",
    weight: Decimal | int | str = 1,
    target_level: int = 4,
    allow_not_applicable: bool = True,
    required: bool = True,
    reference: str = "",
    maps_to: Question | None = None,
) -> Question:
    """A new question at the end of a draft's section (unless `order` is given)."""
    with transaction.atomic():
        locked = _draft_for_write(user, section.version, "section")
        question = Question(
            version=locked,
            section=section,
            code=code,
            text=text,
            thematic_area=thematic_area,
            answer_type=answer_type,
            order=order or _next_order(section.questions.all()),
            guidance=guidance,
            domains=domains,
            weight=weight,
            target_level=target_level,
            allow_not_applicable=allow_not_applicable,
            required=required,
            reference=reference,
            maps_to=maps_to,
        )
        _check_question(question)
        _save(user, question)
    return question


def question_update(*, user, question: Question, changes: dict[str, Any]) -> Question:
    """Change a draft's question. A new answer type deletes the descriptors or choices that no
    longer apply; a question may move to another section of the same version."""
    with transaction.atomic():
        _draft_for_write(user, question.version)
        question = Question.objects.select_related("section", "version").get(pk=question.pk)
        _apply(question, changes, QUESTION_EDITABLE)
        _check_question(question)
        _save(user, question)
        _drop_unused_options(question)
    return question


def question_delete(*, user, question: Question) -> None:
    """Delete a draft's question with its descriptors and choices."""
    with transaction.atomic():
        _draft_for_write(user, question.version)
        Question.objects.get(pk=question.pk).delete()


# --- level descriptors ------------------------------------------------------------------------------


def _ensure_level_question(question: Question) -> None:
    if question.answer_type != AnswerType.LEVEL:
        raise ValidationError({"question": _("Only capability-level questions have level descriptors.")})


def level_descriptor_create(*, user, question: Question, level: int, text: str) -> LevelDescriptor:
    """What one capability level means for a draft's question."""
    with transaction.atomic():
        _draft_for_write(user, question.version, "question")
        question = Question.objects.get(pk=question.pk)  # its answer type as stored now
        _ensure_level_question(question)
        descriptor = LevelDescriptor(question=question, level=level, text=text)
        _save(user, descriptor)
    return descriptor


def level_descriptor_update(*, user, descriptor: LevelDescriptor, changes: dict[str, Any]) -> LevelDescriptor:
    with transaction.atomic():
        _draft_for_write(user, descriptor.question.version, "question")
        descriptor = LevelDescriptor.objects.get(pk=descriptor.pk)
        _apply(descriptor, changes, DESCRIPTOR_EDITABLE)
        _save(user, descriptor)
    return descriptor


def level_descriptor_delete(*, user, descriptor: LevelDescriptor) -> None:
    with transaction.atomic():
        _draft_for_write(user, descriptor.question.version, "question")
        LevelDescriptor.objects.get(pk=descriptor.pk).delete()


def question_descriptors_save(*, user, question: Question, texts: dict[int, str]) -> list[LevelDescriptor]:
    """Set the descriptors of a draft's capability-level question at once: `texts` maps each level
    1–5 to its text; an empty text deletes that level's descriptor. Only what differs is written."""
    with transaction.atomic():
        _draft_for_write(user, question.version, "question")
        question = Question.objects.get(pk=question.pk)
        _ensure_level_question(question)
        unknown = [level for level in texts if level not in range(1, 6)]
        if unknown:
            raise ValidationError({"level": _("Levels run from 1 to 5.")})
        current = {descriptor.level: descriptor for descriptor in question.level_descriptors.all()}
        for level, text in sorted(texts.items()):
            text = (text or "").strip()
            descriptor = current.get(level)
            if not text:
                if descriptor is not None:
                    descriptor.delete()
                continue
            if descriptor is None:
                descriptor = LevelDescriptor(question=question, level=level, text=text)
            elif descriptor.text == text:
                continue
            descriptor.text = text
            try:
                _save(user, descriptor)
            except ValidationError as error:
                raise ValidationError({f"level_{level}": error.messages}) from None
    return list(question.level_descriptors.order_by("level"))


# --- choices ----------------------------------------------------------------------------------------


def _ensure_choice_question(question: Question) -> None:
    if question.answer_type not in CHOICE_TYPES:
        raise ValidationError({"question": _("Only single- and multiple-choice questions have choices.")})


def choice_create(*, user, question: Question, value: str, label: str, order: int | None = None) -> Choice:
    """An option of a draft's choice question (at the end unless `order` is given)."""
    with transaction.atomic():
        _draft_for_write(user, question.version, "question")
        question = Question.objects.get(pk=question.pk)
        _ensure_choice_question(question)
        choice = Choice(
            question=question, value=value, label=label, order=order or _next_order(question.choices.all())
        )
        _save(user, choice)
    return choice


def choice_update(*, user, choice: Choice, changes: dict[str, Any]) -> Choice:
    with transaction.atomic():
        _draft_for_write(user, choice.question.version, "question")
        choice = Choice.objects.get(pk=choice.pk)
        _apply(choice, changes, CHOICE_EDITABLE)
        _save(user, choice)
    return choice


def choice_delete(*, user, choice: Choice) -> None:
    with transaction.atomic():
        _draft_for_write(user, choice.question.version, "question")
        Choice.objects.get(pk=choice.pk).delete()


# --- import of a whole template ---------------------------------------------------------------------

TEMPLATE_IMPORT_MAX_BYTES = 5 * 1024 * 1024  # a large template is a few hundred kilobytes
XLSX_MAX_EXPANSION = 25  # a workbook may unzip to this many times the limit (zip bombs)
MAX_SECTIONS, MAX_QUESTIONS, MAX_DESCRIPTORS, MAX_CHOICES = 200, 3000, 10, 100
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with an uploaded template: where (sheet, row and column of a workbook, or the
    path in a JSON document) and what."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    path: str | None = None

    @property
    def location(self) -> str:
        if self.sheet is not None:
            parts = [_("sheet %(sheet)s") % {"sheet": self.sheet}]
            if self.row:
                parts.append(_("row %(row)s") % {"row": self.row})
            if self.column:
                parts.append(
                    _("column %(column)s") % {"column": self.column}
                    + (f" ({self.cell})" if self.cell else "")
                )
            return ", ".join(parts)
        return self.path or _("the file")

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"

    def as_dict(self) -> dict:
        data = {"location": self.location, "message": self.message}
        if self.sheet is not None:
            data.update(sheet=self.sheet, row=self.row, column=self.column, cell=self.cell)
        else:
            data["path"] = self.path
        return data


class TemplateImportError(Exception):
    """The template was not imported; `problems` names every error found (nothing was written)."""

    def __init__(self, problems: list[TemplateProblem]):
        super().__init__("; ".join(str(problem) for problem in problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class Where:
    """Where a record of the template came from: a workbook row or a JSON path."""

    sheet: str | None = None
    row: int | None = None
    columns: tuple[str, ...] = ()
    path: str = ""
    field_rows: tuple[tuple[str, int], ...] = ()  # the version sheet: one row per field

    def problem(self, field_name: str, message) -> TemplateProblem:
        message = str(message)
        if self.sheet is None:
            path = f"{self.path}.{field_name}" if field_name and self.path else (field_name or self.path)
            return TemplateProblem(message, path=path)
        row = dict(self.field_rows).get(field_name, self.row)
        if self.field_rows:
            column = "value"
        else:
            column = field_name or None
        cell = None
        if column and column in self.columns and row:
            from openpyxl.utils import get_column_letter

            cell = f"{get_column_letter(self.columns.index(column) + 1)}{row}"
        return TemplateProblem(message, sheet=self.sheet, row=row, column=column, cell=cell)


@dataclass
class Record:
    values: dict[str, Any]
    where: Where
    children: dict[str, list[Record]] = field(default_factory=dict)


@dataclass
class ParsedTemplate:
    version: Record
    sections: list[Record]
    problems: list[TemplateProblem]


def _file_problem(message) -> TemplateImportError:
    return TemplateImportError([TemplateProblem(str(message))])


def parse_template(data: bytes) -> ParsedTemplate:
    """Read an upload (JSON document or XLSX workbook, told apart by content) into records; problems
    of the file's structure are collected, not raised, except when nothing can be read at all."""
    if len(data) > TEMPLATE_IMPORT_MAX_BYTES:
        raise _file_problem(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{len(data) / 2**20:.1f}", "limit": f"{TEMPLATE_IMPORT_MAX_BYTES / 2**20:.0f}"}
        )
    if not data.strip():
        raise _file_problem(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _parse_workbook(data)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _file_problem(_("The file is neither an XLSX workbook nor UTF-8 JSON text.")) from None
    except json.JSONDecodeError as error:
        raise _file_problem(
            _("The file is not valid JSON: %(error)s (line %(line)s, column %(column)s).")
            % {"error": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    return parse_document(document)


def parse_document(document: Any) -> ParsedTemplate:
    """Records from a template document (the JSON format, already decoded)."""
    problems: list[TemplateProblem] = []
    if not isinstance(document, dict):
        raise _file_problem(_("The document must be a JSON object."))
    root = Where(path="")
    expected = {"format", "format_version", "exported_from", "version", "sections"}
    for key in sorted(set(document) - expected):
        problems.append(root.problem(key, _("Unknown key.")))
    if document.get("format") != TEMPLATE_FORMAT:
        problems.append(root.problem("format", _("Expected “%(format)s”.") % {"format": TEMPLATE_FORMAT}))
    if document.get("format_version") != TEMPLATE_FORMAT_VERSION:
        problems.append(
            root.problem("format_version", _("Expected %(version)s.") % {"version": TEMPLATE_FORMAT_VERSION})
        )

    def record(value, path: str, fields: tuple[str, ...], children: tuple[str, ...] = ()) -> Record | None:
        where = Where(path=path)
        if not isinstance(value, dict):
            problems.append(where.problem("", _("Expected an object.")))
            return None
        for key in sorted(set(value) - set(fields) - set(children)):
            problems.append(where.problem(key, _("Unknown key.")))
        return Record({key: value[key] for key in fields if key in value}, where)

    def items(value, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            problems.append(Where(path=path).problem("", _("Expected a list.")))
            return []
        return value

    version = record(document.get("version"), "version", VERSION_FIELDS) or Record({}, Where(path="version"))
    sections = []
    for s_index, section_value in enumerate(items(document.get("sections"), "sections")):
        path = f"sections[{s_index}]"
        section = record(section_value, path, SECTION_FIELDS, ("questions",))
        if section is None:
            continue
        section.children["questions"] = []
        for q_index, question_value in enumerate(items(section_value.get("questions"), f"{path}.questions")):
            q_path = f"{path}.questions[{q_index}]"
            question = record(question_value, q_path, QUESTION_FIELDS, ("level_descriptors", "choices"))
            if question is None:
                continue
            section.children["questions"].append(question)
            for key, fields in (("level_descriptors", DESCRIPTOR_FIELDS), ("choices", CHOICE_FIELDS)):
                question.children[key] = [
                    child
                    for index, child_value in enumerate(items(question_value.get(key), f"{q_path}.{key}"))
                    if (child := record(child_value, f"{q_path}.{key}[{index}]", fields)) is not None
                ]
        sections.append(section)
    return ParsedTemplate(version, sections, problems)


def _cell_text(cell) -> Any:
    """A workbook cell as the import reads it: text (numbers without a needless ".0"), or a problem
    message for a formula or an error value."""
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        return TemplateProblem(_("is a formula; replace it with its value"))
    if cell.data_type == "e":
        return TemplateProblem(_("holds the spreadsheet error %(value)s") % {"value": value})
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime | datetime.date):
        return (
            value.isoformat()[:10]
            if not isinstance(value, datetime.datetime) or value.time() == datetime.time()
            else value.isoformat(sep=" ")
        )
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    text = str(value)
    # The export writes an apostrophe before text a spreadsheet would run as a formula.
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        text = text[1:]
    return text.strip()


def _parse_workbook(data: bytes) -> ParsedTemplate:
    from openpyxl import load_workbook

    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except zipfile.BadZipFile:
        raise _file_problem(_("The file is not a valid .xlsx workbook.")) from None
    if unpacked > XLSX_MAX_EXPANSION * TEMPLATE_IMPORT_MAX_BYTES:
        raise _file_problem(
            _("The workbook unpacks to %(size)s MB, which is too big to read.")
            % {"size": f"{unpacked / 2**20:.0f}"}
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
        raise _file_problem(
            _("The workbook cannot be read (%(error)s). Save it again as .xlsx.")
            % {"error": type(error).__name__}
        ) from None
    problems: list[TemplateProblem] = []
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    headers: dict[str, tuple[str, ...]] = {}
    try:
        for name, columns in SHEETS.items():
            if name not in workbook.sheetnames:
                problems.append(TemplateProblem(_("The sheet is missing."), sheet=name))
                tables[name] = []
                continue
            rows = workbook[name].iter_rows()
            header_cells = next(rows, ())
            header = tuple(str(cell.value).strip() if cell.value is not None else "" for cell in header_cells)
            while header and not header[-1]:
                header = header[:-1]
            headers[name] = header
            for missing in [column for column in columns if column not in header]:
                problems.append(
                    TemplateProblem(_("The column is missing."), sheet=name, row=1, column=missing)
                )
            for extra in [column for column in header if column not in columns]:
                problems.append(TemplateProblem(_("Unknown column."), sheet=name, row=1, column=extra or "?"))
            table = []
            for number, cells in enumerate(rows, start=2):
                values = {}
                for index, cell in enumerate(cells):
                    if index >= len(header) or header[index] not in columns:
                        continue
                    text = _cell_text(cell)
                    if isinstance(text, TemplateProblem):
                        where = Where(sheet=name, row=number, columns=header)
                        problems.append(where.problem(header[index], text.message))
                        text = ""
                    values[header[index]] = text
                if any(value != "" for value in values.values()):
                    table.append((number, values))
            tables[name] = table
    finally:
        workbook.close()

    # The version sheet: one field per row.
    version_values, field_rows = {}, []
    version_header = headers.get("version", SHEETS["version"])
    for number, values in tables["version"]:
        key = values.get("field", "")
        if key in ("format", "format_version") or key.startswith("exported_from."):
            if key == "format" and values.get("value") != TEMPLATE_FORMAT:
                problems.append(
                    Where(sheet="version", row=number, columns=version_header).problem(
                        "value", _("Expected “%(format)s”.") % {"format": TEMPLATE_FORMAT}
                    )
                )
            continue
        if key not in VERSION_FIELDS:
            problems.append(
                Where(sheet="version", row=number, columns=version_header).problem(
                    "field", _("Unknown field “%(field)s”.") % {"field": key}
                )
            )
            continue
        version_values[key] = values.get("value", "")
        field_rows.append((key, number))
    version = Record(
        version_values, Where(sheet="version", columns=version_header, field_rows=tuple(field_rows))
    )

    def where(sheet, number):
        return Where(sheet=sheet, row=number, columns=headers.get(sheet, SHEETS[sheet]))

    sections, by_code = [], {}
    for number, values in tables["sections"]:
        section = Record(
            {key: values.get(key, "") for key in SECTION_FIELDS}, where("sections", number), {"questions": []}
        )
        sections.append(section)
        by_code.setdefault(values.get("code", ""), section)
    questions = {}
    for number, values in tables["questions"]:
        question = Record(
            {key: values.get(key, "") for key in QUESTION_FIELDS},
            where("questions", number),
            {"level_descriptors": [], "choices": []},
        )
        parent = by_code.get(values.get("section", ""))
        if parent is None:
            problems.append(
                question.where.problem(
                    "section", _("No section has the code “%(code)s”.") % {"code": values.get("section", "")}
                )
            )
            continue
        parent.children["questions"].append(question)
        questions.setdefault(values.get("code", ""), question)
    for sheet, key, fields in (
        ("descriptors", "level_descriptors", DESCRIPTOR_FIELDS),
        ("choices", "choices", CHOICE_FIELDS),
    ):
        for number, values in tables[sheet]:
            child = Record({name: values.get(name, "") for name in fields}, where(sheet, number))
            parent = questions.get(values.get("question", ""))
            if parent is None:
                problems.append(
                    child.where.problem(
                        "question",
                        _("No question has the code “%(code)s”.") % {"code": values.get("question", "")},
                    )
                )
                continue
            parent.children[key].append(child)
    return ParsedTemplate(version, sections, problems)


# Value readers: JSON gives typed values, a workbook gives text; both end as the model's types.


class _Bad(Exception):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Bad(_("Expected text."))
    return str(value).strip()


def _integer(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(_("Expected a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise _Bad(_("Expected a whole number."))


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(_("Expected a number."))
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise _Bad(_("Expected a number.")) from None
    if not number.is_finite():
        raise _Bad(_("Expected a number."))
    return number


TRUE_WORDS, FALSE_WORDS = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def _boolean(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _Bad(_("Expected yes or no."))


def _domains(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        letters = value
    elif isinstance(value, str):
        letters = [letter for letter in value if letter not in " ,;"]
    else:
        raise _Bad(_("Expected CBRN domain letters, e.g. “CB”."))
    try:
        return encode_domains(letters)
    except ValidationError as error:
        raise _Bad(" ".join(error.messages)) from None


READERS = {
    "family": _text,
    "version": _text,
    "name": _text,
    "description": _text,
    "source": _text,
    "previous": _text,
    "code": _text,
    "order": _integer,
    "title": _text,
    "text": _text,
    "guidance": _text,
    "answer_type": _text,
    "domains": _domains,
    "thematic_area": _text,
    "weight": _decimal,
    "target_level": _integer,
    "allow_not_applicable": _boolean,
    "required": _boolean,
    "reference": _text,
    "maps_to": _text,
    "level": _integer,
    "value": _text,
    "label": _text,
}


def _read(record: Record, problems: list[TemplateProblem]) -> dict[str, Any]:
    values = {}
    for name, raw in record.values.items():
        try:
            values[name] = READERS[name](raw)
        except _Bad as error:
            problems.append(record.where.problem(name, error))
    return values


def _model_problems(instance, where: Where, problems: list[TemplateProblem], exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            for message in messages:
                problems.append(where.problem("" if name == "__all__" else name, message))


@dataclass
class _PlannedQuestion:
    question: Question
    maps_to: Question | None
    descriptors: list[LevelDescriptor]
    choices: list[Choice]


def _plan(
    parsed: ParsedTemplate, network: Network
) -> tuple[QuestionnaireVersion, list, list[TemplateProblem]]:
    """Check every record against the models and each other; build the unsaved rows."""
    problems = list(parsed.problems)
    head = _read(parsed.version, problems)
    where = parsed.version.where
    version = QuestionnaireVersion(
        network=network,
        status=VersionStatus.DRAFT,
        **{name: head.get(name, "") for name in ("family", "version", "name", "description", "source")},
    )
    _model_problems(version, where, problems, exclude=("previous",))
    if (
        version.family
        and version.version
        and QuestionnaireVersion.objects.filter(
            network=network, family=version.family, version=version.version
        ).exists()
    ):
        problems.append(
            where.problem(
                "version",
                _("%(network)s already has version %(version)s of %(family)s.")
                % {"network": network, "version": version.version, "family": version.family},
            )
        )
    previous_questions: dict[str, Question] = {}
    if head.get("previous"):
        previous = QuestionnaireVersion.objects.filter(
            network=network, family=version.family, version=head["previous"]
        ).first()
        if previous is None:
            problems.append(
                where.problem(
                    "previous",
                    _("%(network)s has no version %(version)s of %(family)s.")
                    % {"network": network, "version": head["previous"], "family": version.family},
                )
            )
        elif previous.status == VersionStatus.DRAFT:
            problems.append(
                where.problem("previous", _("The previous version must be published, not a draft."))
            )
        else:
            version.previous = previous
            previous_questions = {question.code: question for question in previous.questions.all()}
    areas = {area.code: area for area in ThematicArea.objects.all()}
    sections, section_codes, question_codes = [], set(), set()
    question_count = 0
    if len(parsed.sections) > MAX_SECTIONS:
        problems.append(TemplateProblem(_("At most %(count)s sections.") % {"count": MAX_SECTIONS}))
    for s_index, record in enumerate(parsed.sections[:MAX_SECTIONS], start=1):
        values = _read(record, problems)
        section = Section(
            code=values.get("code", ""),
            title=values.get("title", ""),
            description=values.get("description", ""),
            order=values.get("order") or s_index,
        )
        _model_problems(section, record.where, problems, exclude=("version",))
        if section.code in section_codes:
            problems.append(
                record.where.problem(
                    "code", _("Another section has the code %(code)s.") % {"code": section.code}
                )
            )
        section_codes.add(section.code)
        planned = []
        for q_index, q_record in enumerate(record.children.get("questions", []), start=1):
            question_count += 1
            if question_count > MAX_QUESTIONS:
                problems.append(
                    q_record.where.problem("", _("At most %(count)s questions.") % {"count": MAX_QUESTIONS})
                )
                break
            planned.append(
                _plan_question(q_record, q_index, areas, previous_questions, question_codes, problems)
            )
        sections.append((section, planned))
    if not parsed.sections:
        message = _("The template has no sections.")
        workbook = parsed.version.where.sheet is not None
        problems.append(
            TemplateProblem(message, sheet="sections")
            if workbook
            else TemplateProblem(message, path="sections")
        )
    return version, sections, problems


def _plan_question(
    record: Record, index: int, areas, previous_questions, codes: set, problems
) -> _PlannedQuestion:
    values = _read(record, problems)
    where = record.where
    area = None
    area_code = values.get("thematic_area", "")
    if not area_code:
        problems.append(where.problem("thematic_area", _("Give the code of a thematic area.")))
    elif area_code not in areas:
        problems.append(
            where.problem("thematic_area", _("Unknown thematic area code “%(code)s”.") % {"code": area_code})
        )
    else:
        area = areas[area_code]
    defaults = {
        "answer_type": AnswerType.LEVEL,
        "weight": Decimal(1),
        "target_level": 4,
        "allow_not_applicable": True,
        "required": True,
    }
    fields = {
        name: values.get(name)
        for name in (
            "code",
            "text",
            "guidance",
            "answer_type",
            "domains",
            "weight",
            "target_level",
            "allow_not_applicable",
            "required",
            "reference",
        )
    }
    for name, default in defaults.items():
        if fields[name] in (None, ""):
            fields[name] = default
    for name in ("code", "text", "guidance", "domains", "reference"):
        fields[name] = fields[name] or ""
    question = Question(order=values.get("order") or index, thematic_area=area, **fields)
    _model_problems(question, where, problems, exclude=("version", "section", "maps_to", "thematic_area"))
    if question.code in codes:
        problems.append(
            where.problem("code", _("Another question has the code %(code)s.") % {"code": question.code})
        )
    codes.add(question.code)
    maps_to = None
    if values.get("maps_to"):
        maps_to = previous_questions.get(values["maps_to"])
        if maps_to is None:
            problems.append(
                where.problem(
                    "maps_to",
                    _(
                        "The previous version has no question with the code “%(code)s” (a question maps only onto "
                        "a question of the version named as previous)."
                    )
                    % {"code": values["maps_to"]},
                )
            )
    descriptors, levels = [], set()
    descriptor_records = record.children.get("level_descriptors", [])
    if descriptor_records and question.answer_type != AnswerType.LEVEL:
        problems.append(
            where.problem("answer_type", _("Only capability-level questions have level descriptors."))
        )
    for d_record in descriptor_records[:MAX_DESCRIPTORS]:
        d_values = _read(d_record, problems)
        descriptor = LevelDescriptor(level=d_values.get("level"), text=d_values.get("text", ""))
        _model_problems(descriptor, d_record.where, problems, exclude=("question",))
        if descriptor.level in levels:
            problems.append(
                d_record.where.problem(
                    "level", _("Level %(level)s is described twice.") % {"level": descriptor.level}
                )
            )
        levels.add(descriptor.level)
        descriptors.append(descriptor)
    choices, seen_values = [], set()
    choice_records = record.children.get("choices", [])
    if choice_records and question.answer_type not in CHOICE_TYPES:
        problems.append(
            where.problem("answer_type", _("Only single- and multiple-choice questions have choices."))
        )
    if len(choice_records) > MAX_CHOICES:
        problems.append(
            where.problem("", _("At most %(count)s choices per question.") % {"count": MAX_CHOICES})
        )
    for c_index, c_record in enumerate(choice_records[:MAX_CHOICES], start=1):
        c_values = _read(c_record, problems)
        choice = Choice(
            order=c_values.get("order") or c_index,
            value=c_values.get("value", ""),
            label=c_values.get("label", ""),
        )
        _model_problems(choice, c_record.where, problems, exclude=("question",))
        if choice.value in seen_values:
            problems.append(
                c_record.where.problem(
                    "value", _("Another choice has the value %(value)s.") % {"value": choice.value}
                )
            )
        seen_values.add(choice.value)
        choices.append(choice)
    return _PlannedQuestion(question, maps_to, descriptors, choices)


def _write(version: QuestionnaireVersion, sections: list) -> QuestionnaireVersion:
    version.full_clean()
    version.save()
    for section, planned in sections:
        section.version = version
        section.full_clean()
        section.save()
        for item in planned:
            question = item.question
            question.version, question.section, question.maps_to = version, section, item.maps_to
            question.full_clean()
            question.save()
            for descriptor in item.descriptors:
                descriptor.question = question
                descriptor.save()
            for choice in item.choices:
                choice.question = question
                choice.save()
    return version


def build_template(*, network: Network, parsed: ParsedTemplate) -> QuestionnaireVersion:
    """Write a parsed template as a new draft of `network`, all or nothing, with no permission check:
    for `questionnaire_version_import` (which checks) and the default-template loader (the system)."""
    try:
        with transaction.atomic():
            version, sections, problems = _plan(parsed, network)
            if problems:
                raise TemplateImportError(problems)
            return _write(version, sections)
    except IntegrityError:
        # Another request stored the same version label between the check and the write.
        raise TemplateImportError(
            [parsed.version.where.problem("version", _("The network already has this version."))]
        ) from None


def publish_as_system(*, version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Publish a complete draft for a loader that acts as the system (the default template)."""
    with transaction.atomic():
        locked = _locked(version)
        _ensure_draft(locked, "status")
        _publish(locked)
    return locked


def questionnaire_version_import(*, user, network: Network, data: bytes) -> QuestionnaireVersion:
    """Import a whole template (JSON document or XLSX workbook) as a new draft of `network`. All or
    nothing: every problem is reported by sheet, row and column (workbook) or JSON path, and nothing
    is written unless there is none. Never changes an existing version."""
    if not access.may_add(user, QuestionnaireVersion):
        raise PermissionDenied(_("You may not add questionnaire versions."))
    parsed = parse_template(data)
    with transaction.atomic():
        version = build_template(network=network, parsed=parsed)
        try:
            access.ensure_in_scope(user, version, "change")
        except PermissionDenied:
            raise PermissionDenied(
                _("You may not build questionnaires of %(network)s.") % {"network": network}
            ) from None
    return version
