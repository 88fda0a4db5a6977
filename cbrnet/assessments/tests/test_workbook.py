"""The offline round trip: an assessment downloaded as a workbook, filled in with openpyxl (as a
spreadsheet program would), uploaded back; bad cells reported by sheet, row and column with nothing
written; all or nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cbrnet.assessments import models, workbook
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.assessments.tests.assessment_helpers import answer, assign, make_assessment, make_version
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(world):
    return make_version(world)


@pytest.fixture
def draft(world, template):
    return make_assessment(world, template)


def download(assessment):
    return load_workbook(io.BytesIO(workbook.workbook_build(assessment)))


def row_of(book, code):
    for sheet in book.worksheets:
        for row in sheet.iter_rows(min_row=workbook.FIRST_ROW):
            if row[0].value == code:
                return sheet, row[0].row
    raise AssertionError(code)


def fill(book, values: dict):
    """values: code -> (answer, n/a, justification) written in columns E, F and G of the question's row."""
    for code, (value, not_applicable, justification) in values.items():
        sheet, row = row_of(book, code)
        sheet[f"E{row}"] = value
        sheet[f"F{row}"] = not_applicable
        sheet[f"G{row}"] = justification


def save(book) -> bytes:
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


GOOD = {
    "LEG-1": (3, None, "The 2019 law."),
    "LEG-2": ("partly", None, None),
    "LEG-3": (None, "yes", "No national stockpile."),
    "LEG-4": (datetime.date(2021, 5, 4), None, None),
    "LAB-1": ("bsl3", None, None),
    "LAB-2": ("pcr; culture", None, None),
    "LAB-3": ("Two laboratories, one mobile.", None, None),
}


def test_the_workbook_has_instructions_a_sheet_per_section_and_metadata(world, template, draft):
    answer(draft, template.questions["LEG-1"], level=4, justification="Tested in 2023.")
    answer(draft, template.questions["LAB-2"], choices=["pcr", "sequencing"])
    answer(draft, template.questions["LEG-3"], number=Decimal("12.5000"))
    book = download(draft)
    assert book.sheetnames == ["Instructions", "LEG", "LAB", "Metadata"]
    leg = book["LEG"]
    assert [cell.value for cell in leg[workbook.HEADER_ROW]] == [
        "Code",
        "Question",
        "Type",
        "Allowed values",
        "Answer",
        "N/A",
        "Justification",
    ]
    assert [leg.cell(row=row, column=1).value for row in range(3, 7)] == ["LEG-1", "LEG-2", "LEG-3", "LEG-4"]
    assert leg["E3"].value == 4 and leg["G3"].value == "Tested in 2023." and leg["E5"].value == 12.5
    assert "3: Developed capacity" in leg["D3"].value
    assert book["LAB"]["E4"].value == "pcr; sequencing"
    meta = {row[0].value: row[1].value for row in book["Metadata"].iter_rows()}
    assert meta["assessment_id"] == draft.pk and meta["version_id"] == template.version.pk
    assert meta["format"] == workbook.FORMAT and meta["country"] == "KZ"
    lists = {
        (validation.formula1, str(validation.sqref)) for validation in leg.data_validations.dataValidation
    }
    assert ('"1,2,3,4,5"', "E3") in lists and ('"yes,partly,no"', "E4") in lists
    lab_lists = {validation.formula1 for validation in book["LAB"].data_validations.dataValidation}
    assert '"bsl2,bsl3,none"' in lab_lists


def test_a_filled_in_workbook_is_saved_through_answer_save(world, template, draft):
    book = download(draft)
    fill(book, GOOD)
    with audit_actor(world.nfp_kz, source="ui"):
        result = workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    assert result.changed == 7 and sorted(result.changed_codes) == sorted(GOOD)
    answers = {item.question.code: item for item in models.Answer.objects.filter(assessment=draft)}
    assert answers["LEG-1"].level == 3 and answers["LEG-1"].justification == "The 2019 law."
    assert answers["LEG-2"].yes_partly_no == "partly"
    assert answers["LEG-3"].not_applicable and answers["LEG-3"].number is None
    assert answers["LEG-4"].date == datetime.date(2021, 5, 4)
    assert answers["LAB-1"].choices == ["bsl3"] and answers["LAB-2"].choices == ["pcr", "culture"]
    assert answers["LAB-3"].text == "Two laboratories, one mobile."
    assert audit_entries_for(answers["LEG-1"], AuditEntry.Action.CREATE).get().actor_id == world.nfp_kz.pk
    # Downloaded again and uploaded unchanged: nothing is written (a text starting with "=" stays text).
    answer(draft, template.questions["LAB-3"], text="=SUM(A1) is not a formula")
    assert download(draft)["LAB"]["E5"].data_type == "s"
    entries = AuditEntry.objects.count()
    again = workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=workbook.workbook_build(draft))
    assert again.changed == 0 and AuditEntry.objects.count() == entries
    # Emptying a cell removes that answer.
    book = download(draft)
    sheet, row = row_of(book, "LEG-2")
    sheet[f"E{row}"] = None
    assert workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book)).changed_codes == [
        "LEG-2"
    ]
    assert models.Answer.objects.get(assessment=draft, question__code="LEG-2").yes_partly_no == ""


def test_every_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(world, template, draft):
    answer(draft, template.questions["LEG-2"], yes_partly_no="yes")
    book = download(draft)
    fill(
        book,
        {
            **GOOD,
            "LEG-1": (7, None, None),
            "LAB-1": ("bsl4", None, None),
            "LAB-3": ("Text", "yes", None),
            "LEG-2": ("no", "perhaps", None),
        },
    )
    book["LEG"]["E6"] = "=TODAY()"  # LEG-4: a formula
    book["LAB"]["A9"] = "LAB-99"  # a row with an unknown code
    book["LAB"]["E9"] = "yes"
    entries, answers = (
        AuditEntry.objects.count(),
        list(models.Answer.objects.values_list("pk", "yes_partly_no")),
    )
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    found = {(problem.sheet, problem.row, problem.column) for problem in error.value.problems}
    assert found == {
        ("LEG", 3, "E"),
        ("LEG", 4, "F"),
        ("LEG", 6, "E"),
        ("LAB", 3, "E"),
        ("LAB", 5, "F"),
        ("LAB", 9, "A"),
    }
    messages = {problem.cell: str(problem) for problem in error.value.problems}
    assert messages["LEG!E3"].startswith("Sheet “LEG”, row 3, column E (Answer): ")
    assert "give a level from 1 to 5" in messages["LEG!E3"]
    assert "one of: bsl2, bsl3, none" in messages["LAB!E3"]
    assert "formula" in messages["LEG!E6"]
    assert "may not be answered “not applicable”" in messages["LAB!F5"]
    assert "unknown question code “LAB-99”" in messages["LAB!A9"]
    assert AuditEntry.objects.count() == entries
    assert list(models.Answer.objects.values_list("pk", "yes_partly_no")) == answers


def test_a_workbook_of_another_assessment_is_refused(world, template, draft):
    other = make_assessment(world, template, country=world.kz, year=2020)
    book = download(other)
    fill(book, GOOD)
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    assert f"belongs to another assessment (no. {other.pk}" in str(error.value.problems[0])
    assert not models.Answer.objects.exists()


def test_renamed_sheets_missing_columns_and_foreign_files_are_refused(world, template, draft):
    book = download(draft)
    book["LAB"].title = "Labs"
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    assert [problem.sheet for problem in error.value.problems] == ["Labs"]
    book = download(draft)
    book["LEG"]["F2"] = "Remarks"
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    assert "“N/A”" in str(error.value.problems[0]) and error.value.problems[0].row == 2
    for data, expected in ((b"code,answer\nLEG-1,3\n", "not an .xlsx workbook"), (b"", "empty")):
        with pytest.raises(workbook.WorkbookError) as error:
            workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=data)
        assert expected in str(error.value.problems[0])
    book = download(draft)
    del book["Metadata"]
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=save(book))
    assert "Metadata" in str(error.value.problems[0])


def test_a_file_over_the_limit_is_refused_before_it_is_read(world, draft, settings):
    settings.IMPORT_MAX_BYTES = 1024
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=draft, data=workbook.workbook_build(draft))
    assert "the limit is 0.0 MB" in str(error.value.problems[0])


def test_only_a_draft_takes_a_workbook(world, template):
    submitted = make_assessment(world, template, status=AssessmentStatus.SUBMITTED)
    book = download(submitted)
    fill(book, GOOD)
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.nfp_kz, assessment=submitted, data=save(book))
    assert "only while it is a draft" in str(error.value.problems[0])
    assert not models.Answer.objects.exists()


def test_a_team_member_s_workbook_changes_only_their_sections(world, template, draft):
    assign(world, draft, template.sections["LEG"], world.p_team_kz)
    book = download(draft)
    fill(book, {"LEG-1": (2, None, None), "LAB-1": ("bsl2", None, None)})
    with pytest.raises(workbook.WorkbookError) as error:
        workbook.workbook_upload(user=world.team_kz, assessment=draft, data=save(book))
    assert [(problem.sheet, problem.row, problem.column) for problem in error.value.problems] == [
        ("LAB", 3, "E")
    ]
    book = download(draft)
    fill(book, {"LEG-1": (2, None, None)})
    assert workbook.workbook_upload(user=world.team_kz, assessment=draft, data=save(book)).changed_codes == [
        "LEG-1"
    ]


def test_the_workbook_pages_and_endpoints(world, template, draft, client_as):
    client = client_as(world.nfp_kz)
    response = client.get(f"/assessments/{draft.pk}/workbook.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == workbook.CONTENT_TYPE
    book = load_workbook(io.BytesIO(response.content))
    fill(book, {**GOOD, "LEG-1": ("high", None, None)})
    upload = io.BytesIO(save(book))
    upload.name = "filled.xlsx"
    response = client.post(f"/assessments/{draft.pk}/workbook/", {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "nothing was saved" in page and "<td>LEG</td><td>3</td><td>E (Answer)</td>" in page
    assert not models.Answer.objects.exists()
    api = f"/api/assessments/assessments/{draft.pk}/workbook"
    upload.seek(0)
    response = client.post(api, {"file": upload})
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(error["sheet"], error["row"], error["column"], error["field"]) for error in errors] == [
        ("LEG", 3, "E", "LEG!E3")
    ]
    fill(book, {"LEG-1": (1, None, None)})
    upload = io.BytesIO(save(book))
    upload.name = "filled.xlsx"
    response = client.post(api, {"file": upload})
    assert response.status_code == 200 and response.json()["changed"] == 7
    response = client.get(f"/api/assessments/assessments/{draft.pk}/workbook.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client_as(world.nfp_uz).get(f"/assessments/{draft.pk}/workbook.xlsx").status_code == 404
    upload.seek(0)
    assert client_as(world.viewer_my).post(api, {"file": upload}).status_code == 404
