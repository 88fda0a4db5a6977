"""JSON API of One Health surveillance: reference data, datasets, series and counts (data), signals
and alerts (triage), and the chart and map data (charts)."""

from ninja import Router

from cbrnet.surveillance.api import charts, data, triage

router = Router()
router.add_router("/", data.router)
router.add_router("/", triage.router)
router.add_router("/", charts.router)
