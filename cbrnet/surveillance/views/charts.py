"""Charts and dashboard of One Health surveillance: the series chart (server-rendered SVG, no JavaScript
library) and the dashboard of current signals (map, table, headline figures)."""

import math
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cbrnet import access
from cbrnet.core.maps import render_map_legend, render_world_map
from cbrnet.surveillance import selectors
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.models import Series

# Geometry of the series chart, in viewBox units (the SVG scales to the page width).
WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 16, 30
PLOT_WIDTH = WIDTH - LEFT - RIGHT
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
MAX_BAR_WIDTH = 24
# A signal marker sits this far above its bar; several signals of one week are stacked.
MARKER_GAP = 9

# Map classes by number of open signals (colours in static/surveillance/charts.css).
SIGNAL_CLASSES = [(10, "signals-4"), (5, "signals-3"), (2, "signals-2"), (1, "signals-1"), (0, "signals-0")]
MAP_LEGEND = {
    "signals-0": gettext_lazy("Data shared, no open signal"),
    "signals-1": gettext_lazy("1 open signal"),
    "signals-2": gettext_lazy("2 to 4 open signals"),
    "signals-3": gettext_lazy("5 to 9 open signals"),
    "signals-4": gettext_lazy("10 open signals or more"),
}


def _num(value: float) -> str:
    """A coordinate with at most one decimal: keeps the SVG small."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _nice_scale(largest: float, ticks: int = 4) -> tuple[int, int]:
    """(step, top) of a y axis from 0 to at least ``largest`` in about ``ticks`` whole-number steps
    of 1, 2 or 5 times a power of ten."""
    largest = max(largest, 1.0)
    raw = largest / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(int(round(step)), 1)
    return step, step * math.ceil(largest / step)


def iso_week(day) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _x_ticks(weeks, slot: float) -> list[dict]:
    """Month ticks for a year or less, year ticks beyond (every other year past 14 years)."""
    ticks = []
    if len(weeks) <= 60:
        first = True
        for index in range(1, len(weeks)):
            if weeks[index].month != weeks[index - 1].month:
                label = date_format(weeks[index], "M")
                if first or weeks[index].month == 1:
                    label = f"{label} {weeks[index].year}"
                first = False
                ticks.append({"x": _num(LEFT + index * slot), "label": label})
    else:
        starts = [index for index in range(1, len(weeks))
                  if weeks[index].isocalendar()[0] != weeks[index - 1].isocalendar()[0]]
        every = 2 if len(starts) > 14 else 1
        for number, index in enumerate(starts):
            label = str(weeks[index].isocalendar()[0]) if number % every == 0 else ""
            ticks.append({"x": _num(LEFT + index * slot), "label": label})
    return ticks


def _threshold_text(value) -> str:
    return number_format(value, 1) if value is not None else ""


def _week_title(week, count, threshold, alarm) -> str:
    parts = [_("%(week)s (week of %(date)s): %(count)s") % {
        "week": iso_week(week), "date": date_format(week, "j M Y"), "count": count}]
    if threshold is not None:
        parts.append(_("threshold %(threshold)s") % {"threshold": _threshold_text(threshold)})
    elif alarm is None:
        parts.append(_("not judged"))
    if alarm:
        parts.append(_("alarm"))
    return "; ".join(parts)


def _signal_marker(kind: str, x: float, y: float) -> str:
    """Path data of a signal marker: a ring (to triage), a diamond (verified), a cross (discarded).
    Different shapes, not only colours, so that the status reads in black and white."""
    if kind == SignalStatus.VERIFIED:
        return f"M{_num(x)} {_num(y - 5)}l5 5-5 5-5-5z"
    if kind == SignalStatus.DISCARDED:
        return f"M{_num(x - 4)} {_num(y - 4)}l8 8m0-8l-8 8"
    return f"M{_num(x - 4)} {_num(y)}a4 4 0 1 0 8 0a4 4 0 1 0-8 0"


def chart_layout(data: dict) -> dict:
    """Turn the chart data of ``selectors.series_chart`` into SVG geometry and accessible text."""
    weeks, counts, thresholds, alarms = data["weeks"], data["counts"], data["thresholds"], data["alarms"]
    count = len(weeks)
    if not count:
        return {"empty": True}
    slot = PLOT_WIDTH / count
    bar_width = min(slot * (0.8 if slot >= 4 else 0.9), MAX_BAR_WIDTH)
    inset = (slot - bar_width) / 2
    judged = [value for value in thresholds if value is not None]
    step, top = _nice_scale(max([*counts, *judged], default=0))

    def y_of(value: float) -> float:
        return BASELINE - value / top * PLOT_HEIGHT

    bars, alarm_marks, rows = [], [], []
    for index, (week, value, threshold, alarm) in enumerate(zip(weeks, counts, thresholds, alarms, strict=True)):
        title = _week_title(week, value, threshold, alarm)
        x = LEFT + index * slot
        if value > 0:
            bars.append({"x": _num(x + inset), "y": _num(y_of(value)), "height": _num(value / top * PLOT_HEIGHT),
                         "alarm": bool(alarm), "title": title})
        if alarm:
            middle = x + slot / 2
            alarm_marks.append({"d": f"M{_num(middle)} {BASELINE + 3}l4 7h-8z", "title": title})
        rows.append({"week": week, "iso_week": iso_week(week), "count": value, "threshold": threshold,
                     "alarm": alarm, "signals": []})

    path, previous = [], False
    for index, threshold in enumerate(thresholds):
        if threshold is None:
            previous = False
            continue
        x0, x1, y = LEFT + index * slot, LEFT + (index + 1) * slot, _num(y_of(threshold))
        path.append(f"V{y}H{_num(x1)}" if previous else f"M{_num(x0)} {y}H{_num(x1)}")
        previous = True

    positions = {week: index for index, week in enumerate(weeks)}
    stacked: dict[int, int] = {}
    markers = []
    for signal in data["signals"]:
        index = positions.get(signal["week"])
        if index is None:
            continue  # a week without a count any more (corrected data): still listed in the inbox
        level = stacked.get(index, 0)
        stacked[index] = level + 1
        x = LEFT + index * slot + slot / 2
        y = max(y_of(counts[index]) - MARKER_GAP * (level + 1), TOP / 2 + 4)
        status = SignalStatus(signal["status"])
        signal["url"] = reverse("surveillance:signal_detail", args=[signal["id"]])
        signal["status_label"] = status.label
        markers.append({
            "d": _signal_marker(status, x, y), "status": status.value, "url": signal["url"],
            "title": _("Signal %(week)s: %(status)s (%(count)s cases, threshold %(threshold)s)") % {
                "week": iso_week(signal["week"]), "status": status.label, "count": signal["count"],
                "threshold": _threshold_text(signal["threshold"])},
        })
        rows[index]["signals"].append(signal)

    alarm_count = sum(1 for alarm in alarms if alarm)
    peak = max(range(count), key=lambda index: counts[index])
    statuses = {status: sum(1 for s in data["signals"] if s["status"] == status) for status in SignalStatus}
    description = _(
        "%(weeks)s weeks from %(first)s to %(last)s. Highest count %(peak)s in %(peak_week)s. "
        "%(alarms)s alarms; signals: %(new)s to triage, %(verified)s verified, %(discarded)s discarded. "
        "The table below the chart gives every week's numbers."
    ) % {"weeks": count, "first": iso_week(weeks[0]), "last": iso_week(weeks[-1]), "peak": counts[peak],
         "peak_week": iso_week(weeks[peak]), "alarms": alarm_count, "new": statuses[SignalStatus.NEW],
         "verified": statuses[SignalStatus.VERIFIED], "discarded": statuses[SignalStatus.DISCARDED]}
    return {
        "empty": False,
        "viewbox": f"0 0 {WIDTH} {HEIGHT}",
        "left": LEFT, "right": WIDTH - RIGHT, "top": TOP, "baseline": BASELINE,
        "bar_width": _num(bar_width),
        "bars": bars,
        "threshold_path": "".join(path),
        "alarm_marks": alarm_marks,
        "markers": markers,
        "y_ticks": [{"y": _num(y_of(value)), "label": number_format(value, 0)} for value in range(0, top + 1, step)],
        "x_ticks": _x_ticks(weeks, slot),
        "label_y": BASELINE + 22,
        "tick_end": BASELINE + 4,
        "rows": rows[::-1],  # the table reads newest first
        "description": description,
        "alarm_count": alarm_count,
    }


def series_chart_context(request, series: Series) -> dict:
    """Everything the chart partial needs; the range comes from ``?chart_range=`` (1y, 3y, all)."""
    range_key = request.GET.get("chart_range")
    if range_key is None and getattr(request, "htmx", False) and request.htmx.current_url:
        # Loaded into a page by htmx (hx-trigger="load"): follow the page's own ?chart_range=.
        range_key = parse_qs(urlsplit(request.htmx.current_url).query).get("chart_range", [None])[-1]
    if range_key not in selectors.CHART_RANGES:
        range_key = selectors.DEFAULT_CHART_RANGE
    data = selectors.series_chart(user=request.user, series=series, range_key=range_key)
    return {
        "series": series,
        "chart": chart_layout(data),
        "chart_data": data,
        "ranges": selectors.chart_ranges(range_key),
        "partial_url": reverse("surveillance:series_chart", args=[series.pk]),
        "method_label": series.dataset.get_method_display(),
        "chart_id": f"series-chart-{series.pk}",
    }


@login_required
def series_chart_view(request, pk):
    """The chart of one series: the partial alone for htmx (range switch), else a page of its own."""
    series = access.get_object_for(
        request.user, Series.objects.select_related("dataset__country", "disease"), "view", pk=pk
    )
    context = series_chart_context(request, series)
    template = "surveillance/chart_series.html" if request.htmx else "surveillance/chart_page.html"
    return render(request, template, context)


class SignalWeeksForm(forms.Form):
    weeks = forms.IntegerField(
        label=gettext_lazy("Weeks counted"), min_value=1, max_value=selectors.MAX_SIGNAL_WEEKS,
        initial=selectors.DEFAULT_SIGNAL_WEEKS,
        widget=forms.NumberInput(attrs={"class": "narrow"}),
    )


def signal_map(summary: dict) -> dict:
    """Map classes, links and legend: countries coloured by their number of open signals."""
    classes, links = {}, {}
    signal_list = reverse("surveillance:signal_list")
    for iso2, country in summary["countries"].items():
        classes[iso2] = next(css for floor, css in SIGNAL_CLASSES if country["signals"] >= floor)
        links[iso2] = f"{signal_list}?country={country['id']}"
    return {"map_classes": classes, "map_links": links}


@login_required
def dashboard_view(request):
    """Current signals: headline figures, a map by country and a table by country and disease."""
    form = SignalWeeksForm(request.GET if "weeks" in request.GET else None)
    weeks = form.cleaned_data["weeks"] if form.is_valid() else selectors.DEFAULT_SIGNAL_WEEKS
    summary = selectors.signal_summary(user=request.user, weeks=weeks)
    signal_list = reverse("surveillance:signal_list")
    for row in summary["rows"]:
        row["url"] = f"{signal_list}?country={row['country_id']}&disease={row['disease_id']}"
        row["latest_iso_week"] = iso_week(row["latest_week"])
    geography = signal_map(summary)
    title = _("Open signals by country, last %(weeks)s weeks") % {"weeks": weeks}
    context = {
        "form": form,
        "summary": summary,
        "signal_list_url": signal_list,
        "map": render_world_map(geography["map_classes"], geography["map_links"], title,
                                crop=bool(geography["map_classes"]), legend=MAP_LEGEND, map_id="signal-map"),
        "map_legend": render_map_legend(MAP_LEGEND),
        "map_title": title,
    }
    return render(request, "surveillance/dashboard.html", context, status=400 if form.errors else 200)


urlpatterns = [
    path("", dashboard_view, name="dashboard"),
    path("series/<int:pk>/chart/", series_chart_view, name="series_chart"),
]
