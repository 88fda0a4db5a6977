"""Ingestion of weekly counts: files through the import engine (CSV, XLSX, line lists), the API and
the service; every kind of bad input reported by row and column with nothing written; corrections
raise the revision and are audited; dry runs write nothing; refusals; size limit; query budget."""

import datetime
import io
import tempfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from cbrnet.core import imports
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.jobs.models import Job
from cbrnet.surveillance.imports import CASES, COUNTS
from cbrnet.surveillance.models import Series, WeeklyCount
from cbrnet.surveillance.services import ingest
from cbrnet.surveillance.tests.data_world import add_surveillance

pytestmark = pytest.mark.django_db

MONDAY = ingest.current_week() - datetime.timedelta(weeks=10)  # a Monday well in the past
HEADER = ["dataset", "disease", "admin_area", "week", "count"]


def week(offset: int) -> datetime.date:
    return MONDAY + datetime.timedelta(weeks=offset)


@pytest.fixture
def w(world):
    return add_surveillance(world)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_bytes(rows) -> bytes:
    return "\n".join(",".join(str(cell) for cell in row) for row in rows).encode() + b"\n"


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(spec, user, data, *, commit, file_format="csv"):
    return imports.run_import(spec=spec, user=user, data=data, file_format=file_format, commit=commit)


def written() -> tuple[int, int, int]:
    return WeeklyCount.objects.count(), Series.objects.count(), AuditEntry.objects.count()


def stored(dataset) -> dict:
    return {
        (count.series.disease.code, count.series.admin_area, count.week): (count.count, count.revision)
        for count in WeeklyCount.objects.filter(series__dataset=dataset).select_related("series__disease")
    }


# --- files ---------------------------------------------------------------------------------------
def test_a_good_csv_creates_series_and_counts_audited_as_an_import(w):
    data = csv_bytes([HEADER,
                      [w.kz_human.pk, "anthrax", "", week(0).isoformat(), 2],
                      [w.kz_human.pk, "anthrax", "", ingest.iso_week_label(week(1)), 0],
                      [w.kz_human.pk, "Brucellosis", "Turkistan Region", week(1).isoformat(), 7]])

    checked = run(COUNTS, w.officer, data, commit=False)
    assert checked.ok and checked.summary()["created"] == {"weekly counts": 3, "series": 2}
    assert WeeklyCount.objects.count() == 0

    report = run(COUNTS, w.officer, data, commit=True)

    assert report.ok and report.committed, report.problems
    assert stored(w.kz_human) == {
        ("anthrax", "", week(0)): (2, 1),
        ("anthrax", "", week(1)): (0, 1),
        ("brucellosis", "Turkistan Region", week(1)): (7, 1),
    }
    anthrax = Series.objects.get(dataset=w.kz_human, disease=w.anthrax)
    assert (anthrax.first_week, anthrax.last_week) == (week(0), week(1))
    entry = audit_entries_for(WeeklyCount.objects.get(series=anthrax, week=week(0)), "create").get()
    assert entry.actor_id == w.officer.pk and entry.source == "import" and entry.after["count"] == 2
    assert "Dataset" in " ".join(report.notes)


def test_a_good_xlsx_with_date_and_number_cells_is_imported(w):
    data = xlsx_bytes([HEADER,
                       [w.kz_human.pk, "anthrax", "Almaty", datetime.datetime.combine(week(0), datetime.time()), 3],
                       [w.kz_human.pk, "anthrax", "Almaty", ingest.iso_week_label(week(2)), 4.0]])

    report = run(COUNTS, w.officer, data, commit=True, file_format="xlsx")

    assert report.ok, report.problems
    assert stored(w.kz_human) == {("anthrax", "Almaty", week(0)): (3, 1), ("anthrax", "Almaty", week(2)): (4, 1)}


def test_a_line_list_is_counted_per_iso_week_of_onset_else_report_date(w):
    header = ["dataset", "disease", "admin_area", "onset_date", "report_date", "case_id"]
    wednesday = week(0) + datetime.timedelta(days=2)
    sunday = week(0) + datetime.timedelta(days=6)
    data = csv_bytes([header,
                      [w.kz_human.pk, "brucellosis", "Almaty", week(0).isoformat(), "", "c1"],
                      [w.kz_human.pk, "brucellosis", "almaty", sunday.isoformat(), "", "c2"],  # same area, any case
                      [w.kz_human.pk, "brucellosis", "Almaty", "", wednesday.isoformat(), "c3"],  # report date only
                      [w.kz_human.pk, "brucellosis", "Almaty", (week(1) + datetime.timedelta(days=1)).isoformat(),
                       (week(2)).isoformat(), "c4"],  # onset wins over the later report
                      [w.kz_human.pk, "salmonellosis", "", wednesday.isoformat(), "", ""]])

    report = run(CASES, w.officer, data, commit=True)

    assert report.ok, report.problems
    assert stored(w.kz_human) == {
        ("brucellosis", "Almaty", week(0)): (3, 1),
        ("brucellosis", "Almaty", week(1)): (1, 1),
        ("salmonellosis", "", week(0)): (1, 1),
    }


BAD_ROWS = [
    # (row cells after dataset, column named, words of the message)
    (["plague", "", "{w0}", "1"], "disease", "unknown disease code"),
    (["avian-influenza", "", "{w0}", "1"], "disease", "does not concern human health"),
    (["anthrax", "", "2026-13-01", "1"], "week", "not a date that exists"),
    (["anthrax", "", "{tuesday}", "1"], "week", "is a Tuesday"),
    (["anthrax", "", "next week", "1"], "week", "neither the date of a Monday"),
    (["anthrax", "", "{future}", "1"], "week", "after the current week"),
    (["anthrax", "", "2025-W53", "1"], "week", "has no ISO week 53"),
    (["anthrax", "", "{w3}", "-1"], "count", "negative"),
    (["anthrax", "", "{w4}", "2.5"], "count", "not a whole number"),
    (["anthrax", "", "{w5}", ""], "count", "required"),
    (["anthrax", "", "{w0}", "=1+1"], "count", "formula"),
    (["anthrax", "x" * 121, "{w6}", "1"], "admin_area", "at most 120 characters"),
]


def test_every_kind_of_bad_row_is_reported_by_row_and_column_and_nothing_is_written(w):
    values = {"w0": week(0).isoformat(), "w3": week(3).isoformat(), "w4": week(4).isoformat(),
              "w5": week(5).isoformat(), "w6": week(6).isoformat(),
              "tuesday": (week(1) + datetime.timedelta(days=1)).isoformat(),
              "future": (ingest.current_week() + datetime.timedelta(weeks=1)).isoformat()}
    rows = [HEADER, [w.kz_human.pk, "anthrax", "", week(0).isoformat(), "1"]]  # a good row first
    for cells, _column, _words in BAD_ROWS:
        rows.append([w.kz_human.pk, *[cell.format(**values) for cell in cells]])
    rows.append([w.kz_human.pk, "anthrax", " ", week(0).isoformat(), "2"])  # duplicate of row 2
    rows.append([w.uz_clear.pk, "anthrax", "", week(0).isoformat(), "1"])  # visible, not changeable
    rows.append([w.uz_draft.pk, "anthrax", "", week(0).isoformat(), "1"])  # invisible
    rows.append(["twelve", "anthrax", "", week(0).isoformat(), "1"])
    before = written()

    for commit in (False, True):
        report = run(COUNTS, w.officer, csv_bytes(rows), commit=commit)
        problems = {(problem.row, problem.column): problem.message for problem in report.problems}
        for number, (_cells, column, words) in enumerate(BAD_ROWS, start=3):
            assert words in problems.get((number, column), ""), (number, column, problems)
        last = len(rows)
        assert "duplicate" in problems[(last - 3, "week")]
        assert "may not add data to dataset" in problems[(last - 2, "dataset")]
        assert "no dataset number" in problems[(last - 1, "dataset")]
        assert "not a dataset number" in problems[(last, "dataset")]
        assert (2, "disease") not in problems and not report.committed
        assert written() == before


def test_a_file_without_the_required_columns_is_refused_at_the_header(w):
    report = run(COUNTS, w.officer, csv_bytes([["dataset", "disease", "week"], [w.kz_human.pk, "anthrax", "x"]]),
                 commit=True)
    assert [(problem.row, problem.column) for problem in report.problems] == [(1, "")]
    assert "missing required column(s): count" in report.problems[0].message
    assert WeeklyCount.objects.count() == 0


def test_line_list_problems_name_their_row_and_column(w):
    header = ["dataset", "disease", "admin_area", "onset_date", "report_date", "case_id"]
    day = week(0) + datetime.timedelta(days=3)
    rows = [header,
            [w.kz_human.pk, "brucellosis", "", "", "", "a"],
            [w.kz_human.pk, "brucellosis", "", "14/01/2026", "", "b"],
            [w.kz_human.pk, "brucellosis", "", day.isoformat(), (day - datetime.timedelta(days=1)).isoformat(), "c"],
            [w.kz_human.pk, "brucellosis", "", day.isoformat(), "", "d"],
            [w.kz_human.pk, "brucellosis", "", day.isoformat(), "", "d"]]

    report = run(CASES, w.officer, csv_bytes(rows), commit=True)

    problems = {(problem.row, problem.column): problem.message for problem in report.problems}
    assert "onset date or the report date" in problems[(2, "onset_date")]
    assert "YYYY-MM-DD" in problems[(3, "onset_date")]
    assert "before its onset" in problems[(4, "report_date")]
    assert "duplicate" in problems[(6, "case_id")]
    assert WeeklyCount.objects.count() == 0


def test_a_correction_replaces_the_count_raises_the_revision_and_is_audited_and_an_unchanged_one_is_left(w):
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[
        {"disease": "anthrax", "week": week(0).isoformat(), "count": 3},
        {"disease": "anthrax", "week": week(1).isoformat(), "count": 1}])
    first = WeeklyCount.objects.get(week=week(1))
    entries = AuditEntry.objects.count()

    with audit_actor(w.officer, source="command"):
        result = ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[
            {"disease": "anthrax", "week": week(0).isoformat(), "count": 5},
            {"disease": "anthrax", "week": ingest.iso_week_label(week(1)), "count": 1}])

    assert (result.created, result.changed, result.unchanged) == (0, 1, 1)
    corrected = WeeklyCount.objects.get(week=week(0))
    assert (corrected.count, corrected.revision) == (5, 2)
    entry = audit_entries_for(corrected, "update").get()
    assert entry.before == {"count": 3, "revision": 1} and entry.after == {"count": 5, "revision": 2}
    assert entry.actor_id == w.officer.pk and entry.source == "command"
    unchanged = WeeklyCount.objects.get(week=week(1))
    assert (unchanged.revision, unchanged.updated) == (1, first.updated)
    assert AuditEntry.objects.count() == entries + 1


def test_a_dry_run_reports_what_would_be_written_and_writes_nothing(w):
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[{"disease": "anthrax", "week": week(0), "count": 3}])
    before = written()

    result = ingest.counts_ingest(user=w.officer, dataset=w.kz_human, dry_run=True, rows=[
        {"disease": "anthrax", "week": week(0).isoformat(), "count": 4},
        {"disease": "brucellosis", "admin_area": "Almaty", "week": week(0).isoformat(), "count": 1}])

    assert (result.created, result.changed, result.series_created, result.dry_run) == (1, 1, 1, True)
    assert written() == before
    assert WeeklyCount.objects.get().count == 3


def test_a_user_who_may_not_change_the_dataset_is_refused(w):
    rows = {"rows": [{"disease": "anthrax", "week": week(0).isoformat(), "count": 1}]}
    for user, dataset, status in ((w.nfp_uz, w.kz_human, 404), (w.sec_ca, w.kz_human, 403),
                                  (w.officer, w.uz_clear, 403), (w.officer, w.uz_draft, 404)):
        response = client_for(user).post(f"/api/surveillance/datasets/{dataset.pk}/counts", rows,
                                         content_type="application/json")
        assert response.status_code == status, (user, dataset, response.content)
    with pytest.raises(Exception, match="Only the author and the editors"):
        ingest.counts_ingest(user=w.sec_ca, dataset=w.kz_human, rows=rows["rows"])
    assert WeeklyCount.objects.count() == 0


def test_a_50_mb_file_is_refused_by_size_and_nothing_is_stored(w, media):
    client = client_for(w.officer)
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(",".join(HEADER).encode() + b"\n" + b"x" * (50 * 1024 * 1024))
        handle.seek(0)
        page = client.post("/imports/surveillance-counts/", {"file": handle})
        handle.seek(0)
        api = client.post("/api/imports/surveillance-counts", {"file": handle})
    assert page.status_code == 413 and "bigger than the limit" in page.content.decode()
    assert api.status_code == 413 and api["Content-Type"] == "application/problem+json"
    assert not Job.objects.exists() and WeeklyCount.objects.count() == 0


def test_the_upload_page_and_the_imports_api_check_then_commit(w, media):
    client = client_for(w.officer)
    data = csv_bytes([HEADER, [w.kz_human.pk, "anthrax", "", week(0).isoformat(), 2]])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/imports/surveillance-counts", {"file": SimpleUploadedFile("counts.csv", data)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ready" and body["summary"]["created"] == {"weekly count": 1, "series": 1}
    assert WeeklyCount.objects.count() == 0
    response = client.post(body["links"]["commit"])
    assert response.status_code == 200 and response.json()["status"] == "done"
    assert stored(w.kz_human) == {("anthrax", "", week(0)): (2, 1)}

    bad = csv_bytes([HEADER, [w.kz_human.pk, "anthrax", "", week(0).isoformat(), -2]])
    response = client.post("/api/imports/surveillance-counts", {"file": SimpleUploadedFile("bad.csv", bad)})
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2 and response.json()["errors"][0]["field"] == "count"

    page = client.post("/imports/surveillance-cases/", {"file": SimpleUploadedFile("cases.csv", csv_bytes([
        ["dataset", "disease", "onset_date"], [w.kz_human.pk, "anthrax", week(1).isoformat()]]))})
    assert page.status_code == 302
    job = Job.objects.order_by("-pk").first()
    assert job.status == "ready"
    client.post(f"/jobs/{job.pk}/commit/")
    assert stored(w.kz_human)[("anthrax", "", week(1))] == (1, 1)


# --- the API -------------------------------------------------------------------------------------
def test_api_ingests_aggregate_rows_and_line_lists_with_a_dry_run_first(w):
    client = client_for(w.officer)
    url = f"/api/surveillance/datasets/{w.kz_human.pk}/counts"
    rows = [{"disease": "anthrax", "week": ingest.iso_week_label(week(0)), "count": 2},
            {"disease": "anthrax", "admin_area": "Almaty", "week": week(0).isoformat(), "count": "3"}]

    response = client.post(url, {"rows": rows, "dry_run": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == 2 and not response.json()["committed"]
    assert WeeklyCount.objects.count() == 0

    response = client.post(url, {"rows": rows}, content_type="application/json")
    assert response.status_code == 200 and response.json()["committed"] and response.json()["series_created"] == 2
    entry = audit_entries_for(WeeklyCount.objects.get(series__admin_area="Almaty"), "create").get()
    assert entry.source == "api" and entry.actor_id == w.officer.pk

    response = client.post(f"/api/surveillance/datasets/{w.kz_human.pk}/cases", {"rows": [
        {"disease": "brucellosis", "onset_date": (week(1) + datetime.timedelta(days=4)).isoformat()},
        {"disease": "brucellosis", "report_date": week(1).isoformat(), "case_id": "x"}]},
        content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == 1
    assert stored(w.kz_human)[("brucellosis", "", week(1))] == (2, 1)


def test_api_reports_every_bad_row_by_field_and_writes_nothing(w):
    client = client_for(w.officer)
    before = written()
    response = client.post(f"/api/surveillance/datasets/{w.kz_human.pk}/counts", {"rows": [
        {"disease": "anthrax", "week": week(0).isoformat(), "count": 1},
        {"disease": "nothing", "week": "2026-01-13", "count": -1},
        {"disease": "anthrax", "week": week(0).isoformat(), "count": 1.5},
        {"disease": "anthrax", "week": week(0).isoformat(), "count": 2},
        {"week": week(2).isoformat(), "count": 1, "colour": "red"},
    ]}, content_type="application/json")
    assert response.status_code == 422 and response["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"rows.1.disease", "rows.1.week", "rows.1.count", "rows.2.count", "rows.3.week", "rows.4.colour"} <= fields
    assert written() == before
    response = client.post(f"/api/surveillance/datasets/{w.kz_human.pk}/counts", {"rows": []},
                           content_type="application/json")
    assert response.status_code == 422
    response = client.post(f"/api/surveillance/datasets/{w.kz_human.pk}/counts", {"rows": "nope"},
                           content_type="application/json")
    assert response.status_code == 422


def test_the_series_counts_endpoints_list_and_upsert_weeks(w):
    client = client_for(w.officer)
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[{"disease": "anthrax", "week": week(0), "count": 3}])
    series = Series.objects.get()
    url = f"/api/surveillance/series/{series.pk}/counts"

    response = client.put(url, {"rows": [{"week": week(0).isoformat(), "count": 4},
                                         {"week": ingest.iso_week_label(week(1)), "count": 0}]},
                          content_type="application/json")
    assert response.status_code == 200 and (response.json()["created"], response.json()["changed"]) == (1, 1)
    response = client.post(url, {"rows": [{"week": week(2).isoformat(), "count": 6}]}, content_type="application/json")
    assert response.status_code == 200

    listing = client.get(url).json()
    assert [(row["iso_week"], row["count"], row["revision"]) for row in listing["results"]] == [
        (ingest.iso_week_label(week(0)), 4, 2), (ingest.iso_week_label(week(1)), 0, 1),
        (ingest.iso_week_label(week(2)), 6, 1)]
    assert client.get(url, {"since": week(1).isoformat()}).json()["count"] == 2
    series.refresh_from_db()
    assert (series.first_week, series.last_week) == (week(0), week(2))
    assert client_for(w.sec_ca).get(url).status_code == 200  # a recipient reads
    assert client_for(w.sec_ca).post(url, {"rows": [{"week": week(3).isoformat(), "count": 1}]},
                                     content_type="application/json").status_code == 403
    assert client_for(w.nfp_uz).get(url).status_code == 404


def test_the_series_page_lists_counts_and_corrects_a_week(w):
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[{"disease": "anthrax", "week": week(0), "count": 3}])
    series = Series.objects.get()
    client = client_for(w.officer)

    response = client.post(f"/surveillance/series/{series.pk}/counts/", {"week": week(0).isoformat(), "count": "7"})
    assert response.status_code == 302
    assert WeeklyCount.objects.get().count == 7
    page = client.get(series.get_absolute_url()).content.decode()
    assert ingest.iso_week_label(week(0)) in page and "Latest corrections" in page
    response = client.post(f"/surveillance/series/{series.pk}/counts/", {"week": "2026-01-13", "count": "1"},
                           follow=True)
    assert "is a Tuesday" in response.content.decode()
    assert client_for(w.sec_ca).post(f"/surveillance/series/{series.pk}/counts/",
                                     {"week": week(1).isoformat(), "count": "1"}).status_code == 403
    assert WeeklyCount.objects.count() == 1


# --- performance and integrity -------------------------------------------------------------------
def test_the_query_count_of_an_ingest_does_not_grow_with_its_rows(w):
    def queries(areas: int, weeks: int) -> int:
        rows = [{"disease": "brucellosis", "admin_area": f"Area {area}", "week": week(-offset).isoformat(),
                 "count": offset + area} for area in range(areas) for offset in range(weeks)]
        with CaptureQueriesContext(connection) as context:
            result = ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=rows)
        assert result.created + result.unchanged == areas * weeks
        return len(context.captured_queries)

    few = queries(2, 5)  # 10 rows
    many = queries(2, 300)  # 600 rows, in series that now exist
    many_new = queries(4, 400)  # 1,600 rows, 2 new series
    many_series = queries(80, 10)  # 800 rows, 76 new series
    assert many <= few + 4, (few, many)
    assert many_new <= few + 8, (few, many_new)
    assert many_series <= few + 8, (few, many_series)
    assert max(many, many_new, many_series) < 40


def test_a_bulk_ingest_keeps_the_audit_chain_intact(w):
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[
        {"disease": "anthrax", "week": week(-offset).isoformat(), "count": offset} for offset in range(700)])
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[
        {"disease": "anthrax", "week": week(-offset).isoformat(), "count": offset + 1} for offset in range(0, 700, 7)])
    w.anthrax.name = "Anthrax (B. anthracis)"
    from cbrnet.core.services import record_save

    record_save(user=w.admin, instance=w.anthrax)  # a single append after the bulk ones
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "The audit chain is intact" in out.getvalue()  # a broken chain raises CommandError
    assert AuditEntry.objects.filter(model_label="surveillance.weeklycount").count() == 800


def test_a_committed_ingest_queues_detection_of_the_changed_series_only(w, django_capture_on_commit_callbacks):
    ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[{"disease": "anthrax", "week": week(0), "count": 3}])
    with django_capture_on_commit_callbacks() as callbacks:
        ingest.counts_ingest(user=w.officer, dataset=w.kz_human, dry_run=True,
                             rows=[{"disease": "anthrax", "week": week(0), "count": 9}])
        ingest.counts_ingest(user=w.officer, dataset=w.kz_human,
                             rows=[{"disease": "anthrax", "week": week(0), "count": 3}])  # unchanged
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        result = ingest.counts_ingest(user=w.officer, dataset=w.kz_human, rows=[
            {"disease": "anthrax", "week": week(0), "count": 4},
            {"disease": "brucellosis", "week": week(0), "count": 1}])
    assert len(callbacks) == 1 and len(result.series_ids) == 2


def test_the_queued_detection_task_receives_the_series_ids(w, settings, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest.counts_ingest(user=w.officer, dataset=w.kz_human,
                                      rows=[{"disease": "anthrax", "week": week(0), "count": 3}])
    task = DBTaskResult.objects.get()
    assert task.task_path == "cbrnet.surveillance.tasks.detect_series"
    assert task.args_kwargs["args"] == [result.series_ids]
