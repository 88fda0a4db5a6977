"""The chart and summary endpoints give the numbers of the pages, inside the same access rules."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.surveillance.choices import Method
from cbrnet.surveillance.models import Disease, Series, Signal, WeeklyCount
from cbrnet.surveillance.tests.test_charts_selectors import charts_world

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2025, 1, 6)
WEEK = datetime.timedelta(days=7)
VALUES = [2, 3, 2, 4, 3, 2, 3, 2, 3, 0, 2, 3, 30]


@pytest.fixture
def w():
    world = charts_world()
    with audit_actor(None, source="command"):
        for index, value in enumerate(VALUES):
            WeeklyCount.objects.create(series=world.kz_anthrax_human, week=FIRST + WEEK * index, count=value)
        world.outbreak = Signal.objects.create(series=world.kz_anthrax_human, week=FIRST + WEEK * 12,
                                               method=Method.EARS_C1, count=30, threshold=5.1)
    return world


def test_the_chart_json_has_every_week_nulls_where_not_judged_and_the_signals(w):
    response = client_for(w.nfp_kz).get(f"/api/surveillance/series/{w.kz_anthrax_human.pk}/chart", {"range": "all"})
    assert response.status_code == 200
    body = response.json()
    assert body["range"] == "all"
    assert body["series"]["id"] == w.kz_anthrax_human.pk and body["series"]["country"] == "KZ"
    assert body["series"]["method"] == "ears_c1" and body["series"]["url"] == w.kz_anthrax_human.get_absolute_url()
    assert body["weeks"][0] == "2025-01-06" and len(body["weeks"]) == len(VALUES)
    assert body["counts"] == VALUES
    assert body["thresholds"][:7] == [None] * 7 and all(isinstance(t, float) for t in body["thresholds"][7:])
    assert body["alarms"][:7] == [None] * 7 and body["alarms"][-1] is True
    assert [(s["id"], s["week"], s["status"], s["url"]) for s in body["signals"]] == [
        (w.outbreak.pk, "2025-03-31", "new", w.outbreak.get_absolute_url())
    ]


def test_the_chart_json_defaults_to_the_last_year(w):
    with audit_actor(None, source="command"):
        for index in range(1, 60):
            WeeklyCount.objects.create(series=w.kz_anthrax_human, week=FIRST - WEEK * index, count=1)
    body = client_for(w.nfp_kz).get(f"/api/surveillance/series/{w.kz_anthrax_human.pk}/chart").json()
    assert (body["range"], len(body["weeks"]), len(body["counts"]), len(body["thresholds"])) == ("1y", 52, 52, 52)


def test_the_chart_json_of_a_hidden_series_is_404_bad_ranges_are_named_and_anonymous_is_401(w):
    hidden = f"/api/surveillance/series/{w.uz_brucellosis.pk}/chart"
    assert client_for(w.nfp_kz).get(hidden).status_code == 404
    assert client_for(w.nfp_uz).get(hidden).status_code == 200
    assert client_for(w.nfp_kz).get("/api/surveillance/series/99999999999999999999/chart").status_code in (404, 422)
    response = client_for(w.nfp_kz).get(f"/api/surveillance/series/{w.kz_anthrax_human.pk}/chart", {"range": "9y"})
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["range"]
    assert client_for(None).get(f"/api/surveillance/series/{w.kz_anthrax_human.pk}/chart").status_code == 401


def test_the_summary_json_matches_the_dashboard_for_each_user(w):
    body = client_for(w.nfp_kz).get("/api/surveillance/signals/summary", {"weeks": 104}).json()
    assert (body["weeks"], body["series_count"], body["dataset_count"], body["open_signal_count"],
            body["alert_count"], body["alert_days"]) == (104, 3, 2, 6, 1, 30)
    assert [(r["country_iso2"], r["disease_name"], r["new"], r["verified"], r["total"]) for r in body["rows"]] == [
        ("KZ", "Anthrax", 3, 2, 5), ("KZ", "Salmonellosis", 1, 0, 1)]
    assert body["rows"][0]["country_id"] == w.kz.pk and body["rows"][0]["disease_id"] == w.anthrax.pk
    assert body["countries"] == [{"iso2": "KZ", "id": w.kz.pk, "name": "Kazakhstan", "signals": 6, "datasets": 2}]

    author = client_for(w.nfp_uz).get("/api/surveillance/signals/summary", {"weeks": 104}).json()
    assert [c["iso2"] for c in author["countries"]] == ["KZ", "UZ"]
    assert (author["open_signal_count"], author["alert_count"]) == (8, 2)


def test_the_summary_json_names_a_bad_week_count_and_needs_a_user(w):
    for weeks in (0, 105, "x"):
        response = client_for(w.nfp_kz).get("/api/surveillance/signals/summary", {"weeks": weeks})
        assert response.status_code == 422, weeks
        assert [error["field"] for error in response.json()["errors"]] == ["weeks"]
    assert client_for(None).get("/api/surveillance/signals/summary").status_code == 401


def test_the_summary_json_query_count_does_not_grow_with_rows(w):
    client = client_for(w.nfp_uz)
    client.get("/api/surveillance/signals/summary")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/surveillance/signals/summary", {"weeks": 104})
    with audit_actor(None, source="command"):
        for index in range(5):
            disease = Disease.objects.create(code=f"api{index}", name=f"Api {index}", animal=True)
            series = Series.objects.create(dataset=w.uz_hidden, disease=disease)
            Signal.objects.create(series=series, week=FIRST, method=Method.EARS_C1, count=4, threshold=1.0)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/surveillance/signals/summary", {"weeks": 104}).json()
    assert len(body["rows"]) == 3 + 5
    assert len(many) == len(few)
