"""The import engine: reading files, refusing bad ones (nothing written), the web flow and the API.

Spec-specific behaviour (lookups, duplicates, consent, expertise lines) is in
cbrnet/registry/tests/test_imports.py; the helpers below are shared with it.
"""

import csv
import datetime
import html
import io
import os
import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from cbrnet.core import imports
from cbrnet.core.exports import neutralise
from cbrnet.core.models import AuditEntry
from cbrnet.jobs.models import Job, JobStatus
from cbrnet.registry import models as r
from cbrnet.registry.imports import PEOPLE

pytestmark = pytest.mark.django_db

PEOPLE_HEADER = ["given_name", "family_name", "organisation", "country", "position", "email", "phone"]


# --- helpers shared with the registry's import tests ---------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    """Uploads and results go to a temporary directory, removed after the test."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(rows, *, bom=False, delimiter=",", encoding="utf-8") -> bytes:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + text.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def written() -> dict:
    """Row counts of everything an import could write, and of the audit trail."""
    counts = {
        model._meta.label: model.objects.count()
        for model in (
            r.Organisation,
            r.Person,
            r.ExpertProfile,
            r.Expertise,
            r.Language,
            r.Network,
        )
    }
    counts["audit entries"] = AuditEntry.objects.count()
    return counts


def check(spec, user, data, file_format="csv", progress=None):
    return imports.run_import(
        spec=spec, user=user, data=data, file_format=file_format, commit=False, progress=progress
    )


def commit(spec, user, data, file_format="csv", progress=None):
    return imports.run_import(
        spec=spec, user=user, data=data, file_format=file_format, commit=True, progress=progress
    )


def problems(report) -> list[tuple]:
    return [(problem.row, problem.column, problem.message) for problem in report.problems]


def kz_people(*names):
    return [PEOPLE_HEADER] + [
        [
            given,
            family,
            "KZ Ministry of Health",
            "KZ",
            "Inspector",
            f"{given.lower()}@example.org",
            "+7 700 000 00 00",
        ]
        for given, family in names
    ]


# --- reading files: every refusal leaves the database as it was ----------------------------------


def test_a_50_mb_file_is_refused_before_it_is_parsed_and_nothing_is_written(world, monkeypatch):
    def parsing_must_not_start(*args, **kwargs):
        raise AssertionError("the file was parsed")

    monkeypatch.setattr(imports, "_read_csv", parsing_must_not_start)
    before = written()
    with tempfile.TemporaryFile() as handle:
        handle.write(",".join(PEOPLE_HEADER[:2]).encode() + b"\n")
        handle.write(b"x" * (50 * 1024 * 1024))
        handle.seek(0)
        data = handle.read()
    for run in (check, commit):
        report = run(PEOPLE, world.nfp_kz, data)
        assert not report.ok
        assert "50.0 MB" in report.problems[0].message and "limit is 20.0 MB" in report.problems[0].message
    assert written() == before


def test_latin1_bytes_are_refused_naming_the_problem_and_the_line(world):
    before = written()
    data = csv_bytes(kz_people(("Aliya", "Sarsen"), ("Hélène", "Dupré")), encoding="latin-1")
    for run in (check, commit):
        report = run(PEOPLE, world.nfp_kz, data)
        ((row, column, message),) = problems(report)
        assert row == 3 and "line 3" in message and "not UTF-8" in message and "0xE9" in message
    assert written() == before


def test_utf8_with_or_without_bom_and_semicolon_separated_files_are_read(world):
    rows = kz_people(("Aliya", "Sarsenová"))
    for data in (csv_bytes(rows), csv_bytes(rows, bom=True), csv_bytes(rows, delimiter=";")):
        report = check(PEOPLE, world.nfp_kz, data)
        assert report.ok, problems(report)
        assert report.rows == 1 and report.created == {"person": 1}


def test_missing_and_unknown_columns_are_named_and_nothing_is_written(world):
    before = written()
    data = csv_bytes(
        [["given_name", "surname", "organisation"], ["Aliya", "Sarsen", "KZ Ministry of Health"]]
    )
    report = commit(PEOPLE, world.nfp_kz, data)
    ((row, column, message),) = problems(report)
    assert row == 1
    assert "missing required column(s): family_name" in message
    assert "unknown column(s): surname" in message
    assert written() == before


def test_extra_cells_beyond_the_header_are_reported(world):
    data = csv_bytes([["given_name", "family_name"], ["Aliya", "Sarsen", "surplus"]])
    report = check(PEOPLE, world.nfp_kz, data)
    assert problems(report) == [(2, "", "this row has 3 values but the header has 2 columns")]


def test_a_formula_looking_value_is_refused_and_nothing_is_written(world):
    before = written()
    rows = kz_people(("Aliya", "Sarsen"), ("Dana", "Bek"))
    rows[2][4] = "=cmd|' /C calc'!A0"
    for data, file_format in ((csv_bytes(rows), "csv"), (xlsx_bytes(rows), "xlsx")):
        report = commit(PEOPLE, world.nfp_kz, data, file_format)
        ((row, column, message),) = problems(report)
        # openpyxl stores a text starting with "=" as a formula: the workbook holds a formula cell
        assert (row, column) == (3, "position") and "formula (=cmd|" in message
    assert written() == before


def test_phone_numbers_and_negative_numbers_are_not_mistaken_for_formulas(world):
    rows = kz_people(("Aliya", "Sarsen"))
    rows[1][6] = "+7 (700) 000-00-00"
    report = check(PEOPLE, world.nfp_kz, csv_bytes(rows))
    assert report.ok, problems(report)


def test_an_xlsx_formula_cell_and_an_error_cell_are_reported_by_row_and_column(world):
    before = written()
    workbook = Workbook()
    sheet = workbook.active
    for row in kz_people(("Aliya", "Sarsen"), ("Dana", "Bek")):
        sheet.append(row)
    sheet["E2"] = "=UPPER(A2)"  # a formula
    sheet["F3"] = "#N/A"  # an error value
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = commit(PEOPLE, world.nfp_kz, buffer.getvalue(), "xlsx")
    assert [(row, column) for row, column, _ in problems(report)] == [(2, "position"), (3, "email")]
    assert "is a formula (=UPPER(A2))" in report.problems[0].message
    assert "#N/A" in report.problems[1].message
    assert written() == before


def test_xlsx_dates_numbers_and_booleans_become_text_the_specs_understand(world):
    rows = [
        ["given_name", "family_name", "organisation", "directory_listed", "consent_date"],
        ["Aliya", "Sarsen", "KZ Ministry of Health", True, datetime.date(2025, 1, 31)],
    ]
    report = commit(PEOPLE, world.nfp_kz, xlsx_bytes(rows), "xlsx")
    assert report.ok, problems(report)
    person = r.Person.objects.get(family_name="Sarsen")
    assert person.directory_listed and person.consent_date == datetime.date(2025, 1, 31)


def test_files_that_are_not_csv_or_xlsx_are_refused_by_name(world):
    assert "old Excel workbook (.xls)" in str(
        pytest.raises(imports.ImportFileError, imports.detect_format, b"\xd0\xcf\x11\xe0rest").value
    )
    report = check(PEOPLE, world.nfp_kz, b"PK\x03\x04 not really a zip", "xlsx")
    assert problems(report)[0][2] == "The file is not a valid .xlsx workbook."
    report = check(PEOPLE, world.nfp_kz, b"", "csv")
    assert problems(report)[0][2] == "The file is empty."
    report = check(PEOPLE, world.nfp_kz, csv_bytes([PEOPLE_HEADER]))
    assert problems(report)[0][2] == "The file has no data rows under the header."


def test_blank_rows_are_skipped_and_row_numbers_are_those_of_the_spreadsheet(world):
    rows = kz_people(("Aliya", "Sarsen"))
    rows += [[""] * len(PEOPLE_HEADER), ["Dana", "Bek", "KZ Ministry of Health", "XX"]]
    report = check(PEOPLE, world.nfp_kz, csv_bytes(rows))
    assert report.rows == 2
    ((row, column, message),) = problems(report)
    assert (row, column) == (4, "country") and 'unknown country code "XX"' in message


def test_a_user_who_may_not_add_people_may_not_import_them(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        check(PEOPLE, world.team_kz, csv_bytes(kz_people(("Aliya", "Sarsen"))))


# --- exports neutralise formulas -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("-12.5", "-12.5"),
        ("+7 700 000", "'+7 700 000"),
        ("Plain text", "Plain text"),
        ("", ""),
    ],
)
def test_neutralise_makes_formula_triggers_text(value, expected):
    assert neutralise(value) == expected


def test_csv_and_xlsx_exports_neutralise_formula_cells(world, client_as):
    world.p_hidden_kz.position = '=HYPERLINK("http://evil.example","x")'
    world.p_hidden_kz.save()
    client = client_as(world.nfp_kz)
    response = client.get("/registry/people/", {"export": "csv", "q": "Kazperson"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(line for line in csv.reader(io.StringIO(text)) if "Kazperson" in line)
    assert row[4] == '\'=HYPERLINK("http://evil.example","x")'
    response = client.get("/registry/people/", {"export": "xlsx", "q": "Kazperson"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(row for row in sheet.iter_rows() if row[1].value == "Kazperson")[4]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")


# --- templates -----------------------------------------------------------------------------------


def test_templates_hold_the_header_and_the_xlsx_a_help_sheet(world, client_as):
    client = client_as(world.nfp_kz)
    text = client.get("/imports/people/template.csv").content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == [column.name for column in PEOPLE.columns]
    workbook = load_workbook(io.BytesIO(client.get("/imports/experts/template.xlsx").content))
    assert workbook.sheetnames == ["experts", "Help"]
    help_rows = list(workbook["Help"].iter_rows(values_only=True))
    assert ("expertise", "no") == help_rows[-1][:2] and "C:border-control:3" in help_rows[-1][3]
    assert client.get("/imports/people/template.pdf").status_code == 404
    assert client.get("/imports/nothing/template.csv").status_code == 404


# --- the web flow ----------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_sign_in(world):
    from django.test import Client

    for url in ("/imports/people/", "/jobs/", "/jobs/1/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_import_page_is_refused_to_users_who_may_not_add(world, client_as):
    assert client_as(world.nfp_kz).get("/imports/people/").status_code == 200
    assert client_as(world.outsider).get("/imports/people/").status_code == 403
    assert client_as(world.team_kz).get("/imports/people/").status_code == 403
    assert client_as(world.nfp_kz).get("/imports/nothing/").status_code == 404


def test_list_pages_offer_import_only_where_a_spec_exists_and_the_user_may_add(world, client_as):
    page = client_as(world.nfp_kz).get("/registry/people/").content.decode()
    assert 'href="/imports/people/"' in page
    page = client_as(world.team_kz).get("/registry/people/").content.decode()
    assert "/imports/" not in page
    page = client_as(world.admin).get("/registry/countries/").content.decode()
    assert "/imports/" not in page


def test_upload_check_confirm_import_as_the_user_with_source_import(world, client_as, media):
    client = client_as(world.nfp_kz)
    before = written()
    data = csv_bytes(kz_people(("Aliya", "Sarsen"), ("Dana", "Bek")))
    response = client.post("/imports/people/", {"file": SimpleUploadedFile("people.csv", data)})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.READY and job.percent == 100
    assert written() == before  # the check wrote nothing
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Import 2 rows" in page and 'hx-trigger="every 1s"' not in page
    response = client.post(f"/jobs/{job.pk}/commit/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.summary["created"] == {"people": 2}
    people = r.Person.objects.filter(family_name__in=["Sarsen", "Bek"])
    assert people.count() == 2
    entries = AuditEntry.objects.filter(
        model_label="registry.person", object_id__in=[str(p.pk) for p in people]
    )
    assert {(entry.actor_id, entry.source, entry.request_id) for entry in entries} == {
        (world.nfp_kz.pk, "import", job.token)
    }
    assert not job.upload  # the uploaded file is deleted once imported
    assert client.post(f"/jobs/{job.pk}/commit/").status_code == 302  # a second confirmation changes nothing
    assert people.count() == 2


def test_a_file_with_problems_shows_every_problem_and_cannot_be_confirmed(world, client_as, media):
    client = client_as(world.nfp_kz)
    rows = kz_people(("Aliya", "Sarsen"), ("Dana", "Bek"))
    rows[1][3], rows[2][2] = "QQ", "No such ministry"
    client.post("/imports/people/", {"file": SimpleUploadedFile("people.csv", csv_bytes(rows))})
    job = Job.objects.get()
    assert job.status == JobStatus.INVALID
    page = html.unescape(client.get(job.get_absolute_url()).content.decode())
    assert 'unknown country code "QQ"' in page and "no organisation called" in page
    assert "2 problems: nothing was imported." in page
    report = client.get(f"/jobs/{job.pk}/problems.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(report)))[1][:2] == ["2", "country"]
    before = written()
    client.post(f"/jobs/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == JobStatus.INVALID and written() == before


def test_a_50_mb_upload_is_refused_by_the_page_and_nothing_is_stored(world, client_as, media):
    before = written()
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(b"given_name,family_name\n" + b"x" * (50 * 1024 * 1024))
        handle.seek(0)
        response = client_as(world.nfp_kz).post("/imports/people/", {"file": handle})
    assert response.status_code == 413
    assert "bigger than the limit of 20.0 MB" in response.content.decode()
    assert written() == before and not Job.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


def test_the_upload_handler_stops_reading_past_the_limit(world, settings, rf):
    from django.core.files.uploadhandler import StopUpload

    from cbrnet.core.import_views import MaxSizeUploadHandler

    settings.IMPORT_MAX_BYTES = 1024
    request = rf.post("/")
    handler = MaxSizeUploadHandler(request)
    assert handler.receive_data_chunk(b"x" * 1000, 0) == b"x" * 1000
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"x" * 100, 1000)
    assert request.import_too_large


def test_a_big_file_is_checked_by_a_task_and_the_page_polls_until_done(
    world, client_as, media, settings, django_capture_on_commit_callbacks
):
    from cbrnet.jobs import services

    settings.IMPORT_INLINE_MAX_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # queued, not run
    client = client_as(world.nfp_kz)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/imports/people/", {"file": SimpleUploadedFile("people.csv", csv_bytes(kz_people(("A", "B"))))}
        )
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and job.task_id
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'value="0"' in fragment
    services.job_check(job=job)  # what the worker does
    fragment = client.get(f"/jobs/{job.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and "100%" in fragment and "Import 1 row" in fragment


def test_jobs_are_visible_to_their_owner_only(world, client_as, media):
    client_as(world.nfp_kz).post(
        "/imports/people/", {"file": SimpleUploadedFile("p.csv", csv_bytes(kz_people(("A", "B"))))}
    )
    job = Job.objects.get()
    for user in (world.nfp_uz, world.admin, world.outsider):
        client = client_as(user)
        for url in (
            f"/jobs/{job.pk}/",
            f"/jobs/{job.pk}/progress/",
            f"/jobs/{job.pk}/problems.csv",
            f"/jobs/{job.pk}/download/",
            f"/api/jobs/{job.pk}",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(f"/jobs/{job.pk}/commit/").status_code == 404
        assert client.post(f"/api/jobs/{job.pk}/commit").status_code == 404
        assert f"/jobs/{job.pk}/" not in client.get("/jobs/").content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert f"/jobs/{job.pk}/" in client_as(world.nfp_kz).get("/jobs/").content.decode()


# --- the API -------------------------------------------------------------------------------------


def test_api_dry_run_returns_every_problem_as_problem_details(world, client_as, media):
    client = client_as(world.nfp_kz)
    rows = kz_people(("Aliya", "Sarsen"), ("Dana", "Bek"))
    rows[1][3] = "QQ"
    rows[2][5] = "not-an-address"
    before = written()
    response = client.post("/api/imports/people", {"file": SimpleUploadedFile("p.csv", csv_bytes(rows))})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert [(e["row"], e["column"], e["field"]) for e in body["errors"]] == [
        (2, "country", "country"),
        (3, "email", "email"),
    ]
    assert body["job"]["status"] == "invalid"
    assert written() == before


def test_api_dry_run_then_commit(world, client_as, media):
    client = client_as(world.nfp_kz)
    response = client.post(
        "/api/imports/people", {"file": SimpleUploadedFile("p.csv", csv_bytes(kz_people(("A", "B"))))}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["status"] == "ready" and body["percent"] == 100 and body["summary"]["created"] == {"person": 1}
    )
    assert client.get(body["links"]["self"]).json()["status"] == "ready"
    response = client.post(body["links"]["commit"])
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert r.Person.objects.filter(given_name="A", family_name="B").exists()
    response = client.post(body["links"]["commit"])
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"


def test_api_refuses_a_50_mb_file_unknown_imports_missing_files_and_strangers(world, client_as, media):
    client = client_as(world.nfp_kz)
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(b"given_name,family_name\n" + b"x" * (50 * 1024 * 1024))
        handle.seek(0)
        response = client.post("/api/imports/people", {"file": handle})
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert client.post("/api/imports/nothing", {}).status_code == 404
    response = client.post("/api/imports/people", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    response = client_as(world.outsider).post(
        "/api/imports/people", {"file": SimpleUploadedFile("p.csv", b"a,b\n")}
    )
    assert response.status_code == 403
    from django.test import Client

    assert Client().post("/api/imports/people", {}).status_code == 401
    assert not Job.objects.exists()


def test_api_lists_the_imports_the_user_may_run(world, client_as):
    names = [spec["name"] for spec in client_as(world.nfp_kz).get("/api/imports/").json()]
    assert names == ["organisations", "people", "experts", "surveillance-counts", "surveillance-cases"]
    assert client_as(world.outsider).get("/api/imports/").json() == []


# --- background exports --------------------------------------------------------------------------


def test_a_long_list_is_exported_by_a_task_for_its_owner_only(
    world, client_as, media, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = client_as(world.nfp_ph)
    page = client.get("/registry/people/").content.decode()
    assert 'action="/exports/"' in page and 'name="list" value="registry:person_list"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exports/", {"list": "registry:person_list", "format": "csv", "query": ""})
    job = Job.objects.get()
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == job.total and job.percent == 100
    download = client.get(f"/jobs/{job.pk}/download/")
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert "Uzfocal" in text  # listed in the directory
    assert "Kazperson" not in text and "Thfocal" not in text  # the access engine decides what is exported
    assert "bek@example.org" not in text  # contact details without consent stay blank
    assert client_as(world.nfp_kz).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_a_background_export_of_something_that_is_not_a_list_is_refused(world, client_as, media):
    response = client_as(world.nfp_kz).post(
        "/api/jobs/exports", {"list": "core:home", "format": "csv"}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "list"
    response = client_as(world.nfp_kz).post(
        "/api/jobs/exports",
        {"list": "registry:person_list", "format": "pdf"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Job.objects.exists()


def test_old_jobs_are_pruned_with_their_uploaded_files(world, client_as, media):
    client_as(world.nfp_kz).post(
        "/imports/people/", {"file": SimpleUploadedFile("p.csv", csv_bytes(kz_people(("A", "B"))))}
    )
    job = Job.objects.get()
    path = job.upload.path
    assert job.status == JobStatus.READY and (media / job.upload.name).exists()
    call_command("jobs_prune", days=30, stdout=io.StringIO())
    assert Job.objects.filter(pk=job.pk).exists()
    Job.objects.filter(pk=job.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    out = io.StringIO()
    call_command("jobs_prune", days=30, stdout=out)
    assert out.getvalue().strip() == "1 job(s) deleted."
    assert not Job.objects.exists()
    assert not os.path.exists(path)


def test_with_htmx_the_background_export_takes_the_filters_as_they_are_now(world, client_as, media, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    response = client_as(world.nfp_kz).post(
        "/exports/",
        {
            "list": "registry:person_list",
            "format": "xlsx",
            "query": "q=stale",
            "q": "Kazperson",
            "country": "",
        },
        headers={"HX-Request": "true"},
    )
    job = Job.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == job.get_absolute_url()
    assert job.params == {"query": "q=Kazperson"} and job.total == 1 and job.file_format == "xlsx"
