"""CSV and XLSX export of any list a user can see, through the access engine (action "export").

Every cell goes through `neutralise` so that no exported value runs as a spreadsheet formula.
"""

import csv
import io
import re

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from cbrnet import access

EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheets evaluate a cell that starts with one of these (CSV/formula injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def neutralise(value: str) -> str:
    """The value as text a spreadsheet shows but never runs: a leading = + - @ (or tab, carriage
    return) gets an apostrophe in front, the spreadsheets' "this is text" mark. Plain numbers such
    as -12.5 stay as they are."""
    if value and value[0] in FORMULA_TRIGGERS and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_rows(rows):
    """Neutralise every cell of every row (see `neutralise`)."""
    for row in rows:
        yield [neutralise(value) if isinstance(value, str) else value for value in row]


def write_xlsx(rows, stream, *, title: str) -> None:
    """Write rows as a one-sheet workbook; every cell is text, so nothing in it is a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in spreadsheet_rows(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(stream)


def write_csv(rows, stream) -> None:
    """Write rows as UTF-8 CSV with a byte-order mark (so that Excel reads the accents right)."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    for row in spreadsheet_rows(rows):
        writer.writerow(row)


def export_rows(queryset, user, fields: list[tuple[str, str]]):
    """Yield the header and then one list of strings per row the user may export.

    `fields` are (header, accessor) pairs; contact details of people are blanked unless the
    person's consent and the user's role allow them.
    """
    from cbrnet.core.tables import Column

    queryset = access.restrict(queryset, user, "export")
    contact_fields = set(getattr(queryset.model, "contact_fields", ()))
    if contact_fields:
        queryset = access.with_contact_visibility(queryset, user)
    columns = [(header, Column(accessor)) for header, accessor in fields]
    yield [header for header, _ in columns]
    for row in queryset.iterator(chunk_size=2000) if not queryset._prefetch_related_lookups else queryset:
        hide = contact_fields and not row.contact_visible
        yield ["" if hide and column.accessor in contact_fields else str(column.value(row)) for _, column in columns]


class _Echo:
    def write(self, value):
        return value


def export_response(queryset, user, fields, *, basename: str, file_format: str):
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{file_format}"
    rows = export_rows(queryset, user, fields)
    if file_format == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            ("\ufeff" if index == 0 else "") + writer.writerow(row)
            for index, row in enumerate(spreadsheet_rows(rows))
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
    else:
        buffer = io.BytesIO()
        write_xlsx(rows, buffer, title=basename)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
