"""Reads of the surveillance module that span relations: the data of a series chart, the dashboard
of current signals and the incident a signal is linked to. Always take the user: every row comes through the access engine, so a user only
ever counts the signals, series, datasets and alerts of datasets they may read."""

import datetime
import math
from collections.abc import Sequence

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cbrnet import access
from cbrnet.incidents.models import Incident
from cbrnet.surveillance.choices import SignalStatus
from cbrnet.surveillance.models import Alert, Dataset, Series, Signal

#: Signals still waiting for (new) or calling for (verified) action.
OPEN_STATUSES = (SignalStatus.NEW, SignalStatus.VERIFIED)
DEFAULT_SIGNAL_WEEKS = 8
MAX_SIGNAL_WEEKS = 104
#: "Alerts in the last 30 days" on the dashboard.
ALERT_DAYS = 30

#: Time ranges of the series chart: key -> number of weeks shown (None: the whole series).
CHART_RANGES = {"1y": 52, "3y": 156, "all": None}
CHART_RANGE_LABELS = {"1y": _("Last year"), "3y": _("Last 3 years"), "all": _("All years")}
DEFAULT_CHART_RANGE = "1y"
#: "All years": more weeks than any series holds (a century).
ALL_WEEKS = 52 * 100


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def open_signals_since(weeks: int, today: datetime.date | None = None) -> datetime.date:
    """The first week that counts as current: the Monday ``weeks`` weeks before this week's. Counts
    are reported after the week ends, so the current (incomplete) week alone would show nothing."""
    return monday_of(today or timezone.localdate()) - datetime.timedelta(weeks=weeks)


def signal_summary(*, user, weeks: int = DEFAULT_SIGNAL_WEEKS, today: datetime.date | None = None) -> dict:
    """Open signals (new or verified) of the last ``weeks`` weeks by country and disease, the number of
    open signals per country, and the headline figures of the dashboard — in four queries, whatever
    the number of rows: the signals aggregate, the datasets per country, the series and the alerts.

    Returns ``rows`` (dicts: country_id, country_iso2, country_name, disease_id, disease_name, new,
    verified, total, latest_week; most signals first), ``countries`` (iso2 -> {id, name, signals,
    datasets}), ``since`` (the first week counted) and the figures ``series_count``,
    ``dataset_count``, ``open_signal_count`` and ``alert_count`` (alerts raised in the last 30 days).
    """
    if not 1 <= weeks <= MAX_SIGNAL_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_SIGNAL_WEEKS}, got {weeks}")
    since = open_signals_since(weeks, today)
    signals = access.restrict(Signal.objects.filter(status__in=OPEN_STATUSES, week__gte=since), user)
    rows = list(
        signals.values(
            country_id=F("series__dataset__country_id"),
            country_iso2=F("series__dataset__country__iso2"),
            country_name=F("series__dataset__country__name"),
            disease_id=F("series__disease_id"),
            disease_name=F("series__disease__name"),
        )
        .annotate(
            new=Count("pk", filter=Q(status=SignalStatus.NEW)),
            verified=Count("pk", filter=Q(status=SignalStatus.VERIFIED)),
            total=Count("pk"),
            latest_week=Max("week"),
        )
        .order_by("-total", "country_name", "disease_name")
    )
    countries: dict[str, dict] = {}
    datasets = (
        access.restrict(Dataset.objects.all(), user)
        .values(iso2=F("country__iso2"), name=F("country__name"), country_key=F("country_id"))
        .annotate(total=Count("pk"))
        .order_by()
    )
    for entry in datasets:
        countries[entry["iso2"]] = {
            "id": entry["country_key"],
            "name": entry["name"],
            "signals": 0,
            "datasets": entry["total"],
        }
    for row in rows:
        # A signal's dataset is visible, so its country is already listed; setdefault is belt and braces.
        country = countries.setdefault(
            row["country_iso2"],
            {"id": row["country_id"], "name": row["country_name"], "signals": 0, "datasets": 0},
        )
        country["signals"] += row["total"]
    recent = timezone.now() - datetime.timedelta(days=ALERT_DAYS)
    return {
        "weeks": weeks,
        "since": since,
        "rows": rows,
        "countries": dict(sorted(countries.items(), key=lambda item: item[1]["name"])),
        "series_count": access.restrict(Series.objects.all(), user).count(),
        "dataset_count": sum(country["datasets"] for country in countries.values()),
        "open_signal_count": sum(row["total"] for row in rows),
        "alert_count": access.restrict(Alert.objects.filter(created__gte=recent), user).count(),
        "alert_days": ALERT_DAYS,
    }


def _number(value) -> float | None:
    """A threshold as a float, or None where the method gave none (None or NaN: not judged)."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _alarm(value) -> bool | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return bool(value)


def _week(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def series_chart(*, user, series: Series, range_key: str = DEFAULT_CHART_RANGE) -> dict:
    """The data of a series chart: for each week shown, its count, the threshold of the dataset's
    method (None where the method cannot judge the week) and whether it alarmed (None: not judged),
    and the signals found in those weeks with their triage status.

    ``series`` must come through the access engine (the view fetched it for ``view``); its signals are
    restricted here. Thresholds are computed now by ``services.detection.series_evaluation``, never
    stored for every week.
    """
    # Imported here: detection loads scipy (seconds), which every other page can do without.
    from cbrnet.surveillance.services.detection import series_evaluation

    if range_key not in CHART_RANGES:
        raise ValueError(f"unknown chart range {range_key!r}")
    shown = CHART_RANGES[range_key] or ALL_WEEKS
    evaluation = series_evaluation(series, shown)
    # Keep the last `shown` weeks, should the evaluation give more.
    weeks = [_week(value) for value in evaluation["weeks"]][-shown:]
    counts = [int(value) for value in evaluation["counts"]][-shown:]
    thresholds = [_number(value) for value in evaluation["thresholds"]][-shown:]
    alarms = [_alarm(value) for value in evaluation["alarms"]][-shown:]
    signals = []
    if weeks:
        signals = list(
            access.restrict(
                Signal.objects.filter(series=series, week__gte=weeks[0], week__lte=weeks[-1]), user
            )
            .order_by("week", "pk")
            .values("id", "week", "method", "status", "count", "threshold")
        )
    return {
        "series": series,
        "range": range_key,
        "method": evaluation.get("method", series.dataset.method),
        "weeks": weeks,
        "counts": counts,
        "thresholds": thresholds,
        "alarms": alarms,
        "signals": signals,
    }


def chart_ranges(current: str) -> Sequence[dict]:
    return [{"key": key, "label": CHART_RANGE_LABELS[key], "current": key == current} for key in CHART_RANGES]


# --- the incident a signal is linked to ---------------------------------------------------------------
# Shown only to those who may see the incident: to everyone else the signal looks unlinked, so that
# nothing tells them an incident they may not see exists (docs/surveillance.md).
def signals_with_incident(queryset, *, user):
    """Annotate `incident_visible` on signals: whether `user` may see the incident linked (False when
    none is). One EXISTS in the list's own query, so a page of signals costs no further query."""
    visible = access.restrict(Incident.objects.filter(pk=OuterRef("incident_id")), user, "view")
    return queryset.annotate(incident_visible=Exists(visible))


def signal_incident(*, user, signal: Signal) -> Incident | None:
    """The incident linked to the signal, if `user` may see it."""
    if signal.incident_id is None:
        return None
    return (
        access.restrict(Incident.objects.select_related("country"), user, "view")
        .filter(pk=signal.incident_id)
        .first()
    )


def signal_history(*, user, signal: Signal) -> list:
    """The signal's history (cbrnet.core.generic.history_for) without the links to incidents `user`
    may not see: such a value shows as none, a change between two of them is left out, and an update
    that changed nothing else too."""
    from cbrnet.core.generic import history_for

    entries = history_for(signal, user)
    linked = {
        value
        for entry in entries
        for key, before, after in entry.rows
        if key == "incident_id"
        for value in (before, after)
        if isinstance(value, int)
    }
    visible = set(
        access.restrict(Incident.objects.filter(pk__in=linked), user, "view").values_list("pk", flat=True)
    )
    shown = []
    for entry in entries:
        rows = []
        for key, before, after in entry.rows:
            if key == "incident_id":
                before, after = (None if value in linked - visible else value for value in (before, after))
                if entry.action == "update" and before == after:
                    continue
            rows.append((key, before, after))
        if rows or not entry.rows:
            entry.rows = rows
            shown.append(entry)
    return shown
