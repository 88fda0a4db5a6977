"""Scores, gaps and comparisons of needs assessments in the web UI: an assessment's scores (bars by
thematic area and by CBRN domain, a table per question), its ranked gaps, a country's history (a line
chart over the years) and a region's heatmap (countries × thematic areas). Charts are SVG drawn on
the server, like the surveillance charts: no JavaScript library, nothing from a CDN, every number
also printed as text. The method: docs/scoring.md."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.assessments import scoring
from cbrnet.assessments.models import Assessment
from cbrnet.assessments.selectors import scores as selectors
from cbrnet.registry.models import Country, Region

FAMILY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,29}$")

# Heatmap classes: five bands of 20 points, about one capability level each (colours in
# static/assessments/charts.css, from a colour-blind-safe sequential scale; the value is printed too).
HEAT_BANDS = [(80, "heat-4"), (60, "heat-3"), (40, "heat-2"), (20, "heat-1"), (0, "heat-0")]
HEAT_LEGEND = [
    ("heat-0", gettext_lazy("0 to under 20")),
    ("heat-1", gettext_lazy("20 to under 40")),
    ("heat-2", gettext_lazy("40 to under 60")),
    ("heat-3", gettext_lazy("60 to under 80")),
    ("heat-4", gettext_lazy("80 to 100")),
    ("heat-none", gettext_lazy("no score")),
]

# History chart geometry, in viewBox units (the SVG scales to the page width).
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 40, 24, 16, 30
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
# Lines: the overall score in black and thick; thematic areas in the Okabe–Ito colours, each with its
# own dash pattern and marker shape, so that they read without colour too.
LINE_COLOURS = ["#e69f00", "#0072b2", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#8c6d1f", "#6b7280"]
DASHES = ["", "6 3", "2 3", "8 3 2 3"]
MARKERS = ["circle", "square", "triangle", "diamond"]


def heat_class(value: float | None) -> str:
    if value is None:
        return "heat-none"
    return next(css for floor, css in HEAT_BANDS if value >= floor)


def _num(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _score_text(value: float | None) -> str:
    # floatformat rounds half up (number_format would cut 66.7 to 66)
    return _("no score") if value is None else floatformat(value, 0)


def _family(request, families: list[str]) -> str | None:
    """The ?family= asked for when it is a well-formed code, else the most recently assessed one."""
    asked = request.GET.get("family", "")
    if FAMILY_PATTERN.match(asked):
        return asked
    return families[0] if families else None


def _family_links(base_url: str, families: list[str], current: str | None) -> list[dict]:
    return [
        {"family": family, "url": f"{base_url}?{urlencode({'family': family})}", "current": family == current}
        for family in families
    ]


def _bars(groups) -> list[dict]:
    """Rows of a bar table: the bar's length is the score on a 0–100 viewBox."""
    return [
        {
            "group": group,
            "width": _num(group.score) if group.score is not None else None,
            "text": _score_text(group.score),
        }
        for group in groups
    ]


@login_required
def assessment_scores_view(request, pk):
    """An assessment's scores: overall, bars by thematic area and by CBRN domain, every question."""
    card = selectors.assessment_scores(user=request.user, assessment=pk)
    assessment = card.assessment
    region = selectors.country_region(
        user=request.user, country=assessment.country_id, network=assessment.network_id
    )
    context = {
        "card": card,
        "assessment": assessment,
        "area_bars": _bars(card.by_area),
        "domain_bars": _bars(card.by_domain),
        "overall_text": _score_text(card.overall),
        "overall_class": heat_class(card.overall),
        **_navigation(assessment, region),
    }
    return render(request, "assessments/score_assessment.html", context)


def _navigation(assessment: Assessment, region: Region | None) -> dict:
    family = urlencode({"family": assessment.version.family})
    return {
        "region": region,
        "scores_url": reverse("assessments:assessment_scores", args=[assessment.pk]),
        "gaps_url": reverse("assessments:assessment_gaps", args=[assessment.pk]),
        "history_url": f"{reverse('assessments:country_history', args=[assessment.country_id])}?{family}",
        "comparison_url": (
            f"{reverse('assessments:region_comparison', args=[region.pk])}?{family}" if region else None
        ),
    }


@login_required
def assessment_gaps_view(request, pk):
    """An assessment's gaps to its target levels, ranked (the start of a National Action Plan)."""
    card = selectors.assessment_scores(user=request.user, assessment=pk)
    gaps = selectors.assessment_gaps(user=request.user, assessment=card.assessment)
    assessment = card.assessment
    region = selectors.country_region(
        user=request.user, country=assessment.country_id, network=assessment.network_id
    )
    largest = max((gap.rank_score for gap in gaps), default=0) or 1
    context = {
        "assessment": assessment,
        "card": card,
        "rows": [{"gap": gap, "bar": _num(gap.rank_score / largest * 100)} for gap in gaps],
        "priority_factor": number_format(scoring.REGIONAL_PRIORITY_FACTOR, 1),
        **_navigation(assessment, region),
    }
    return render(request, "assessments/score_gaps.html", context)


def history_chart(history: selectors.CountryHistory, *, show_areas: bool = True) -> dict:
    """SVG geometry of a country's history: x by year, y 0–100; a line for the overall score (on the
    reference version's questions) and one per thematic area; a gap in a line where a year has no
    score."""
    points = history.points
    if not points:
        return {"empty": True}
    years = [point.year for point in points]
    first, last = min(years), max(years)
    span = max(last - first, 1)

    def x_of(year: int) -> float:
        if first == last:
            return LEFT + PLOT_WIDTH / 2
        return LEFT + (year - first) / span * PLOT_WIDTH

    def y_of(value: float) -> float:
        return BASELINE - value / 100 * PLOT_HEIGHT

    def line(key, label, values, colour, dash, marker, width):
        path, markers, previous = [], [], False
        for point, value in zip(points, values, strict=True):
            if value is None:
                previous = False
                continue
            x, y = _num(x_of(point.year)), _num(y_of(value))
            path.append(f"L{x} {y}" if previous else f"M{x} {y}")
            previous = True
            markers.append(
                {
                    "x": x,
                    "y": y,
                    "shape": _marker(marker, x_of(point.year), y_of(value)),
                    "title": _("%(line)s, %(year)s: %(score)s")
                    % {"line": label, "year": point.year, "score": floatformat(value, 1)},
                }
            )
        return {
            "key": key,
            "label": label,
            "d": "".join(path),
            "colour": colour,
            "dash": dash,
            "width": width,
            "markers": markers,
            "marker": marker,
            "key_shape": _marker(marker, 12, 6),
        }

    reference = history.reference_version
    lines = [
        line(
            "overall",
            _("Overall (on the questions of %(version)s)") % {"version": reference},
            [point.comparable_overall for point in points],
            "#1b1f24",
            "",
            "circle",
            3,
        )
    ]
    if show_areas:
        for index, area in enumerate(history.areas):
            lines.append(
                line(
                    area.code,
                    area.name,
                    [point.by_area.get(area.pk) for point in points],
                    LINE_COLOURS[index % len(LINE_COLOURS)],
                    DASHES[index % len(DASHES)],
                    MARKERS[(index + 1) % len(MARKERS)],
                    2,
                )
            )
    year_ticks = sorted(set(years))
    description = _(
        "%(count)s assessments of %(country)s from %(first)s to %(last)s; scores from 0 to 100. "
        "The table below the chart gives every number."
    ) % {"count": len(points), "country": history.country, "first": first, "last": last}
    return {
        "empty": False,
        "viewbox": f"0 0 {WIDTH} {HEIGHT}",
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": BASELINE,
        "y_ticks": [{"y": _num(y_of(value)), "label": value} for value in range(0, 101, 25)],
        "x_ticks": [{"x": _num(x_of(year)), "label": year} for year in year_ticks],
        "label_y": BASELINE + 20,
        "tick_end": BASELINE + 4,
        "lines": lines,
        "description": description,
    }


def _marker(kind: str, x: float, y: float) -> str:
    """Path data of a marker shape centred on (x, y)."""
    if kind == "square":
        return f"M{_num(x - 3.5)} {_num(y - 3.5)}h7v7h-7z"
    if kind == "triangle":
        return f"M{_num(x)} {_num(y - 4.5)}l4.5 8h-9z"
    if kind == "diamond":
        return f"M{_num(x)} {_num(y - 5)}l5 5-5 5-5-5z"
    return f"M{_num(x - 4)} {_num(y)}a4 4 0 1 0 8 0a4 4 0 1 0-8 0"


@login_required
def country_history_view(request, pk):
    """One country over time: a line per thematic area and the overall score, and the table."""
    country = access.get_object_for(request.user, Country, "view", pk=pk)
    families = selectors.country_families(user=request.user, country=country)
    family = _family(request, families)
    history = selectors.country_history(user=request.user, country=country, family=family) if family else None
    show_areas = request.GET.get("show") != "overall"
    base_url = reverse("assessments:country_history", args=[country.pk])
    rows = []
    if history:
        for point in history.points:
            rows.append(
                {
                    "point": point,
                    "scores_url": reverse("assessments:assessment_scores", args=[point.assessment.pk]),
                    "areas": [point.by_area.get(area.pk) for area in history.areas],
                }
            )
    context = {
        "country": country,
        "family": family,
        "history": history,
        "rows": rows,
        "chart": history_chart(history, show_areas=show_areas) if history else {"empty": True},
        "show_areas": show_areas,
        "families": _family_links(base_url, families, family),
        "overall_only_url": f"{base_url}?{urlencode({'family': family or '', 'show': 'overall'})}",
        "all_lines_url": f"{base_url}?{urlencode({'family': family or ''})}",
    }
    return render(request, "assessments/score_history.html", context)


@login_required
def region_comparison_view(request, pk):
    """Every country of a region side by side: a heatmap of scores by thematic area."""
    region = access.get_object_for(request.user, Region.objects.select_related("network"), "view", pk=pk)
    families = selectors.region_families(user=request.user, region=region)
    family = _family(request, families)
    comparison = (
        selectors.region_comparison(user=request.user, region=region, family=family) if family else None
    )
    rows = []
    if comparison:
        for row in comparison.rows:
            rows.append(
                {
                    "row": row,
                    "history_url": f"{reverse('assessments:country_history', args=[row.country.pk])}?{urlencode({'family': family})}",
                    "scores_url": (
                        reverse("assessments:assessment_scores", args=[row.assessment.pk])
                        if row.assessment
                        else None
                    ),
                    "cells": [
                        {"value": value, "css": heat_class(value), "text": _score_text(value)}
                        for value in row.cells
                    ],
                    "overall": {
                        "value": row.overall,
                        "css": heat_class(row.overall),
                        "text": _score_text(row.overall),
                    },
                }
            )
        averages = [
            {"value": value, "css": heat_class(value), "text": _score_text(value)}
            for value in comparison.average_by_area
        ]
    else:
        averages = []
    context = {
        "region": region,
        "family": family,
        "comparison": comparison,
        "rows": rows,
        "averages": averages,
        "average_overall": (
            {
                "value": comparison.average_overall,
                "css": heat_class(comparison.average_overall),
                "text": _score_text(comparison.average_overall),
            }
            if comparison
            else None
        ),
        "legend": HEAT_LEGEND,
        "families": _family_links(
            reverse("assessments:region_comparison", args=[region.pk]), families, family
        ),
    }
    return render(request, "assessments/score_heatmap.html", context)


@login_required
def score_index_view(request):
    """Where the comparisons start: pick a region (heatmap) or a country (history)."""
    region_id, country_id = request.GET.get("region", ""), request.GET.get("country", "")
    if region_id.isdigit():
        region = access.get_object_for(request.user, Region, "view", pk=int(region_id))
        return redirect("assessments:region_comparison", pk=region.pk)
    if country_id.isdigit():
        country = access.get_object_for(request.user, Country, "view", pk=int(country_id))
        return redirect("assessments:country_history", pk=country.pk)
    assessed = access.restrict(Assessment.objects.all(), request.user).values("country_id")
    context = {
        "regions": access.restrict(Region.objects.select_related("network"), request.user).order_by(
            "network__name", "name"
        ),
        "countries": access.restrict(Country.objects.filter(pk__in=assessed), request.user).order_by("name"),
    }
    return render(request, "assessments/score_index.html", context)


urlpatterns = [
    path("scores/", score_index_view, name="score_index"),
    path("scores/assessments/<int:pk>/", assessment_scores_view, name="assessment_scores"),
    path("scores/assessments/<int:pk>/gaps/", assessment_gaps_view, name="assessment_gaps"),
    path("scores/countries/<int:pk>/history/", country_history_view, name="country_history"),
    path("scores/regions/<int:pk>/comparison/", region_comparison_view, name="region_comparison"),
]
