"""The import engine: CSV or XLSX files into any model, declared per model as an ImportSpec.

A file goes through the same steps whatever the model:

1. read: size limit first (settings.IMPORT_MAX_BYTES), then UTF-8 CSV (with or without a byte-order
   mark; comma, semicolon or tab separated) or the first sheet of an XLSX workbook;
2. header: every required column present, no unknown or repeated column;
3. each row: cell texts are turned into form data by the spec (natural-key lookups: a country by
   ISO code, an organisation by name and country…), validated with the model's form, checked for
   duplicates inside the file and against the records the user can see, then saved through
   `cbrnet.core.services.record_save`, so that the access engine and the audit trail apply.

A dry run saves each row inside a savepoint and rolls it back: the report holds every problem the
real import would meet, access refusals included, and nothing is written. The real import
(commit) saves every row in one transaction and rolls all of it back if any row has a problem.

Rows are numbered as a spreadsheet shows them: the header is row 1. Problems are (row, column,
message); a problem with the whole file has no row.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.module_loading import import_string

from cbrnet import access
from cbrnet.core.audit import audit_actor

# Every import specification, by the name used in URLs and the API. A new spec adds a line here.
SPECS = {
    "organisations": "cbrnet.registry.imports.ORGANISATIONS",
    "people": "cbrnet.registry.imports.PEOPLE",
    "experts": "cbrnet.registry.imports.EXPERTS",
    "participants": "cbrnet.projects.imports.PARTICIPANTS",
    "surveillance-counts": "cbrnet.surveillance.imports.COUNTS",
    "surveillance-cases": "cbrnet.surveillance.imports.CASES",
}
FILE_FORMATS = ("csv", "xlsx")
MAX_PROBLEMS = 10_000  # kept in a report; beyond that only counted
CHUNK_ROWS = 200  # rows checked per transaction in a dry run
XLSX_MAX_EXPANSION = 25  # a workbook may unzip to this many times the upload limit (zip bombs)
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0"}
_FORMULA = re.compile(r"^[=@]|^[+\-](?![\d\s().\-/]*$)")  # phone numbers and negative numbers pass
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def get_spec(name: str) -> "ImportSpec":
    """The spec called `name`; LookupError when there is none."""
    try:
        return import_string(SPECS[name])
    except KeyError:
        raise LookupError(f"There is no import called {name!r}.") from None


def specs_for_model(model) -> list["ImportSpec"]:
    return [spec for spec in map(get_spec, SPECS) if spec.model is model]


# --- problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (row as the spreadsheet numbers it, column name) and what."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (too big, not UTF-8, not a workbook, wrong header)."""

    def __init__(self, message: str, *, row: int | None = None):
        super().__init__(message)
        self.problem = Problem(row, "", message)


class CellError(Exception):
    """A cell's text cannot be used; the message says why and what would be accepted."""


@dataclass(frozen=True)
class BadCell:
    """A workbook cell that holds no usable value (a formula, an error such as #N/A)."""

    message: str


# --- reading files -----------------------------------------------------------------------------


@dataclass
class Table:
    """The header and the data rows of a file, as text; rows are read lazily (files are big)."""

    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list]]]  # (row number, cells), header excluded
    estimated_rows: int


def detect_format(data: bytes) -> str:
    """csv or xlsx, by content (a workbook is a zip archive); old .xls workbooks are refused."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "This is an old Excel workbook (.xls). Save it as .xlsx or as CSV UTF-8 and upload it again."
        )
    return "csv"


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file is {megabytes(size)}; the limit is {megabytes(limit)}. Split it into smaller files."
        )


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_table(data: bytes, file_format: str) -> Table:
    """Parse a whole upload (bytes) into a Table, or raise ImportFileError naming the problem."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("The file is empty.")
    return _read_xlsx(data) if file_format == "xlsx" else _read_csv(data)


def _read_csv(data: bytes) -> Table:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError('The file is UTF-16 text. Save it as "CSV UTF-8" and upload it again.', row=1)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            f"The file is not UTF-8 text: line {line} holds the byte 0x{data[error.start]:02X}, "
            "which is not UTF-8 (the file was probably saved as Latin-1 or Windows-1252). "
            'Save it as "CSV UTF-8" and upload it again.',
            row=line,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(f"Line {line} holds a NUL character: this is not a CSV text file.", row=line)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)

    def records():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                yield number, [cell.strip() for cell in record]
        except csv.Error as error:
            raise ImportFileError(
                f"Line {reader.line_num} cannot be read as CSV: {error}.", row=number + 1
            ) from None

    iterator = records()
    try:
        _, header = next(iterator)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None

    def rows():
        iterator = records()
        next(iterator)
        yield from iterator

    return Table(header=header, rows=rows, estimated_rows=max(text.count("\n"), 1))


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportFileError("The file is not a valid .xlsx workbook.") from None
    if unpacked > XLSX_MAX_EXPANSION * settings.IMPORT_MAX_BYTES:
        raise ImportFileError(f"The workbook unpacks to {megabytes(unpacked)}, which is too big to read.")

    def open_sheet():
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            return workbook, workbook.worksheets[0]
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds; the user needs one message
            raise ImportFileError(
                f"The workbook cannot be read ({type(error).__name__}). Save it again as .xlsx."
            ) from None

    def records():
        workbook, sheet = open_sheet()
        try:
            for number, cells in enumerate(sheet.iter_rows(), start=1):
                yield number, [_xlsx_value(cell) for cell in cells]
        finally:
            workbook.close()

    workbook, sheet = open_sheet()
    try:
        estimated = sheet.max_row or 1
        header = [_xlsx_value(cell) for cell in next(sheet.iter_rows(max_row=1), ())]
    finally:
        workbook.close()
    if not header:
        raise ImportFileError("The first sheet of the workbook is empty.")

    def rows():
        iterator = records()
        next(iterator)
        yield from iterator

    return Table(
        header=[cell if isinstance(cell, str) else "" for cell in header], rows=rows, estimated_rows=estimated
    )


def _xlsx_value(cell):
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        return BadCell(f"is a formula ({str(value)[:40]}); replace it with its value")
    if cell.data_type == "e":
        return BadCell(f"holds the spreadsheet error {value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value).strip()


# --- specs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportColumn:
    """A column of an import file: its header, whether it must be there, what it holds."""

    name: str
    help: str
    example: str = ""
    required: bool = False


class Row:
    """One data row while it is being checked: its cells by column and the problems found so far."""

    def __init__(self, number: int, values: dict[str, str], *, spec, user, lookups):
        self.spec = spec
        self.number = number
        self.values = values
        self.user = user
        self.lookups = lookups
        self.problems: list[Problem] = []
        self.notes: list[str] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.number, column, message))

    def text(self, column: str) -> str:
        return self.values.get(column, "")

    def parse(self, column: str, parser: Callable[[str], object], default=None):
        """Apply `parser` to the cell; a CellError becomes a problem of this column.
        An empty cell gives `default`."""
        text = self.text(column)
        if not text:
            return default
        try:
            return parser(text)
        except CellError as error:
            self.problem(column, str(error))
            return default

    def validate_form(self, form_class, data: dict):
        """Validate `data` with a model form restricted to what the user may see; its errors become
        problems of the matching columns (spec.field_column). Returns the form when valid, else None."""
        from cbrnet.core.generic import restrict_form_fields

        form = form_class(data=data)
        restrict_form_fields(form, self.user)
        if form.is_valid():
            return form
        for name, messages in form.errors.items():
            column = "" if name == "__all__" else self.spec.field_column(name)
            for message in messages:
                self.problem(column, str(message) if column or name == "__all__" else f"{name}: {message}")
        return None


class ImportSpec:
    """What the engine needs to know about one kind of import. A subclass declares `name`, `title`,
    `model`, `writes` (every model it writes, for the add permission) and `columns`, and implements:

    - `lookups(user)`: an object shared by the rows of one run (caches of natural keys);
    - `prepare(row)`: cell texts → a prepared value (validated forms), recording problems on the row;
    - `key(prepared)`: the natural key for duplicates inside the file (None: no check), and
      `key_column`, the column a duplicate is reported on;
    - `existing(prepared, user)`: a message when the row duplicates a record the user can see;
    - `save(prepared, user)`: write through the services; returns the saved records;
    - `scope_column(prepared)`: the column an access refusal is reported on.

    A spec whose rows are better written together (thousands of weekly counts: a few queries per
    row would not do) sets `bulk = True` and implements `save_all(items, user, commit=...)` instead
    of `save`: the engine prepares and checks every row first, then hands over all of them as
    (row, prepared) pairs, once, inside the run's transaction (a dry run rolls it back). It records
    problems on the rows (`row.problem`), may append lines about the whole file to `notes`, and
    returns the records written (or, in a dry run, that would be) by model, as a Counter.
    """

    name = ""
    title = ""
    model: type[models.Model]
    writes: tuple[type[models.Model], ...] = ()
    columns: tuple[ImportColumn, ...] = ()
    key_column = ""
    description = ""
    list_url_name = ""
    bulk = False

    def may_import(self, user) -> bool:
        return all(access.may_add(user, model) for model in (self.writes or (self.model,)))

    def lookups(self, user):
        return None

    def prepare(self, row: Row):
        raise NotImplementedError

    def key(self, prepared) -> tuple | None:
        return None

    def existing(self, prepared, user) -> str | None:
        return None

    def save(self, prepared, user) -> list[models.Model]:
        raise NotImplementedError

    def save_all(self, items: list[tuple["Row", object]], user, *, commit: bool, notes: list[str]) -> Counter:
        raise NotImplementedError

    def scope_column(self, prepared) -> str:
        return ""

    def field_column(self, field_name: str) -> str:
        """The column a model field's validation error is reported on (same name unless overridden)."""
        names = {column.name for column in self.columns}
        return field_name if field_name in names else ""

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


def check_header(spec: ImportSpec, header: list) -> list[str]:
    """The column names of the file, normalised, or ImportFileError naming the missing, unknown and
    repeated columns."""
    names = [str(cell).strip().lower().replace(" ", "_") for cell in header]
    while names and not names[-1]:
        names.pop()  # spreadsheets often carry empty columns at the end
    known = {column.name for column in spec.columns}
    problems = []
    missing = [name for name in spec.required_columns if name not in names]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    unknown = [
        name or f"(empty header in column {index})"
        for index, name in enumerate(names, start=1)
        if name not in known
    ]
    if unknown:
        problems.append(
            f"unknown column(s): {', '.join(unknown)} (the columns are: {', '.join(sorted(known))})"
        )
    repeated = sorted(name for name, count in Counter(names).items() if count > 1 and name)
    if repeated:
        problems.append(f"repeated column(s): {', '.join(repeated)}")
    if problems:
        raise ImportFileError("Row 1 (the header): " + "; ".join(problems) + ".", row=1)
    return names


# --- running -------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What a dry run found or an import did."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    rows_with_problems: int = 0
    created: Counter = field(default_factory=Counter)  # verbose name of the model → records
    plurals: dict = field(default_factory=dict)  # verbose name → verbose name plural
    notes: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "problem_count": self.problem_count,
            "rows_with_problems": self.rows_with_problems,
            "problems_shown": len(self.problems),
            "created": {
                self.plurals.get(name, name) if count != 1 else name: count
                for name, count in sorted(self.created.items())
            },
            "notes": self.notes[:200],
            "committed": self.committed,
        }


class _Undo(Exception):
    """Raised to roll back a savepoint on purpose."""


def run_import(
    *,
    spec: ImportSpec,
    user,
    data: bytes,
    file_format: str,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    request_id: str | None = None,
) -> ImportReport:
    """Check (commit=False) or import (commit=True) a file for `user`; see the module docstring.

    Problems with the file or its rows are in the report; only PermissionDenied (the user may not
    import this kind of record at all) and unexpected errors are raised.
    """
    if not spec.may_import(user):
        raise PermissionDenied(f"You may not import {spec.title.lower()}.")
    report = ImportReport()
    try:
        table = read_table(data, file_format)
        names = check_header(spec, table.header)
    except ImportFileError as error:
        report.add(error.problem)
        return report
    total = table.estimated_rows
    lookups = spec.lookups(user)
    seen: dict = {}
    pending: list | None = [] if spec.bulk else None  # bulk specs: (row, prepared) for save_all
    done = 0

    def rows():
        for number, cells in table.rows():
            if all(cell == "" for cell in cells):
                continue  # blank rows in the middle or at the end of a sheet
            yield number, cells

    def check_row(number, cells, *, keep: bool):
        nonlocal done
        report.rows += 1
        row = _row(spec, names, number, cells, user=user, lookups=lookups)
        created = _process(spec, row, user=user, seen=seen, keep=keep, pending=pending) if not row.problems else {}
        if row.problems:
            report.rows_with_problems += 1
            for problem in row.problems:
                report.add(problem)
        else:
            for model, count in created.items():
                name = str(model._meta.verbose_name)
                report.created[name] += count
                report.plurals[name] = str(model._meta.verbose_name_plural)
            report.notes.extend(f"Row {row.number}: {note}" for note in row.notes)
        done += 1
        if progress:
            progress(done, max(total, done))

    try:
        with audit_actor(user, source="import", request_id=request_id):
            if commit:
                with transaction.atomic():
                    for number, cells in rows():
                        check_row(number, cells, keep=True)
                    if pending and report.ok:
                        _save_all(spec, pending, user, report, commit=True)
                    if not report.ok or report.rows == 0:
                        raise _Undo  # all or nothing
                report.committed = True
            else:
                chunk: list = []
                for item in rows():
                    chunk.append(item)
                    if len(chunk) >= CHUNK_ROWS:
                        _check_chunk(chunk, check_row)
                        chunk = []
                _check_chunk(chunk, check_row)
                if pending and report.ok:
                    _save_all(spec, pending, user, report, commit=False)
    except _Undo:
        report.created.clear()
    except ImportFileError as error:  # a CSV quoting error further down the file
        report.add(error.problem)
        report.created.clear()
    if report.rows == 0 and report.ok:
        report.add(Problem(None, "", "The file has no data rows under the header."))
    if progress:
        progress(report.rows, report.rows)
    return report


def _check_chunk(chunk, check_row) -> None:
    # One transaction per chunk: each row is saved in a savepoint and rolled back (keep=False), and
    # locks (the audit chain head, SQLite's single writer) are released between chunks.
    with transaction.atomic():
        for number, cells in chunk:
            check_row(number, cells, keep=False)


def _row(spec, names, number, cells, *, user, lookups) -> Row:
    values: dict[str, str] = {}
    row = Row(number, values, spec=spec, user=user, lookups=lookups)
    if len(cells) > len(names) and any(cell for cell in cells[len(names) :] if cell):
        row.problem("", f"this row has {len(cells)} values but the header has {len(names)} columns")
    for name, cell in zip(names, cells, strict=False):
        if isinstance(cell, BadCell):
            row.problem(name, f"the cell {cell.message}")
            values[name] = ""
        elif _FORMULA.match(cell):
            row.problem(
                name,
                f"looks like a spreadsheet formula ({cell[:40]}); formulas are not accepted: "
                "remove the leading character",
            )
            values[name] = ""
        else:
            values[name] = cell
    if row.problems:
        return row
    for column in spec.columns:
        if column.required and not values.get(column.name):
            row.problem(column.name, "this column is required and the cell is empty")
    return row


def _save_all(spec: ImportSpec, pending: list, user, report: ImportReport, *, commit: bool) -> None:
    """A bulk spec writes every prepared row at once; a dry run (or any problem) undoes the writes."""
    created: Counter = Counter()
    notes: list[str] = []
    try:
        with transaction.atomic():
            created = spec.save_all(pending, user, commit=commit, notes=notes)
            if not commit or any(row.problems for row, _prepared in pending):
                raise _Undo
    except _Undo:
        pass
    except PermissionDenied as error:
        report.add(Problem(None, "", str(error)))
    except ValidationError as error:
        for message in error.messages:
            report.add(Problem(None, "", message))
    failed = [row for row, _prepared in pending if row.problems]
    for row in failed:
        report.rows_with_problems += 1
        for problem in row.problems:
            report.add(problem)
    if report.ok:
        for model, count in created.items():
            name = str(model._meta.verbose_name)
            report.created[name] += count
            report.plurals[name] = str(model._meta.verbose_name_plural)
        report.notes.extend(notes)


def _process(spec: ImportSpec, row: Row, *, user, seen: dict, keep: bool, pending: list | None = None) -> Counter:
    """Prepare, check for duplicates and save (or try to save and undo) one row; problems go on the row.
    For a bulk spec the prepared row is kept in `pending` for save_all instead."""
    prepared = spec.prepare(row)
    if row.problems or prepared is None:
        return Counter()
    key = spec.key(prepared)
    if key is not None:
        if key in seen:
            row.problem(spec.key_column, f"the same record as row {seen[key]} (duplicate in the file)")
            return Counter()
        seen[key] = row.number
    message = spec.existing(prepared, user)
    if message:
        row.problem(spec.key_column, message)
        return Counter()
    if pending is not None:
        pending.append((row, prepared))
        return Counter()
    created: Counter = Counter()
    try:
        with transaction.atomic():
            for record in spec.save(prepared, user):
                created[type(record)] += 1
            if not keep:
                raise _Undo
    except _Undo:
        pass
    except PermissionDenied as error:
        row.problem(spec.scope_column(prepared), str(error))
    except ValidationError as error:
        _validation_problems(spec, row, error)
    except DatabaseError as error:
        row.problem("", f"the row could not be saved ({type(error).__name__}: {str(error)[:200]})")
    return Counter() if row.problems else created


def _validation_problems(spec: ImportSpec, row: Row, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            column = "" if name == "__all__" else spec.field_column(name)
            for message in messages:
                row.problem(column, message if column or name == "__all__" else f"{name}: {message}")
    else:
        for message in error.messages:
            row.problem("", message)


# --- parsers shared by specs -------------------------------------------------------------------


def parse_date(text: str) -> str:
    """A date written YYYY-MM-DD (ISO 8601): never 03/04/2024, which reads differently by country."""
    if not _ISO_DATE.match(text):
        raise CellError(f'"{text[:40]}" is not a date written YYYY-MM-DD (for example 2024-03-31)')
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise CellError(f'"{text}" is not a date that exists') from None


def parse_boolean(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f'"{text[:40]}" is not yes or no')


def parse_integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CellError(f'"{text[:40]}" is not a whole number') from None


def parse_choice(choices) -> Callable[[str], str]:
    """A parser accepting the stored value or the English label of a TextChoices, in any case."""

    def parse(text: str) -> str:
        word = text.strip().lower()
        for value, label in choices.choices:
            if word in (str(value).lower(), str(label).lower()):
                return value
        allowed = ", ".join(str(value) for value, _label in choices.choices if value)
        raise CellError(f'"{text[:40]}" is not one of: {allowed}')

    return parse


def split_list(text: str) -> list[str]:
    """Values separated by semicolons ("en;fr"); commas are accepted too when no semicolon is used."""
    separator = ";" if ";" in text or "," not in text else ","
    return [item.strip() for item in text.split(separator) if item.strip()]


# --- templates -----------------------------------------------------------------------------------


def template_rows(spec: ImportSpec) -> list[list[str]]:
    """The header of an empty import file."""
    return [[column.name for column in spec.columns]]


def help_rows(spec: ImportSpec) -> list[list[str]]:
    """One line per column: name, required, what it holds, an example (the workbook's second sheet)."""
    rows = [["column", "required", "what it holds", "example"]]
    for column in spec.columns:
        rows.append([column.name, "yes" if column.required else "no", column.help, column.example])
    return rows


def write_template(spec: ImportSpec, file_format: str, stream) -> None:
    """An empty import file: the header (CSV), or the header plus a Help sheet (XLSX)."""
    from cbrnet.core.exports import spreadsheet_rows, write_csv

    if file_format == "csv":
        write_csv(template_rows(spec), stream)
        return
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.name[:31]
    for row in template_rows(spec):
        sheet.append(row)
    help_sheet = workbook.create_sheet("Help")
    for row in spreadsheet_rows(help_rows(spec)):
        help_sheet.append(row)
    workbook.save(stream)
