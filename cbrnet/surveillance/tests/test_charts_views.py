"""The series chart (inline SVG, its table and range links) and the dashboard of current signals."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cbrnet.core.audit import audit_actor
from cbrnet.core.testing import client_for
from cbrnet.surveillance.choices import Method, SignalStatus
from cbrnet.surveillance.models import Disease, Series, Signal, WeeklyCount
from cbrnet.surveillance.tests.test_charts_selectors import charts_world
from cbrnet.surveillance.views.charts import chart_layout

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
FIRST = datetime.date(2025, 1, 6)
WEEK = datetime.timedelta(days=7)
# EARS C1 judges from the 8th week; one week without cases; an outbreak in the last week.
VALUES = [2, 3, 2, 4, 3, 2, 3, 2, 3, 0, 2, 3, 30]
LAST = FIRST + WEEK * (len(VALUES) - 1)


@pytest.fixture
def w():
    world = charts_world()
    with audit_actor(None, source="command"):
        for index, value in enumerate(VALUES):
            WeeklyCount.objects.create(series=world.kz_anthrax_human, week=FIRST + WEEK * index, count=value)
        world.outbreak = Signal.objects.create(series=world.kz_anthrax_human, week=LAST, method=Method.EARS_C1,
                                               count=30, threshold=5.1)
        world.discarded = Signal.objects.create(series=world.kz_anthrax_human, week=LAST - WEEK, method=Method.EARS_C1,
                                                count=3, threshold=2.9, status=SignalStatus.DISCARDED, reason="Rumour")
    return world


def chart_url(series, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("surveillance:series_chart", args=[series.pk]) + (f"?{query}" if query else "")


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\".*?</svg>", html, re.S)
    assert match, "no chart in the page"
    return ET.fromstring(match.group(0))


def bars(svg):
    return svg.findall(f"{SVG}g[@class='chart-bars']/{SVG}rect")


def test_the_chart_has_a_bar_per_week_with_cases_a_threshold_line_alarms_and_signal_markers(w):
    response = client_for(w.nfp_kz).get(chart_url(w.kz_anthrax_human, chart_range="all"))
    assert response.status_code == 200
    svg = svg_of(response.content.decode())

    assert len(bars(svg)) == len([value for value in VALUES if value > 0]) == 12
    assert [rect.get("class") for rect in bars(svg)].count("alarm") == 1
    assert "alarm" in bars(svg)[-1].findtext(f"{SVG}title")
    threshold = svg.find(f"{SVG}path[@class='chart-threshold']")
    assert threshold is not None
    assert threshold.get("d").count("M") == 1  # one unbroken line from the 8th week on
    assert threshold.get("d").count("H") == len(VALUES) - 7  # one step per judged week
    assert len(svg.findall(f"{SVG}g[@class='chart-alarms']/{SVG}path")) == 1
    markers = svg.findall(f"{SVG}g[@class='chart-signals']/{SVG}a")
    assert [(a.get("class"), a.get("href")) for a in markers] == [
        ("mark-discarded", w.discarded.get_absolute_url()),
        ("mark-new", w.outbreak.get_absolute_url()),
    ]
    assert svg.findtext(f"{SVG}title").startswith("Weekly counts of Anthrax")
    assert "13 weeks" in svg.findtext(f"{SVG}desc")


def test_the_chart_comes_with_a_table_of_the_same_numbers(w):
    html = client_for(w.nfp_kz).get(chart_url(w.kz_anthrax_human, chart_range="all")).content.decode()
    table = html[html.index("<table"):html.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    assert len(rows) == len(VALUES)
    assert "2025-W14" in rows[0] and ">30<" in rows[0] and "alarm" in rows[0]  # newest first
    assert w.outbreak.get_absolute_url() in rows[0]
    assert "not judged" in rows[-1]


def test_the_range_links_choose_the_weeks_shown(w):
    with audit_actor(None, source="command"):
        for index in range(1, 60):  # 60 more weeks before the others
            WeeklyCount.objects.create(series=w.kz_anthrax_human, week=FIRST - WEEK * index, count=1)
    client = client_for(w.nfp_kz)
    default = client.get(chart_url(w.kz_anthrax_human)).content.decode()
    assert len(svg_of(default).findall(f"{SVG}g[@class='chart-bars']/{SVG}rect")) == 51  # 52 weeks, one of them 0
    assert re.search(r'<a href="\?chart_range=1y"[^>]*aria-current="true"', default)
    everything = client.get(chart_url(w.kz_anthrax_human, chart_range="all")).content.decode()
    assert len(bars(svg_of(everything))) == 59 + 12
    assert re.search(r'<a href="\?chart_range=all"[^>]*aria-current="true"', everything)
    # An unknown range falls back to the default rather than failing.
    assert client.get(chart_url(w.kz_anthrax_human, chart_range="nonsense")).status_code == 200


def test_htmx_gets_the_chart_alone_and_a_browser_a_whole_page(w):
    client = client_for(w.nfp_kz)
    partial = client.get(chart_url(w.kz_anthrax_human), headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<section") and "<html" not in partial
    assert 'hx-get="' + chart_url(w.kz_anthrax_human, chart_range="3y") in partial
    page = client.get(chart_url(w.kz_anthrax_human)).content.decode()
    assert "<html" in page and 'class="series-chart"' in page


def test_a_chart_loaded_into_a_page_by_htmx_follows_the_pages_range(w):
    with audit_actor(None, source="command"):
        for index in range(1, 60):
            WeeklyCount.objects.create(series=w.kz_anthrax_human, week=FIRST - WEEK * index, count=1)
    page = f"http://testserver{w.kz_anthrax_human.get_absolute_url()}"
    client = client_for(w.nfp_kz)
    slot = client.get(chart_url(w.kz_anthrax_human), headers={"HX-Request": "true", "HX-Current-URL": f"{page}?chart_range=all"})
    assert len(bars(svg_of(slot.content.decode()))) == 59 + 12
    plain = client.get(chart_url(w.kz_anthrax_human), headers={"HX-Request": "true", "HX-Current-URL": page})
    assert len(bars(svg_of(plain.content.decode()))) == 51


def test_the_chart_of_a_hidden_series_is_404_and_anonymous_visitors_sign_in_first(w):
    assert client_for(w.nfp_kz).get(chart_url(w.uz_brucellosis)).status_code == 404
    assert client_for(w.nfp_uz).get(chart_url(w.uz_brucellosis)).status_code == 200
    response = client_for(None).get(chart_url(w.kz_anthrax_human))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_a_series_without_counts_says_so(w):
    html = client_for(w.nfp_kz).get(chart_url(w.kz_salmonellosis)).content.decode()
    assert "No weekly counts in this series yet." in html and "<svg xmlns" not in html


def test_the_chart_stays_small_for_a_slow_link(w):
    with audit_actor(None, source="command"):
        for index in range(1, 160):
            WeeklyCount.objects.create(series=w.kz_anthrax_human, week=FIRST - WEEK * index, count=index % 7)
    client = client_for(w.nfp_kz)
    year = client.get(chart_url(w.kz_anthrax_human), headers={"HX-Request": "true"})
    assert len(year.content) < 20_000, len(year.content)
    three_years = client.get(chart_url(w.kz_anthrax_human, chart_range="3y"), headers={"HX-Request": "true"})
    assert len(three_years.content) < 55_000, len(three_years.content)


def test_the_chart_page_query_count_does_not_grow_with_signals(w):
    client = client_for(w.nfp_kz)
    url = chart_url(w.kz_anthrax_human, chart_range="all")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with audit_actor(None, source="command"):
        for index in range(8):
            Signal.objects.create(series=w.kz_anthrax_human, week=FIRST + WEEK * index, method=Method.CUSUM, count=2,
                                  threshold=1.0)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(svg_of(response.content.decode()).findall(f"{SVG}g[@class='chart-signals']/{SVG}a")) == 10
    assert len(many) == len(few) <= 12


def test_the_template_tag_renders_the_chart_on_any_page(w):
    request = RequestFactory().get("/surveillance/series/1/", {"chart_range": "all"})
    request.user = w.nfp_kz
    request.htmx = False
    html = Template("{% load surveillance_charts %}{% series_chart series %}").render(
        Context({"request": request, "series": w.kz_anthrax_human})
    )
    assert len(bars(svg_of(html))) == 12
    assert 'href="?chart_range=3y"' in html


def test_the_threshold_line_breaks_where_the_method_cannot_judge():
    weeks = [FIRST + WEEK * index for index in range(6)]
    data = {"weeks": weeks, "counts": [1, 2, 3, 0, 5, 6], "thresholds": [None, 4.0, 4.5, None, None, 5.5],
            "alarms": [None, False, False, None, False, True], "signals": []}
    layout = chart_layout(data)
    assert layout["threshold_path"].count("M") == 2
    assert layout["threshold_path"].count("H") == 3
    assert len(layout["bars"]) == 5 and [bar["alarm"] for bar in layout["bars"]] == [False] * 4 + [True]
    assert len(layout["alarm_marks"]) == 1
    assert max(float(tick["label"]) for tick in layout["y_ticks"]) >= 6

    unjudged = chart_layout({**data, "thresholds": [None] * 6, "alarms": [None] * 6})
    assert unjudged["threshold_path"] == "" and unjudged["alarm_marks"] == []
    assert chart_layout({**data, "weeks": [], "counts": [], "thresholds": [], "alarms": []}) == {"empty": True}


# --- the dashboard -----------------------------------------------------------------------------------

DASHBOARD = "/surveillance/"


def test_the_dashboard_shows_figures_map_and_table_of_what_the_user_may_read(w):
    response = client_for(w.nfp_kz).get(DASHBOARD, {"weeks": 104})
    assert response.status_code == 200
    html = response.content.decode()
    for testid, value in {"series-count": 3, "dataset-count": 2, "open-signal-count": 6, "alert-count": 1}.items():
        assert re.search(rf'data-testid="{testid}">{value}<', html), testid
    map_svg = html[html.index('<svg xmlns="http://www.w3.org/2000/svg" class="world-map'):]
    assert 'class="signals-3" data-country="KZ"' in map_svg  # 6 open signals
    assert 'data-country="UZ"' in map_svg and 'class="signals' not in map_svg.split('data-country="UZ"')[0][-40:]
    signal_list = reverse("surveillance:signal_list")
    assert f'href="{signal_list}?country={w.kz.pk}"' in map_svg
    table = html[html.index('id="signal-table"'):html.index("</table>")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th><td>(.*?)</td>.*?href=\"(.*?)\"", table, re.S)
    assert rows == [
        ("Kazakhstan", "Anthrax", f"{signal_list}?country={w.kz.pk}&amp;disease={w.anthrax.pk}"),
        ("Kazakhstan", "Salmonellosis", f"{signal_list}?country={w.kz.pk}&amp;disease={w.salmonellosis.pk}"),
    ]
    assert "Brucellosis" not in html


def test_the_dashboard_counts_the_last_eight_weeks_by_default(w):
    with audit_actor(None, source="command"):
        Signal.objects.all().delete()
        monday = datetime.date.today() - datetime.timedelta(days=datetime.date.today().weekday())
        for weeks_ago in (1, 8, 9):
            Signal.objects.create(series=w.kz_anthrax_human, week=monday - WEEK * weeks_ago, method=Method.EARS_C1,
                                  count=5, threshold=2.0)
    html = client_for(w.nfp_kz).get(DASHBOARD).content.decode()
    assert 'data-testid="open-signal-count">2<' in html
    html = client_for(w.nfp_kz).get(DASHBOARD, {"weeks": 9}).content.decode()
    assert 'data-testid="open-signal-count">3<' in html


def test_a_bad_number_of_weeks_is_named_and_the_default_shown(w):
    response = client_for(w.nfp_kz).get(DASHBOARD, {"weeks": "many"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="weeks-error"' in html and "Enter a whole number." in html
    assert 'id="signal-table"' in html or "No open signal" in html
    assert client_for(w.nfp_kz).get(DASHBOARD, {"weeks": 0}).status_code == 400


def test_the_dashboard_query_count_does_not_grow_with_rows(w):
    client = client_for(w.nfp_uz)
    client.get(DASHBOARD, {"weeks": 104})
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD, {"weeks": 104})
    with audit_actor(None, source="command"):
        for index in range(6):
            disease = Disease.objects.create(code=f"extra{index}", name=f"Extra {index}", animal=True)
            series = Series.objects.create(dataset=w.uz_hidden, disease=disease)
            Signal.objects.create(series=series, week=datetime.date.today() - datetime.timedelta(
                days=datetime.date.today().weekday() + 7), method=Method.EARS_C1, count=4, threshold=1.0)
    with CaptureQueriesContext(connection) as many:
        html = client.get(DASHBOARD, {"weeks": 104}).content.decode()
    assert html.count("<tr><th scope=\"row\">") == 3 + 6
    assert len(many) == len(few) <= 15, [query["sql"][:120] for query in many.captured_queries]


def test_the_dashboard_needs_a_signed_in_user_and_is_in_the_main_navigation(w):
    response = client_for(None).get(DASHBOARD)
    assert response.status_code == 302
    home = client_for(w.outsider).get("/").content.decode()
    assert f'href="{reverse("surveillance:dashboard")}"' in home


def test_the_dashboard_and_the_chart_need_no_inline_script_or_style(w):
    from cbrnet.tests.test_security import inline_code

    client = client_for(w.nfp_kz)
    for path in (DASHBOARD, chart_url(w.kz_anthrax_human, chart_range="all")):
        html = client.get(path).content.decode()
        assert "<svg" in html and inline_code(html) == [], path
