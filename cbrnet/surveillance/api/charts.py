"""Chart and dashboard data of One Health surveillance: the series chart and the summary of current
signals, the same numbers as the web pages (cbrnet/surveillance/views/charts.py), through the same
selectors and so inside the same access rules."""

import datetime
from typing import Literal

from django.urls import reverse
from ninja import Field, Query, Router, Schema

from cbrnet import access
from cbrnet.surveillance import selectors
from cbrnet.surveillance.models import Series

router = Router(tags=["Surveillance charts"])


class ChartSeriesOut(Schema):
    id: int
    name: str
    disease: int
    disease_name: str
    country: str
    admin_area: str
    sector: str
    dataset: int
    method: str
    url: str


class ChartSignalOut(Schema):
    id: int
    week: datetime.date
    method: str
    status: str
    count: int
    threshold: float
    url: str


class SeriesChartOut(Schema):
    series: ChartSeriesOut
    range: str = Field(description="1y, 3y or all")
    weeks: list[datetime.date] = Field(description="The Monday of each week shown, oldest first.")
    counts: list[int]
    thresholds: list[float | None] = Field(description="null where the method cannot judge the week.")
    alarms: list[bool | None] = Field(description="null where the week is not judged.")
    signals: list[ChartSignalOut]


class ChartQuery(Schema):
    range: Literal["1y", "3y", "all"] = Field(selectors.DEFAULT_CHART_RANGE,
                                               description="Weeks shown: the last year, 3 years, or all.")


@router.get("/series/{int:pk}/chart", response=SeriesChartOut, operation_id="series_chart",
            summary="Counts, thresholds, alarms and signals of a series, week by week")
def series_chart(request, pk: int, query: Query[ChartQuery]):
    series = access.get_object_for(
        request.user, Series.objects.select_related("dataset__country", "disease"), "view", pk=pk
    )
    data = selectors.series_chart(user=request.user, series=series, range_key=query.range)
    dataset = series.dataset
    data["series"] = {
        "id": series.pk, "name": str(series), "disease": series.disease_id, "disease_name": series.disease.name,
        "country": dataset.country.iso2, "admin_area": series.admin_area, "sector": dataset.sector,
        "dataset": dataset.pk, "method": dataset.method, "url": series.get_absolute_url(),
    }
    for signal in data["signals"]:
        signal["url"] = reverse("surveillance:signal_detail", args=[signal["id"]])
    return data


class SignalSummaryRowOut(Schema):
    country_id: int
    country_iso2: str
    country_name: str
    disease_id: int
    disease_name: str
    new: int
    verified: int
    total: int
    latest_week: datetime.date


class SignalSummaryCountryOut(Schema):
    iso2: str
    id: int
    name: str
    signals: int
    datasets: int


class SignalSummaryOut(Schema):
    weeks: int
    since: datetime.date = Field(description="First week counted (its Monday).")
    series_count: int
    dataset_count: int
    open_signal_count: int
    alert_count: int
    alert_days: int
    rows: list[SignalSummaryRowOut] = Field(description="Open signals by country and disease, most first.")
    countries: list[SignalSummaryCountryOut] = Field(
        description="Countries with data you can see, with their number of open signals."
    )


class SummaryQuery(Schema):
    weeks: int = Field(selectors.DEFAULT_SIGNAL_WEEKS, ge=1, le=selectors.MAX_SIGNAL_WEEKS,
                       description="Open signals (new or verified) of the last N weeks.")


@router.get("/signals/summary", response=SignalSummaryOut, operation_id="signal_summary",
            summary="Open signals by country and disease, and the headline figures of the dashboard")
def signal_summary(request, query: Query[SummaryQuery]):
    summary = selectors.signal_summary(user=request.user, weeks=query.weeks)
    summary["countries"] = [{"iso2": iso2, **country} for iso2, country in summary["countries"].items()]
    return summary
