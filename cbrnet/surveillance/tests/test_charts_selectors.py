"""The dashboard and chart selectors count only what the user may read, in a fixed number of queries."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import build_world
from cbrnet.sharing.choices import TLP, Status
from cbrnet.surveillance import selectors
from cbrnet.surveillance.choices import Method, Sector, SignalStatus
from cbrnet.surveillance.models import Alert, Dataset, Disease, Series, Signal, WeeklyCount

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 4)  # a Wednesday; its week starts on Monday 2 March
SINCE = datetime.date(2026, 1, 5)  # 8 weeks before that Monday: the first week counted by default
WEEK = datetime.timedelta(days=7)


def week(number: int) -> datetime.date:
    """The Monday `number` weeks after SINCE (negative: before)."""
    return SINCE + WEEK * number


def _dataset(w, *, title, country, sector, owner, author, published=True, method=Method.EARS_C1):
    dataset = Dataset.objects.create(title=title, country=country, sector=sector, owner_organisation=owner,
                                     author=author, tlp=TLP.CLEAR if published else TLP.AMBER, method=method)
    if published:
        Dataset.objects.filter(pk=dataset.pk).update(status=Status.PUBLISHED, published_at=timezone.now())
        dataset.refresh_from_db()
    return dataset


def _signal(series, number, status=SignalStatus.NEW, count=9):
    return Signal.objects.create(series=series, week=week(number), method=series.dataset.method, count=count,
                                 threshold=4.5, status=status, reason="checked" if status != SignalStatus.NEW else "")


def charts_world() -> SimpleNamespace:
    """Two Kazakh datasets published to everyone (TLP:CLEAR) and an Uzbek draft only its author, the
    Uzbek focal point, can read; open, closed and old signals in them; recent, old and hidden alerts."""
    w = build_world()
    with audit_actor(None, source="command"):
        w.anthrax = Disease.objects.create(code="anthrax", name="Anthrax", zoonotic=True, human=True, animal=True)
        w.salmonellosis = Disease.objects.create(code="salmonellosis", name="Salmonellosis", human=True, food=True)
        w.brucellosis = Disease.objects.create(code="brucellosis", name="Brucellosis", zoonotic=True, human=True,
                                               animal=True)
        w.kz_human = _dataset(w, title="KZ notifiable diseases", country=w.kz, sector=Sector.HUMAN,
                              owner=w.kz_ministry, author=w.team_kz)
        w.kz_animal = _dataset(w, title="KZ veterinary reports", country=w.kz, sector=Sector.ANIMAL,
                               owner=w.kz_ministry, author=w.team_kz)
        w.uz_hidden = _dataset(w, title="UZ animal diseases (draft)", country=w.uz, sector=Sector.ANIMAL,
                               owner=w.uz_fp, author=w.nfp_uz, published=False)
        w.kz_anthrax_human = Series.objects.create(dataset=w.kz_human, disease=w.anthrax)
        w.kz_salmonellosis = Series.objects.create(dataset=w.kz_human, disease=w.salmonellosis)
        w.kz_anthrax_animal = Series.objects.create(dataset=w.kz_animal, disease=w.anthrax, admin_area="Almaty")
        w.uz_brucellosis = Series.objects.create(dataset=w.uz_hidden, disease=w.brucellosis)
        _signal(w.kz_anthrax_human, 1)
        _signal(w.kz_anthrax_human, 3, SignalStatus.VERIFIED)
        _signal(w.kz_anthrax_human, 4, SignalStatus.DISCARDED)  # closed: not counted
        _signal(w.kz_anthrax_human, -1)  # before the 8 weeks: not counted
        _signal(w.kz_salmonellosis, 5)
        _signal(w.kz_anthrax_animal, 6, SignalStatus.VERIFIED)
        _signal(w.uz_brucellosis, 2)
        _signal(w.uz_brucellosis, 7)
        alert = dict(disease=w.anthrax, country=w.kz, headline="Anthrax in Almaty", description="Cases.",
                     tlp=TLP.CLEAR, owner_organisation=w.kz_ministry, author=w.team_kz)
        w.alert = Alert.objects.create(**alert)
        w.old_alert = Alert.objects.create(**alert)
        Alert.objects.filter(pk__in=[w.alert.pk, w.old_alert.pk]).update(status=Status.PUBLISHED,
                                                                          published_at=timezone.now())
        Alert.objects.filter(pk=w.old_alert.pk).update(created=timezone.now() - datetime.timedelta(days=31))
        w.hidden_alert = Alert.objects.create(disease=w.brucellosis, country=w.uz, headline="Brucellosis",
                                              description="Draft.", tlp=TLP.AMBER, owner_organisation=w.uz_fp,
                                              author=w.nfp_uz)
    return w


@pytest.fixture
def w():
    return charts_world()


def test_the_summary_counts_open_signals_of_readable_datasets_by_country_and_disease(w):
    summary = selectors.signal_summary(user=w.nfp_kz, today=TODAY)

    assert summary["since"] == SINCE
    rows = [(r["country_iso2"], r["disease_name"], r["new"], r["verified"], r["total"], r["latest_week"])
            for r in summary["rows"]]
    assert rows == [
        ("KZ", "Anthrax", 1, 2, 3, week(6)),  # human and animal series together; discarded and old left out
        ("KZ", "Salmonellosis", 1, 0, 1, week(5)),
    ]
    assert summary["countries"] == {"KZ": {"id": w.kz.pk, "name": "Kazakhstan", "signals": 4, "datasets": 2}}
    assert (summary["series_count"], summary["dataset_count"], summary["open_signal_count"],
            summary["alert_count"]) == (3, 2, 4, 1)


def test_a_hidden_datasets_signals_series_and_alerts_are_not_counted_but_its_author_counts_them(w):
    for user in (w.nfp_kz, w.sec_ca, w.outsider, w.admin):
        summary = selectors.signal_summary(user=user, today=TODAY)
        assert "UZ" not in summary["countries"], user
        assert all(row["country_iso2"] != "UZ" for row in summary["rows"]), user
        assert summary["open_signal_count"] == 4, user

    summary = selectors.signal_summary(user=w.nfp_uz, today=TODAY)
    assert summary["countries"]["UZ"] == {"id": w.uz.pk, "name": "Uzbekistan", "signals": 2, "datasets": 1}
    assert ("UZ", "Brucellosis", 2) in [(r["country_iso2"], r["disease_name"], r["total"]) for r in summary["rows"]]
    assert (summary["series_count"], summary["dataset_count"], summary["open_signal_count"],
            summary["alert_count"]) == (4, 3, 6, 2)


def test_anonymous_counts_nothing(w):
    from django.contrib.auth.models import AnonymousUser

    summary = selectors.signal_summary(user=AnonymousUser(), today=TODAY)
    assert (summary["rows"], summary["countries"], summary["series_count"], summary["alert_count"]) == ([], {}, 0, 0)


def test_the_number_of_weeks_moves_the_first_week_counted(w):
    two_weeks = selectors.signal_summary(user=w.nfp_kz, weeks=2, today=TODAY)
    assert two_weeks["since"] == datetime.date(2026, 2, 16)
    assert two_weeks["open_signal_count"] == 1  # week(6) is 16 February: the animal anthrax signal
    year = selectors.signal_summary(user=w.nfp_kz, weeks=52, today=TODAY)
    assert year["open_signal_count"] == 5  # the old one too


def test_a_week_count_out_of_bounds_is_refused(w):
    for weeks in (0, selectors.MAX_SIGNAL_WEEKS + 1):
        with pytest.raises(ValueError):
            selectors.signal_summary(user=w.nfp_kz, weeks=weeks)


def test_the_summary_takes_four_queries_whatever_the_number_of_rows(w, django_assert_num_queries):
    from cbrnet.access.context import user_context

    user_context(w.nfp_uz)  # the user's access context is computed once per request, before
    with django_assert_num_queries(4):
        selectors.signal_summary(user=w.nfp_uz, today=TODAY)
    with audit_actor(None, source="command"):
        for index in range(5):
            disease = Disease.objects.create(code=f"d{index}", name=f"Disease {index}", human=True)
            series = Series.objects.create(dataset=w.kz_human, disease=disease)
            _signal(series, 2)
    with django_assert_num_queries(4):
        summary = selectors.signal_summary(user=w.nfp_uz, today=TODAY)
    assert len(summary["rows"]) == 8


def _counts(series, values, first=datetime.date(2025, 1, 6)):
    with audit_actor(None, source="command"):
        for index, value in enumerate(values):
            WeeklyCount.objects.create(series=series, week=first + WEEK * index, count=value)


def test_the_chart_data_has_a_value_per_week_none_where_not_judged_and_only_visible_signals(w):
    values = [2, 3, 2, 4, 3, 2, 3, 2, 3, 0, 2, 3, 30]  # EARS C1 judges from the 8th week
    _counts(w.kz_anthrax_human, values)
    last = datetime.date(2025, 1, 6) + WEEK * 12
    with audit_actor(None, source="command"):
        signal = Signal.objects.create(series=w.kz_anthrax_human, week=last, method=Method.EARS_C1, count=30,
                                       threshold=5.1)

    data = selectors.series_chart(user=w.nfp_kz, series=w.kz_anthrax_human, range_key="all")

    assert data["weeks"][0] == datetime.date(2025, 1, 6) and data["weeks"][-1] == last
    assert data["counts"] == values
    assert data["thresholds"][:7] == [None] * 7 and all(t is not None for t in data["thresholds"][7:])
    assert data["alarms"][:7] == [None] * 7 and data["alarms"][-1] is True and not any(data["alarms"][7:-1])
    assert [s["id"] for s in data["signals"]] == [signal.pk]  # the chart shows the signals of its weeks only
    assert data["method"] == Method.EARS_C1


def test_the_chart_range_limits_the_weeks(w):
    _counts(w.kz_anthrax_human, [1 + index % 3 for index in range(170)])
    lengths = {key: len(selectors.series_chart(user=w.nfp_kz, series=w.kz_anthrax_human, range_key=key)["weeks"])
               for key in selectors.CHART_RANGES}
    assert lengths == {"1y": 52, "3y": 156, "all": 170}
    with pytest.raises(ValueError):
        selectors.series_chart(user=w.nfp_kz, series=w.kz_anthrax_human, range_key="5y")


def test_a_series_without_counts_gives_an_empty_chart(w):
    data = selectors.series_chart(user=w.nfp_kz, series=w.kz_salmonellosis)
    assert (data["weeks"], data["counts"], data["signals"]) == ([], [], [])
