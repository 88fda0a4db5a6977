"""The offline round trip of an assessment: download it as an XLSX workbook, fill it in without a
connection, upload it back.

The workbook (docs/assessments.md, "The workbook") has an "Instructions" sheet, one sheet per section
named after the section's code (columns: Code, Question, Type, Allowed values, Answer, N/A,
Justification; the header on row 2, one question per row from row 3, the current answers filled in)
and a "Metadata" sheet naming the assessment and its questionnaire version. Drop-down lists (data
validation) offer the levels, yes/partly/no and the choices of each question.

An upload is checked whole before anything is written: every bad cell is reported with its sheet,
row and column; if there is any problem nothing is saved. Otherwise every changed answer is saved
through `answer_save` (the same rules and audit as the web page) in one transaction: all or nothing.
"""

import datetime
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.assessments.choices import AnswerType, AssessmentStatus, YesPartlyNo
from cbrnet.assessments.models import Answer, Assessment, Question, Section
from cbrnet.assessments.services import assessments as services

FORMAT = "cbrnet-assessment-workbook"
FORMAT_VERSION = "1"
INSTRUCTIONS = "Instructions"
METADATA = "Metadata"
TITLE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
XLSX_MAX_EXPANSION = 25  # a workbook may unzip to this many times the upload limit (zip bombs)
MAX_PROBLEMS = 1000
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TRUE_WORDS = {"yes", "y", "x", "true", "1", "n/a", "na"}
FALSE_WORDS = {"", "no", "n", "false", "0"}

# (key, header): the columns of a section sheet, in order. Headers are read back in English or in
# the language the workbook was written in.
COLUMNS = (
    ("code", gettext_lazy("Code")),
    ("question", gettext_lazy("Question")),
    ("type", gettext_lazy("Type")),
    ("allowed", gettext_lazy("Allowed values")),
    ("answer", gettext_lazy("Answer")),
    ("not_applicable", gettext_lazy("N/A")),
    ("justification", gettext_lazy("Justification")),
)
ENGLISH_HEADERS = {
    "code": "Code",
    "question": "Question",
    "type": "Type",
    "allowed": "Allowed values",
    "answer": "Answer",
    "not_applicable": "N/A",
    "justification": "Justification",
}
REQUIRED_COLUMNS = ("code", "answer", "not_applicable", "justification")
FILL_COLUMNS = ("answer", "not_applicable", "justification")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded workbook: where (sheet, row, column letter and header) and what.
    A problem with the whole file has no sheet."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    column_name: str = ""

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}" if self.sheet and self.column and self.row else ""

    def __str__(self):
        if not self.sheet:
            return self.message
        where = _("Sheet “%(sheet)s”") % {"sheet": self.sheet}
        if self.row:
            where += ", " + _("row %(row)s") % {"row": self.row}
        if self.column:
            where += ", " + _("column %(column)s (%(name)s)") % {
                "column": self.column,
                "name": self.column_name,
            }
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {
            "field": self.cell or None,
            "sheet": self.sheet or None,
            "row": self.row,
            "column": self.column or None,
            "column_name": self.column_name or None,
            "message": str(self),
        }


class WorkbookError(Exception):
    """The upload was refused; `problems` lists why (nothing was written)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(problem) for problem in problems[:5]))
        self.problems = problems


@dataclass
class WorkbookResult:
    changed: int = 0
    unchanged: int = 0
    changed_codes: list[str] = field(default_factory=list)


# --- writing --------------------------------------------------------------------------------------
def sheet_names(sections) -> dict[int, str]:
    """section id -> its sheet's name: the section code, made unique (Excel compares names without
    case) and kept apart from the Instructions and Metadata sheets."""
    taken = {INSTRUCTIONS.lower(), METADATA.lower()}
    names = {}
    for section in sections:
        base = section.code[:28] or f"S{section.pk}"
        name, number = base, 2
        while name.lower() in taken:
            name = f"{base[:27]}~{number}"
            number += 1
        taken.add(name.lower())
        names[section.pk] = name
    return names


def _questions(assessment: Assessment):
    return list(
        Question.objects.filter(version_id=assessment.version_id)
        .select_related("section")
        .prefetch_related("level_descriptors", "choices")
        .order_by("section__order", "section__pk", "order", "pk")
    )


def _allowed(question: Question) -> str:
    if question.answer_type == AnswerType.LEVEL:
        descriptors = {item.level: item.text for item in question.level_descriptors.all()}
        lines = [
            f"{level}: {descriptors[level]}" if descriptors.get(level) else str(level)
            for level in range(1, 6)
        ]
        return "\n".join(lines)
    if question.answer_type in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        options = services.question_options(question)
        lines = [services.allowed_values_text(question, options)]
        lines += [f"{value}: {label}" for value, label in options if label and label != value]
        return "\n".join(lines)
    return services.allowed_values_text(question)


def _cell_value(question: Question, answer: Answer | None):
    if answer is None or answer.not_applicable:
        return None
    kind = question.answer_type
    if kind == AnswerType.LEVEL:
        return answer.level
    if kind == AnswerType.YES_PARTLY_NO:
        return answer.yes_partly_no or None
    if kind == AnswerType.NUMBER:
        if answer.number is None:
            return None
        number = answer.number.normalize()
        # A spreadsheet keeps 15 significant digits: longer numbers travel as text, unchanged.
        return float(number) if len(number.as_tuple().digits) <= 15 else f"{number:f}"
    if kind == AnswerType.DATE:
        return answer.date
    if kind in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
        return "; ".join(answer.choices or []) or None
    if kind == AnswerType.TEXT:
        return answer.text or None
    return None


def _text_cell(cell, value) -> None:
    """Store a text as text: a value starting with "=" must not become a formula."""
    cell.value = value
    if isinstance(value, str) and value:
        cell.data_type = "s"


def workbook_build(assessment: Assessment) -> bytes:
    """The assessment as an XLSX workbook (bytes), with the current answers filled in."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    assessment = Assessment.objects.select_related("country", "version").get(pk=assessment.pk)
    sections = list(Section.objects.filter(version_id=assessment.version_id).order_by("order", "pk"))
    names = sheet_names(sections)
    questions = _questions(assessment)
    answers = {answer.question_id: answer for answer in Answer.objects.filter(assessment=assessment)}
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    fill_in = PatternFill("solid", fgColor="FFF8DC")

    workbook = Workbook()
    intro = workbook.active
    intro.title = INSTRUCTIONS
    lines = [
        (_("Assessment workbook"), True),
        (str(assessment), False),
        ("", False),
        (_("How to fill it in"), True),
        (
            _(
                "Each section of the questionnaire has its own sheet. Answer in the yellow columns: Answer, N/A and "
                "Justification. Leave the other columns and the Metadata sheet as they are."
            ),
            False,
        ),
        (
            _(
                "Answer: a level from 1 to 5 (the “Allowed values” column says what each level means), yes, partly or "
                "no, a number, a date as YYYY-MM-DD, one of the listed choices, several choices separated by “;”, or "
                "free text, as the “Type” column says. The drop-down lists offer the accepted values."
            ),
            False,
        ),
        (
            _(
                "N/A: write “yes” when the question does not apply to your country (only where the question allows "
                "it), and leave the Answer empty."
            ),
            False,
        ),
        (
            _(
                "An empty Answer leaves the question unanswered; emptying a filled-in Answer removes that answer."
            ),
            False,
        ),
        (
            _(
                "Upload the workbook on the assessment's page while it is a draft. Every problem is listed with its "
                "sheet, row and column, and nothing is saved until the whole workbook is correct."
            ),
            False,
        ),
        (_("Evidence files cannot travel in the workbook: upload them on the assessment's page."), False),
    ]
    for number, (text, heading) in enumerate(lines, start=1):
        cell = intro.cell(row=number, column=1, value=text)
        cell.alignment = wrap
        if heading:
            cell.font = bold
    intro.column_dimensions["A"].width = 110

    by_section: dict[int, list[Question]] = {section.pk: [] for section in sections}
    for question in questions:
        by_section.setdefault(question.section_id, []).append(question)
    for section in sections:
        sheet = workbook.create_sheet(names[section.pk])
        _text_cell(sheet.cell(row=TITLE_ROW, column=1), f"{section.code}. {section.title}")
        sheet.cell(row=TITLE_ROW, column=1).font = Font(bold=True, size=13)
        for index, (_key, header) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=index, value=str(header))
            cell.font, cell.fill = bold, header_fill
        validations: dict[str, DataValidation] = {}

        def validate(formula: str, cell_ref: str, sheet=sheet, validations=validations) -> None:
            if len(formula) > 257:  # Excel's limit for an inline list; the Allowed values column still says
                return
            if formula not in validations:
                validation = DataValidation(
                    type="list", formula1=formula, allow_blank=True, showErrorMessage=True
                )
                validation.error = _("Choose one of the listed values.")
                sheet.add_data_validation(validation)
                validations[formula] = validation
            validations[formula].add(cell_ref)

        for row, question in enumerate(by_section.get(section.pk, []), start=FIRST_ROW):
            answer = answers.get(question.pk)
            _text_cell(sheet.cell(row=row, column=1), question.code)
            _text_cell(sheet.cell(row=row, column=2), question.text + (" *" if question.required else ""))
            _text_cell(sheet.cell(row=row, column=3), str(question.get_answer_type_display()))
            _text_cell(sheet.cell(row=row, column=4), _allowed(question))
            value_cell = sheet.cell(row=row, column=5)
            value = _cell_value(question, answer)
            if isinstance(value, str):
                _text_cell(value_cell, value)
            else:
                value_cell.value = value
            if isinstance(value, datetime.date):
                value_cell.number_format = "yyyy-mm-dd"
            _text_cell(sheet.cell(row=row, column=6), "yes" if answer and answer.not_applicable else None)
            _text_cell(
                sheet.cell(row=row, column=7),
                answer.justification if answer and answer.justification else None,
            )
            for column in range(1, 8):
                sheet.cell(row=row, column=column).alignment = wrap
            for column in (5, 6, 7):
                sheet.cell(row=row, column=column).fill = fill_in
                sheet.cell(row=row, column=column).protection = Protection(locked=False)
            kind = question.answer_type
            if kind == AnswerType.LEVEL:
                validate('"1,2,3,4,5"', value_cell.coordinate)
            elif kind == AnswerType.YES_PARTLY_NO:
                validate('"' + ",".join(option.value for option in YesPartlyNo) + '"', value_cell.coordinate)
            elif kind == AnswerType.SINGLE_CHOICE:
                values = [value for value, _label in services.question_options(question)]
                if values:
                    validate('"' + ",".join(values) + '"', value_cell.coordinate)
            if question.allow_not_applicable:
                validate('"yes,no"', f"F{row}")
        for letter, width in zip("ABCDEFG", (12, 60, 18, 40, 22, 8, 40), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = f"A{FIRST_ROW}"
        # The layout is protected (no password: it guards against accidents, not people) so that a
        # column cannot be moved by mistake; the yellow cells stay editable.
        sheet.protection.sheet = True
        sheet.protection.formatRows = False
        sheet.protection.formatColumns = False

    meta = workbook.create_sheet(METADATA)
    rows = [
        ("format", FORMAT),
        ("format_version", FORMAT_VERSION),
        ("assessment_id", assessment.pk),
        ("country", assessment.country.iso2),
        ("country_name", assessment.country.name),
        ("questionnaire", assessment.version.family),
        ("version", assessment.version.version),
        ("version_id", assessment.version_id),
        ("year", assessment.year),
        ("status", assessment.status),
        ("downloaded_at", timezone.now().strftime("%Y-%m-%d %H:%M UTC")),
    ]
    for number, (key, value) in enumerate(rows, start=1):
        meta.cell(row=number, column=1, value=key).font = bold
        _text_cell(meta.cell(row=number, column=2), value)
    meta.column_dimensions["A"].width = 18
    meta.column_dimensions["B"].width = 40
    meta.protection.sheet = True
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def workbook_filename(assessment: Assessment) -> str:
    return f"assessment-{assessment.country.iso2}-{assessment.year}-{assessment.pk}.xlsx"


# --- reading --------------------------------------------------------------------------------------
def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size: int) -> None:
    """Refuse a file over the upload limit (CBRNET_IMPORT_MAX_BYTES) before reading it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise WorkbookError(
            [
                Problem(
                    _("The file is %(size)s; the limit is %(limit)s.")
                    % {"size": _megabytes(size), "limit": _megabytes(limit)}
                )
            ]
        )


def _open(data: bytes):
    from openpyxl import load_workbook

    check_size(len(data))
    limit = settings.IMPORT_MAX_BYTES
    if not data:
        raise WorkbookError([Problem(_("The file is empty."))])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise WorkbookError(
            [
                Problem(
                    _(
                        "The file is not an .xlsx workbook. Upload the workbook downloaded from "
                        "the assessment's page."
                    )
                )
            ]
        ) from None
    if unpacked > XLSX_MAX_EXPANSION * limit:
        raise WorkbookError(
            [
                Problem(
                    _("The workbook unpacks to %(size)s, which is too big to read.")
                    % {"size": _megabytes(unpacked)}
                )
            ]
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
        raise WorkbookError(
            [
                Problem(
                    _("The workbook cannot be read (%(error)s). Save it again as .xlsx.")
                    % {"error": type(error).__name__}
                )
            ]
        ) from None


def _plain(cell):
    """A cell's value, or a Problem message when it holds a formula or an error."""
    if cell is None:
        return None, ""
    value = cell.value
    if value is None:
        return None, ""
    if cell.data_type == "f":
        return None, _("the cell holds a formula (%(formula)s): write its value instead") % {
            "formula": str(value)[:40]
        }
    if cell.data_type == "e":
        return None, _("the cell holds the spreadsheet error %(error)s") % {"error": value}
    if isinstance(value, float) and value.is_integer():
        return int(value), ""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date(), ""
    if isinstance(value, str):
        return value.strip() or None, ""
    return value, ""


def _metadata(workbook) -> dict[str, str]:
    if METADATA not in workbook.sheetnames:
        raise WorkbookError(
            [
                Problem(
                    _(
                        "The workbook has no “Metadata” sheet: upload the workbook downloaded from the "
                        "assessment's page."
                    )
                )
            ]
        )
    values = {}
    for row in workbook[METADATA].iter_rows(min_row=1, max_row=50, max_col=2):
        if len(row) >= 2 and row[0].value is not None:
            values[str(row[0].value).strip()] = "" if row[1].value is None else str(row[1].value).strip()
    return values


def _check_metadata(values: dict[str, str], assessment: Assessment) -> None:
    if values.get("format") != FORMAT:
        raise WorkbookError(
            [
                Problem(
                    _("This is not an assessment workbook (the Metadata sheet does not say so)."),
                    sheet=METADATA,
                    row=1,
                    column="B",
                    column_name="format",
                )
            ]
        )
    given = values.get("assessment_id", "")
    if given.removesuffix(".0") != str(assessment.pk):
        raise WorkbookError(
            [
                Problem(
                    _(
                        "This workbook belongs to another assessment (no. %(given)s, %(country)s %(year)s), not to this one "
                        "(no. %(id)s). Download this assessment's workbook."
                    )
                    % {
                        "given": given or "?",
                        "country": values.get("country_name", "?"),
                        "year": values.get("year", "?"),
                        "id": assessment.pk,
                    },
                    sheet=METADATA,
                    row=3,
                    column="B",
                    column_name="assessment_id",
                )
            ]
        )
    if values.get("version_id", "").removesuffix(".0") != str(assessment.version_id):
        raise WorkbookError(
            [
                Problem(
                    _("This workbook was made for another questionnaire version."),
                    sheet=METADATA,
                    row=8,
                    column="B",
                    column_name="version_id",
                )
            ]
        )


def _known_headers() -> dict[str, str]:
    """Header text (lower case) -> column key, in English and in every language of the site: the
    workbook may have been downloaded in another language than the one it is uploaded in."""
    from django.utils import translation

    known = {ENGLISH_HEADERS[key].lower(): key for key, _header in COLUMNS}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            known.update({str(header).strip().lower(): key for key, header in COLUMNS})
    return known


def _header_map(cells) -> dict[str, int]:
    known = _known_headers()
    found = {}
    for index, cell in enumerate(cells):
        text = str(cell.value).strip().lower() if cell is not None and cell.value is not None else ""
        if text in known and known[text] not in found:
            found[known[text]] = index
    return found


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _na(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError


def _same(answer: Answer | None, fields: dict) -> bool:
    if answer is None:
        return all(services.is_blank(value) for value in fields.values())
    for name, value in fields.items():
        stored = getattr(answer, name)
        if isinstance(value, Decimal) and isinstance(stored, Decimal):
            if value != stored:
                return False
        elif stored != value:
            return False
    return True


@dataclass
class _Change:
    question: Question
    value: object
    not_applicable: bool
    justification: str


def workbook_check(*, user, assessment: Assessment, data: bytes) -> list[_Change]:
    """Read an uploaded workbook and check every cell; returns the answers that change, or raises
    WorkbookError listing every problem (sheet, row, column). Writes nothing."""
    if not access.can(user, "change", assessment):
        raise PermissionDenied(_("You may not change this assessment."))
    if assessment.status != AssessmentStatus.DRAFT:
        raise WorkbookError(
            [
                Problem(
                    _("The assessment is %(status)s: answers can be uploaded only while it is a draft.")
                    % {"status": assessment.get_status_display().lower()}
                )
            ]
        )
    workbook = _open(data)
    try:
        _check_metadata(_metadata(workbook), assessment)
        return _check_sheets(workbook, user=user, assessment=assessment)
    except (WorkbookError, PermissionDenied):
        raise
    except Exception as error:  # noqa: BLE001 - sheets are parsed as they are read: a damaged one fails here
        raise WorkbookError(
            [
                Problem(
                    _("The workbook cannot be read (%(error)s). Save it again as .xlsx.")
                    % {"error": type(error).__name__}
                )
            ]
        ) from None
    finally:
        workbook.close()


def _check_sheets(workbook, *, user, assessment: Assessment) -> list[_Change]:
    sections = list(Section.objects.filter(version_id=assessment.version_id).order_by("order", "pk"))
    names = sheet_names(sections)
    sheets = {name: section_id for section_id, name in names.items()}
    questions = {question.code: question for question in _questions(assessment)}
    options = {question.pk: services.question_options(question) for question in questions.values()}
    answers = {answer.question_id: answer for answer in Answer.objects.filter(assessment=assessment)}
    allowed_sections = services.answerable_section_ids(user, assessment)
    problems: list[Problem] = []
    changes: list[_Change] = []
    seen: dict[str, str] = {}

    def problem(message, sheet="", row=None, column="", column_name=""):
        if len(problems) < MAX_PROBLEMS:
            problems.append(
                Problem(str(message), sheet=sheet, row=row, column=column, column_name=column_name)
            )

    for name in workbook.sheetnames:
        if name in (INSTRUCTIONS, METADATA):
            continue
        if name not in sheets:
            problem(
                _("this sheet is not a section of the questionnaire (was it renamed or added?)"), sheet=name
            )
            continue
        sheet = workbook[name]
        rows = sheet.iter_rows(min_row=HEADER_ROW)
        header = next(rows, ())
        columns = _header_map(header)
        missing = [key for key in REQUIRED_COLUMNS if key not in columns]
        if missing:
            headers = ", ".join(f"“{ENGLISH_HEADERS[key]}”" for key in missing)
            problem(
                _("the header row lacks the columns %(columns)s") % {"columns": headers},
                sheet=name,
                row=HEADER_ROW,
            )
            continue
        for number, cells in enumerate(rows, start=HEADER_ROW + 1):
            cells = list(cells)

            def at(key, cells=cells, columns=columns):
                index = columns[key]
                return cells[index] if index < len(cells) else None

            def where(key, number=number, name=name, columns=columns):
                header_name = ENGLISH_HEADERS[key]
                return {
                    "sheet": name,
                    "row": number,
                    "column": _letter(columns[key]),
                    "column_name": header_name,
                }

            parsed, bad = {}, False
            for key in ("code", *FILL_COLUMNS):
                value, message = _plain(at(key))
                if message:
                    problem(message, **where(key))
                    bad = True
                parsed[key] = value
            code = str(parsed["code"]).strip() if parsed["code"] is not None else ""
            if not code:
                if any(parsed[key] not in (None, "") for key in FILL_COLUMNS):
                    problem(_("this row has an answer but no question code"), **where("code"))
                continue
            question = questions.get(code)
            if question is None:
                problem(
                    _("unknown question code “%(code)s”: this questionnaire version has no such question")
                    % {"code": code[:40]},
                    **where("code"),
                )
                continue
            if code in seen:
                problem(
                    _("question %(code)s appears twice (first at %(first)s)")
                    % {"code": code, "first": seen[code]},
                    **where("code"),
                )
                continue
            seen[code] = f"{name}!{_letter(columns['code'])}{number}"
            if bad:
                continue
            try:
                not_applicable = _na(parsed["not_applicable"])
            except ValueError:
                problem(
                    _("write “yes” or leave it empty, not “%(value)s”")
                    % {"value": str(parsed["not_applicable"])[:40]},
                    **where("not_applicable"),
                )
                continue
            value = parsed["answer"]
            if (
                isinstance(value, datetime.datetime | datetime.date)
                and question.answer_type == AnswerType.TEXT
            ):
                value = value.isoformat()
            justification = "" if parsed["justification"] is None else str(parsed["justification"])
            try:
                fields = services.clean_answer(
                    question, value=value, not_applicable=not_applicable, options=options[question.pk]
                )
                fields["justification"] = services.clean_justification(justification)
            except ValidationError as error:
                for field_name, messages in error.message_dict.items():
                    key = {"not_applicable": "not_applicable", "justification": "justification"}.get(
                        field_name, "answer"
                    )
                    for message in messages:
                        problem(message, **where(key))
                continue
            if _same(answers.get(question.pk), fields):
                continue
            if allowed_sections is not None and question.section_id not in allowed_sections:
                problem(
                    _("section %(section)s is not assigned to you: leave its answers as they are")
                    % {"section": question.section.code},
                    **where("answer"),
                )
                continue
            changes.append(
                _Change(
                    question=question, value=value, not_applicable=not_applicable, justification=justification
                )
            )
    if problems:
        raise WorkbookError(problems)
    return changes


def workbook_upload(*, user, assessment: Assessment, data: bytes) -> WorkbookResult:
    """Check an uploaded workbook whole, then save every changed answer in one transaction through
    `answer_save`; raises WorkbookError (nothing written) when any cell is wrong."""
    changes = workbook_check(user=user, assessment=assessment, data=data)
    result = WorkbookResult()
    try:
        with transaction.atomic():
            for change in changes:
                services.answer_save(
                    user=user,
                    assessment=assessment,
                    question=change.question,
                    value=change.value,
                    not_applicable=change.not_applicable,
                    justification=change.justification,
                )
                result.changed_codes.append(change.question.code)
    except ValidationError as error:
        # The assessment changed between the check and the write (e.g. it was submitted meanwhile).
        raise WorkbookError([Problem(message) for message in error.messages]) from None
    result.changed = len(result.changed_codes)
    result.unchanged = Question.objects.filter(version_id=assessment.version_id).count() - result.changed
    return result
