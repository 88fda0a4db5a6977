"""Import and export of whole templates: JSON and XLSX round trips give back the identical template;
a bad file is refused as a whole with every problem named by sheet, row and column (XLSX) or JSON
path, and nothing is written; the size limit; the UI upload form and the API endpoints."""

import copy
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from cbrnet.assessments import models
from cbrnet.assessments.choices import AnswerType
from cbrnet.assessments.selectors.questionnaires import template_document_of, template_workbook_of
from cbrnet.assessments.services import questionnaires as services
from cbrnet.assessments.tests.questionnaire_helpers import published_version, question_of, section_of
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import client_for

pytestmark = pytest.mark.django_db
API = "/api/assessments/questionnaires/"


def rich_version(w):
    """A published version using every answer type, a formula-like text, guidance and domains."""
    version = published_version(w, "2024")
    section = section_of(version, "EXT", "Extra", 2)
    question_of(
        section,
        "N1",
        w.area,
        answer_type=AnswerType.NUMBER,
        order=1,
        domains="CB",
        weight="2.5",
        guidance="=SUM(A1:A3) is not a formula here",
        required=False,
        reference="JEE P7.1",
    )
    question_of(section, "D1", w.area, answer_type=AnswerType.DATE, order=2, allow_not_applicable=False)
    question_of(
        section, "M1", w.area, answer_type=AnswerType.MULTIPLE_CHOICE, choices=("x", "y", "z"), order=3
    )
    question_of(section, "T1", w.area, answer_type=AnswerType.TEXT, order=4, text="-1 or +1? Ünïcödé")
    question_of(section, "E1", w.area, answer_type=AnswerType.EVIDENCE, order=5)
    return version


def without_origin(document):
    document = copy.deepcopy(document)
    document.pop("exported_from")
    return document


def counts():
    return [
        model.objects.count()
        for model in (
            models.QuestionnaireVersion,
            models.Section,
            models.Question,
            models.LevelDescriptor,
            models.Choice,
        )
    ] + [AuditEntry.objects.count()]


def import_as(user, network, data):
    with audit_actor(user, source="import"):
        return services.questionnaire_version_import(user=user, network=network, data=data)


# --- round trips ----------------------------------------------------------------------------------------


def test_json_export_then_import_gives_the_identical_template(world):
    original = template_document_of(rich_version(world))
    imported = import_as(world.admin, world.asean, json.dumps(original).encode())
    assert imported.status == "draft" and imported.network == world.asean
    again = template_document_of(imported)
    assert without_origin(again) == without_origin(original)
    assert again["exported_from"] == {"network": world.asean.code, "status": "draft", "published_on": None}


def test_xlsx_export_then_import_gives_the_identical_template(world):
    version = rich_version(world)
    original = template_document_of(version)
    workbook = template_workbook_of(original)
    sheets = load_workbook(io.BytesIO(workbook)).sheetnames
    assert sheets == ["version", "sections", "questions", "descriptors", "choices"]
    imported = import_as(world.admin, world.asean, workbook)
    assert without_origin(template_document_of(imported)) == without_origin(original)


def test_a_new_version_with_mappings_round_trips_in_the_same_network(world):
    older = published_version(world, "2024")
    with audit_actor(world.sec_ca, source="command"):
        draft = services.questionnaire_version_new_from(user=world.sec_ca, version=older, new_version="2026")
    document = template_document_of(draft)
    assert document["version"]["previous"] == "2024"
    assert {q["maps_to"] for s in document["sections"] for q in s["questions"]} == {"Q1", "Q2", "Q3"}
    document["version"]["version"] = "2027"
    imported = import_as(world.sec_ca, world.coe, json.dumps(document).encode())
    assert imported.previous == older
    assert imported.questions.get(code="Q1").maps_to == older.level_question


def test_formula_like_text_is_written_as_text_and_read_back(world):
    workbook = template_workbook_of(template_document_of(rich_version(world)))
    sheet = load_workbook(io.BytesIO(workbook))["questions"]
    header = [cell.value for cell in sheet[1]]
    cells = [row[header.index("guidance")] for row in sheet.iter_rows(min_row=2) if row[1].value == "N1"]
    assert cells[0].data_type == "s" and cells[0].value.startswith("'=")


# --- bad input --------------------------------------------------------------------------------------------


def test_every_problem_of_a_json_document_is_named_by_path_and_nothing_is_written(world):
    document = template_document_of(rich_version(world))
    document["version"]["version"] = "2099"
    question = document["sections"][0]["questions"][0]
    question["thematic_area"] = "no-such-area"
    question["domains"] = "CQ"
    question["level_descriptors"][1]["level"] = 9
    document["sections"][1]["questions"][0]["answer_type"] = "essay"
    document["sections"][1]["questions"][1]["code"] = "N1"
    document["sections"][1]["title"] = ""
    document["sections"][1]["questions"][2]["maps_to"] = "Q1"
    document["sections"][0]["colour"] = "red"
    before = counts()
    with pytest.raises(services.TemplateImportError) as error:
        import_as(world.admin, world.coe, json.dumps(document).encode())
    paths = {problem.path for problem in error.value.problems}
    assert paths == {
        "sections[0].colour",
        "sections[0].questions[0].thematic_area",
        "sections[0].questions[0].domains",
        "sections[0].questions[0].level_descriptors[1].level",
        "sections[1].questions[0].answer_type",
        "sections[1].questions[1].code",
        "sections[1].title",
        "sections[1].questions[2].maps_to",
    }, error.value.problems
    unknown_area = next(p for p in error.value.problems if p.path.endswith("thematic_area"))
    assert "no-such-area" in unknown_area.message
    assert counts() == before


def test_every_bad_cell_of_a_workbook_is_named_by_sheet_row_and_column(world):
    from openpyxl import load_workbook as load

    workbook = load(io.BytesIO(template_workbook_of(template_document_of(rich_version(world)))))
    assert workbook["version"]["A5"].value == "version" and workbook["version"]["A6"].value == "name"
    workbook["version"]["B5"] = "2099"  # a new version label
    workbook["version"]["B6"] = None  # no name
    questions = workbook["questions"]
    header = [cell.value for cell in questions[1]]
    questions.cell(row=3, column=header.index("thematic_area") + 1, value="nowhere")
    questions.cell(row=4, column=header.index("weight") + 1, value="heavy")
    questions.cell(row=5, column=header.index("required") + 1, value="perhaps")
    questions.cell(row=6, column=header.index("target_level") + 1, value="=2+2")
    workbook["choices"]["A2"] = "NOPE"
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = counts()
    with pytest.raises(services.TemplateImportError) as error:
        import_as(world.admin, world.coe, buffer.getvalue())
    found = {(p.sheet, p.row, p.column) for p in error.value.problems}
    assert found == {
        ("version", 6, "value"),
        ("questions", 3, "thematic_area"),
        ("questions", 4, "weight"),
        ("questions", 5, "required"),
        ("questions", 6, "target_level"),
        ("choices", 2, "question"),
    }, error.value.problems
    cells = {p.cell for p in error.value.problems}
    letter = "ABCDEFGHIJKLMNOP"[header.index("thematic_area")]
    assert f"{letter}3" in cells
    assert "sheet questions, row 3, column thematic_area" in str(
        next(p for p in error.value.problems if p.row == 3)
    )
    assert counts() == before


def test_a_workbook_without_its_sheets_or_columns_is_refused(world):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "version"
    workbook.create_sheet("sections").append(["code", "title"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(services.TemplateImportError) as error:
        import_as(world.admin, world.coe, buffer.getvalue())
    problems = {(p.sheet, p.column) for p in error.value.problems}
    assert ("questions", None) in problems and ("sections", "order") in problems
    assert not models.QuestionnaireVersion.objects.exists()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\xff\xfe not text", "neither"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b"PK\x03\x04broken", "not a valid .xlsx"),
    ],
)
def test_unreadable_files_are_refused_with_a_message(world, data, message):
    with pytest.raises(services.TemplateImportError) as error:
        import_as(world.admin, world.coe, data)
    assert message in str(error.value)


def test_a_file_over_the_size_limit_is_refused(world, monkeypatch):
    monkeypatch.setattr(services, "TEMPLATE_IMPORT_MAX_BYTES", 1000)
    document = template_document_of(rich_version(world))
    with pytest.raises(services.TemplateImportError) as error:
        import_as(world.admin, world.asean, json.dumps(document).encode())
    assert "limit" in str(error.value)


def test_an_import_needs_a_builder_of_the_network(world):
    document = template_document_of(rich_version(world))
    document["version"]["version"] = "2099"
    before = counts()
    with pytest.raises(services.PermissionDenied):
        import_as(world.nfp_kz, world.coe, json.dumps(document).encode())
    with pytest.raises(services.PermissionDenied):
        import_as(world.sec_ca, world.asean, json.dumps(document).encode())
    assert counts() == before


# --- the UI and the API ---------------------------------------------------------------------------------------


def test_the_upload_page_imports_and_reports_problems(world):
    document = template_document_of(rich_version(world))
    client = client_for(world.sec_ca)
    document["version"]["version"] = "2099"
    document["sections"][0]["questions"][0]["thematic_area"] = "nowhere"
    upload = SimpleUploadedFile("naq.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post("/assessments/questionnaires/import/", {"network": world.coe.pk, "file": upload})
    assert response.status_code == 400
    assert "sections[0].questions[0].thematic_area" in response.content.decode()
    assert not models.QuestionnaireVersion.objects.filter(version="2099").exists()
    document["sections"][0]["questions"][0]["thematic_area"] = world.area.code
    upload = SimpleUploadedFile("naq.json", json.dumps(document).encode(), content_type="application/json")
    response = client.post("/assessments/questionnaires/import/", {"network": world.coe.pk, "file": upload})
    assert response.status_code == 302
    assert models.QuestionnaireVersion.objects.get(version="2099").status == "draft"
    assert client_for(world.nfp_kz).get("/assessments/questionnaires/import/").status_code == 403


def test_the_export_pages_give_json_and_xlsx(world):
    version = rich_version(world)
    client = client_for(world.nfp_kz)  # every signed-in user reads (and exports) templates
    response = client.get(f"/assessments/questionnaires/{version.pk}/export.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content) == template_document_of(version)
    response = client.get(f"/assessments/questionnaires/{version.pk}/export.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client.get(f"/assessments/questionnaires/{version.pk}/export.csv").status_code == 404


def test_the_api_exports_and_imports_a_template(world):
    version = rich_version(world)
    client = client_for(world.admin)
    exported = client.get(f"{API}{version.pk}/template", {"format": "json"})
    assert exported.status_code == 200
    workbook = client.get(f"{API}{version.pk}/template", {"format": "xlsx"}).content
    response = client.post(
        f"{API}import", {"network": world.asean.pk, "file": SimpleUploadedFile("t.xlsx", workbook)}
    )
    assert response.status_code == 201, response.content
    imported = models.QuestionnaireVersion.objects.get(pk=response.json()["id"])
    assert without_origin(template_document_of(imported)) == without_origin(json.loads(exported.content))
    assert AuditEntry.objects.filter(
        object_id=str(imported.pk), content_type__model="questionnaireversion", source="api"
    ).exists()


def test_the_api_names_every_problem_of_a_bad_template(world):
    document = template_document_of(rich_version(world))
    document["sections"][1]["questions"][0]["weight"] = "heavy"
    before = counts()
    response = client_for(world.admin).post(
        f"{API}import",
        {"network": world.asean.pk, "file": SimpleUploadedFile("t.json", json.dumps(document).encode())},
    )
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [error["path"] for error in errors] == ["sections[1].questions[0].weight"]
    assert counts() == before
