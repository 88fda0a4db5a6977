"""Background entry points of surveillance (django.tasks): detection after new data and on a schedule.

Tasks take only JSON values and call services; what they write is audited with source "task".
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.tasks import task
from django.utils import timezone

from cbrnet.core.tasks import acting_user


@task
def detect_series(series_ids: list[int]) -> dict:
    """Judge these series (after an import or an API write committed new counts)."""
    from cbrnet.surveillance.services.detection import series_detect

    with acting_user(None):
        created = series_detect(series_ids=series_ids)
    return {"series": len(set(series_ids)), "signals_created": created}


#: Every series is judged again at least this often, even without new counts: a dataset whose
#: detection method changed is then judged with the new method.
FULL_RUN_EVERY = datetime.timedelta(days=7)


def series_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Series with counts that were never judged, changed since their last run, or were last judged
    more than FULL_RUN_EVERY ago."""
    from cbrnet.surveillance.models import Series, WeeklyCount

    now = now or timezone.now()
    counts = WeeklyCount.objects.filter(series_id=OuterRef("pk"))
    due = (
        Q(detected_at__isnull=True)
        | Q(detected_at__lt=now - FULL_RUN_EVERY)
        | Exists(counts.filter(updated__gt=OuterRef("detected_at")))
    )
    return list(Series.objects.filter(Exists(counts)).filter(due).order_by("pk").values_list("pk", flat=True))


@task
def detect_all() -> dict:
    """The scheduled run (cbrnet.core.periodic, hourly): the series series_due() returns. Detection
    also runs after every import, so this catches what a lost task or a changed method left behind."""
    from cbrnet.surveillance.services.detection import series_detect

    ids = series_due()
    with acting_user(None):
        created = series_detect(series_ids=ids)
    return {"series": len(ids), "signals_created": created}
