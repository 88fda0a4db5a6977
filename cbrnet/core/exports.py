"""CSV and XLSX export of any list a user can see, through the access engine (action "export")."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from cbrnet import access

EXPORT_FORMATS = ("csv", "xlsx")


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
            ("\ufeff" if index == 0 else "") + writer.writerow(row) for index, row in enumerate(rows)
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(basename[:31])
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
