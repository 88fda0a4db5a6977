"""Ingestion of weekly counts into a dataset: aggregate rows, case line lists (aggregated to the ISO
week), and the counts of one series — from files (cbrnet.surveillance.imports), the API and the
series page, under the same rules.

Rules (docs/surveillance.md, "Data and ingestion"):

- a row names a disease by its code, an administrative area (empty: the whole country), a week (the
  ISO date of its Monday, or an ISO week such as 2026-W03) and a count (a whole number, 0 or more);
  a case of a line list has an onset or report date instead of week and count;
- an unknown disease, a disease that does not concern the dataset's sector, a bad date, a date that
  is not a Monday, a week after the current one, a negative or non-whole count, or the same week twice
  is a problem naming the row and the column, and nothing is written;
- a week already stored with another count is replaced (a late report or a correction): its
  `revision` goes up by one and the audit trail keeps the old and the new count; an unchanged count
  is not written again; series are created on their first data and keep `first_week`/`last_week`;
- after a committed write, detection runs on the series whose counts changed
  (cbrnet.surveillance.tasks.detect_series, queued once the transaction commits).

Writes are bulk (a 20,000-row file costs a few dozen queries, not a few per row); every created or
changed count still gets its own audit entry (cbrnet.core.audit.record_many).
"""

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core import audit
from cbrnet.core.imports import CellError, Problem
from cbrnet.core.models import AuditEntry
from cbrnet.surveillance.choices import SECTOR_FLAGS, Sector
from cbrnet.surveillance.models import Dataset, Disease, Series, WeeklyCount

logger = logging.getLogger(__name__)

MAX_COUNT = 1_000_000_000  # the detection methods take counts up to 10⁹ (docs/surveillance.md)
EARLIEST_YEAR = 1900
AREA_MAX_LENGTH = Series._meta.get_field("admin_area").max_length
BATCH_SIZE = 1000
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# The columns of an aggregate row and of a case of a line list (files, API and series page alike).
COUNT_COLUMNS = ("disease", "admin_area", "week", "count")
CASE_COLUMNS = ("disease", "admin_area", "onset_date", "report_date", "case_id")


# --- parsing one value --------------------------------------------------------------------------
def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def current_week() -> datetime.date:
    """The Monday of this week, in the site's time zone."""
    return monday_of(timezone.localdate())


def iso_week_label(monday: datetime.date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def parse_week(value) -> datetime.date:
    """The Monday of a week given as its ISO date (2026-01-12) or as an ISO week (2026-W03)."""
    text = _text(value)
    match = _ISO_WEEK.match(text)
    if match:
        year, number = int(match.group(1)), int(match.group(2))
        try:
            monday = datetime.date.fromisocalendar(year, number, 1)
        except ValueError:
            raise CellError(_("%(year)s has no ISO week %(week)s") % {"year": year, "week": number}) from None
    elif _ISO_DATE.match(text):
        try:
            monday = datetime.date.fromisoformat(text)
        except ValueError:
            raise CellError(_('"%(text)s" is not a date that exists') % {"text": text}) from None
        if monday.weekday() != 0:
            start = monday_of(monday)
            raise CellError(
                _("%(date)s is a %(weekday)s: give the Monday of the week (%(monday)s) or the ISO week "
                  "(%(week)s)")
                % {"date": text, "weekday": _(WEEKDAYS[monday.weekday()]), "monday": start.isoformat(),
                   "week": iso_week_label(start)}
            )
    else:
        raise CellError(
            _('"%(text)s" is neither the date of a Monday written YYYY-MM-DD (2026-01-12) nor an ISO week '
              "(2026-W03)") % {"text": text[:40]}
        )
    _check_period(monday, text)
    return monday


def parse_case_date(value) -> datetime.date:
    """The onset or report date of a case, YYYY-MM-DD; the case counts in the ISO week of that date."""
    text = _text(value)
    if not _ISO_DATE.match(text):
        raise CellError(_('"%(text)s" is not a date written YYYY-MM-DD (for example 2026-01-14)') % {"text": text[:40]})
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise CellError(_('"%(text)s" is not a date that exists') % {"text": text}) from None
    _check_period(monday_of(day), text)
    return day


def _check_period(monday: datetime.date, text: str) -> None:
    if monday.year < EARLIEST_YEAR:
        raise CellError(_("%(text)s is before %(year)s") % {"text": text, "year": EARLIEST_YEAR})
    if monday > current_week():
        raise CellError(_("%(text)s is after the current week (%(week)s)") % {
            "text": text, "week": iso_week_label(current_week())})


def parse_count(value) -> int:
    """A whole number of cases, 0 or more."""
    if isinstance(value, bool):
        raise CellError(_('"%(value)s" is not a whole number') % {"value": value})
    if isinstance(value, int):
        number = value
    else:
        text = _text(value)
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CellError(_('"%(text)s" is not a whole number of cases') % {"text": text[:40]})
        number = int(text)
    if number < 0:
        raise CellError(_("%(count)s is negative: a count is 0 or more") % {"count": number})
    if number > MAX_COUNT:
        raise CellError(_("%(count)s is more than %(max)s") % {"count": number, "max": MAX_COUNT})
    return number


def parse_area(value) -> str:
    """An administrative area as written (spaces tidied); empty for the whole country."""
    text = " ".join(_text(value).split())
    if len(text) > AREA_MAX_LENGTH:
        raise CellError(_("an administrative area has at most %(max)s characters") % {"max": AREA_MAX_LENGTH})
    return text


class DiseaseIndex:
    """Diseases by code (reference data every signed-in user reads), loaded once per ingest."""

    def __init__(self):
        self._by_code: dict[str, Disease] | None = None

    def get(self, code, dataset: Dataset | None = None) -> Disease:
        if self._by_code is None:
            self._by_code = {disease.code: disease for disease in Disease.objects.all()}
        text = _text(code).lower()
        disease = self._by_code.get(text)
        if disease is None:
            known = sorted(self._by_code)
            listed = ", ".join(known[:30]) + (" …" if len(known) > 30 else "")
            raise CellError(_('unknown disease code "%(code)s" (the codes are: %(codes)s)') % {
                "code": text[:40], "codes": listed or _("none yet")})
        if dataset is not None and not getattr(disease, SECTOR_FLAGS[dataset.sector]):
            raise CellError(_("%(disease)s does not concern %(sector)s, the sector of this dataset") % {
                "disease": disease.name, "sector": Sector(dataset.sector).label.lower()})
        return disease


# --- results and errors -------------------------------------------------------------------------
@dataclass
class IngestResult:
    """What an ingest wrote (or, in a dry run, would write) into one dataset."""

    dataset_id: int
    dry_run: bool
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    series_created: int = 0
    series_ids: list[int] = field(default_factory=list)  # series whose counts were created or changed

    def as_dict(self) -> dict:
        return {
            "dataset": self.dataset_id,
            "dry_run": self.dry_run,
            "committed": not self.dry_run,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "series_created": self.series_created,
            "series": self.series_ids,
        }

    def summary(self) -> str:
        return _("%(created)s new weekly counts, %(changed)s corrected (revision raised), %(unchanged)s "
                 "unchanged; %(series)s new series") % {
            "created": self.created, "changed": self.changed, "unchanged": self.unchanged,
            "series": self.series_created}


class IngestError(ValidationError):
    """Problems with the rows, each naming its row and column; nothing was written.

    As a ValidationError its fields are "rows.<n>.<column>" (n from 0, as JSON arrays count), so
    the API's problem details name them like its other input errors."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        messages: dict[str, list[str]] = defaultdict(list)
        for problem in problems:
            key = "rows" if problem.row is None else f"rows.{problem.row}"
            messages[f"{key}.{problem.column}" if problem.column else key].append(problem.message)
        super().__init__(dict(messages))


# --- the services -------------------------------------------------------------------------------
def _require_change(user, dataset: Dataset) -> None:
    if not access.can(user, "change", dataset):
        raise PermissionDenied(
            _("Only the author and the editors of %(owner)s may add data to this dataset.")
            % {"owner": dataset.owner_organisation}
        )


def _field(row: Mapping, column: str):
    return row.get(column) if isinstance(row, Mapping) else None


def _check_rows(rows: Iterable[Mapping], columns: tuple[str, ...], required: tuple[str, ...], check) -> list:
    """Run `check(index, row, problem)` on every row; collect every problem before raising."""
    problems: list[Problem] = []
    checked = []
    rows = list(rows)
    if not rows:
        raise IngestError([Problem(None, "", _("There are no rows to ingest."))])
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            problems.append(Problem(index, "", _("a row is an object with the fields %(columns)s") % {
                "columns": ", ".join(columns)}))
            continue
        unknown = sorted(set(row) - set(columns))
        if unknown:
            problems.append(Problem(index, unknown[0], _("unknown field(s) %(fields)s (the fields are: %(columns)s)")
                                    % {"fields": ", ".join(map(str, unknown)), "columns": ", ".join(columns)}))
        missing = [column for column in required if _text(row.get(column)) == ""]
        for column in missing:
            problems.append(Problem(index, column, _("this field is required")))
        if unknown or missing:
            continue

        def problem(column, message, index=index):
            problems.append(Problem(index, column, message))

        result = check(index, row, problem)
        if result is not None:
            checked.append(result)
    if problems:
        raise IngestError(problems)
    return checked


def _parsed(column, parser, value, problem):
    try:
        return parser(value)
    except CellError as error:
        problem(column, str(error))
        return None


def counts_ingest(*, user, dataset: Dataset, rows: Iterable[Mapping], dry_run: bool = False) -> IngestResult:
    """Store aggregate weekly counts (rows of disease, admin_area, week, count) in a dataset the user
    may change. Every problem is reported (IngestError, by row and column) before anything is written."""
    _require_change(user, dataset)
    diseases = DiseaseIndex()
    seen: dict[tuple, int] = {}

    def check(index, row, problem):
        disease = _parsed("disease", lambda value: diseases.get(value, dataset), row.get("disease"), problem)
        area = _parsed("admin_area", parse_area, row.get("admin_area"), problem)
        week = _parsed("week", parse_week, row.get("week"), problem)
        count = _parsed("count", parse_count, row.get("count"), problem)
        if None in (disease, area, week, count):
            return None
        key = (disease.pk, area.casefold(), week)
        if key in seen:
            problem("week", _("the same disease, area and week as row %(row)s (duplicate)") % {"row": seen[key]})
            return None
        seen[key] = index
        return (disease.pk, area, week), count

    checked = _check_rows(rows, COUNT_COLUMNS, ("disease", "week", "count"), check)
    return counts_write(dataset=dataset, counts=dict(checked), dry_run=dry_run)


def cases_ingest(*, user, dataset: Dataset, rows: Iterable[Mapping], dry_run: bool = False) -> IngestResult:
    """Store a case line list (one row per case: disease, admin_area, onset_date and/or report_date,
    optional case_id) as weekly counts: each case counts in the ISO week of its onset date (else of its
    report date). A week present in the list gets the number of its cases, replacing a stored count;
    weeks absent from the list are left as they are — send every case of each week you send."""
    _require_change(user, dataset)
    diseases = DiseaseIndex()
    case_ids: dict[str, int] = {}

    def check(index, row, problem):
        case = _check_case(row, problem, diseases, dataset)
        if case is None:
            return None
        key, case_id = case
        if case_id:
            if case_id in case_ids:
                problem("case_id", _("the same case as row %(row)s (duplicate)") % {"row": case_ids[case_id]})
                return None
            case_ids[case_id] = index
        return key

    keys = _check_rows(rows, CASE_COLUMNS, ("disease",), check)
    return counts_write(dataset=dataset, counts=aggregate_cases(keys), dry_run=dry_run)


def _check_case(row, problem, diseases: DiseaseIndex, dataset: Dataset):
    """((disease id, area, week), case id) of one case, or None (problems reported)."""
    disease = _parsed("disease", lambda value: diseases.get(value, dataset), row.get("disease"), problem)
    area = _parsed("admin_area", parse_area, row.get("admin_area"), problem)
    dates = {}
    for column in ("onset_date", "report_date"):
        if _text(row.get(column)):
            dates[column] = _parsed(column, parse_case_date, row.get(column), problem)
    if not dates:
        problem("onset_date", _("give the onset date or the report date of the case"))
        return None
    if None in (disease, area, *dates.values()):
        return None
    onset, report = dates.get("onset_date"), dates.get("report_date")
    if onset and report and report < onset:
        problem("report_date", _("the case is reported (%(report)s) before its onset (%(onset)s)") % {
            "report": report.isoformat(), "onset": onset.isoformat()})
        return None
    case_id = _text(row.get("case_id"))[:100]
    return (disease.pk, area, monday_of(onset or report)), case_id


def aggregate_cases(keys: Iterable[tuple]) -> dict[tuple, int]:
    """(disease id, area, week) of each case -> cases per week; areas that differ only by case are
    one area (spelled as first seen)."""
    spelling: dict[tuple, str] = {}
    counts: dict[tuple, int] = defaultdict(int)
    for disease_id, area, week in keys:
        area = spelling.setdefault((disease_id, area.casefold()), area)
        counts[(disease_id, area, week)] += 1
    return dict(counts)


def series_counts_ingest(*, user, series: Series, rows: Iterable[Mapping], dry_run: bool = False) -> IngestResult:
    """Store counts of one series (rows of week and count): the series page and its API endpoint."""
    dataset = series.dataset
    _require_change(user, dataset)
    seen: dict[datetime.date, int] = {}

    def check(index, row, problem):
        week = _parsed("week", parse_week, row.get("week"), problem)
        count = _parsed("count", parse_count, row.get("count"), problem)
        if week is None or count is None:
            return None
        if week in seen:
            problem("week", _("the same week as row %(row)s (duplicate)") % {"row": seen[week]})
            return None
        seen[week] = index
        return (series.disease_id, series.admin_area, week), count

    checked = _check_rows(rows, ("week", "count"), ("week", "count"), check)
    return counts_write(dataset=dataset, counts=dict(checked), dry_run=dry_run)


def counts_write(*, dataset: Dataset, counts: Mapping[tuple[int, str, datetime.date], int],
                 dry_run: bool = False) -> IngestResult:
    """Write checked counts, {(disease id, admin area, week Monday): count}, into a dataset (the
    caller has checked the rows and the user's right to change the dataset). Creates missing series,
    replaces changed counts (revision + 1), leaves unchanged ones, keeps first/last week, audits every
    write and queues detection after the commit. A dry run computes the same result and writes nothing."""
    result = IngestResult(dataset_id=dataset.pk, dry_run=dry_run)
    if not counts:
        return result
    try:
        with transaction.atomic():
            if not dry_run:
                # One ingest per dataset at a time: two at once would both create the same new weeks.
                Dataset.objects.select_for_update().filter(pk=dataset.pk).values_list("pk").first()
            _write(dataset, counts, result, dry_run)
    except IntegrityError:
        logger.warning("concurrent ingest into dataset %s", dataset.pk, exc_info=True)
        raise ValidationError(
            _("Another upload changed this dataset at the same moment; nothing was written. Try again.")
        ) from None
    if not dry_run and result.series_ids:
        series_ids = list(result.series_ids)
        transaction.on_commit(lambda: _enqueue_detection(series_ids), robust=True)
    return result


def _write(dataset: Dataset, counts: Mapping, result: IngestResult, dry_run: bool) -> None:
    now = timezone.now()
    # Related records are loaded with the series: the audit entries' texts name them (no query per series).
    series_by_key = {
        (series.disease_id, series.admin_area.casefold()): series
        for series in Series.objects.filter(dataset=dataset).select_related("disease", "dataset__country")
    }
    # Per series: the weeks and counts to store, under the spelling of the area of the first row.
    wanted: dict[tuple, dict[datetime.date, int]] = defaultdict(dict)
    spelling: dict[tuple, str] = {}
    for (disease_id, area, week), count in counts.items():
        key = (disease_id, area.casefold())
        spelling.setdefault(key, area)
        wanted[key][week] = count

    missing = {key[0] for key in wanted if key not in series_by_key}
    diseases = Disease.objects.in_bulk(missing) if missing and not dry_run else {}
    new_series = [
        Series(dataset=dataset, disease_id=key[0], admin_area=spelling[key],
               first_week=min(weeks), last_week=max(weeks), created=now, updated=now)
        for key, weeks in wanted.items() if key not in series_by_key
    ]
    for series in new_series:
        if series.disease_id in diseases:
            series.disease = diseases[series.disease_id]
    result.series_created = len(new_series)
    if dry_run:
        for series in new_series:
            result.created += len(wanted[(series.disease_id, series.admin_area.casefold())])
    elif new_series:
        for series in new_series:
            # The area's length and the disease's sector were checked with the rows; this checks the rest
            # without a query per series (foreign keys come from the dataset and the disease index).
            series.clean_fields(exclude=["dataset", "disease"])
        Series.objects.bulk_create(new_series, batch_size=BATCH_SIZE)
        audit.record_many([(series, AuditEntry.Action.CREATE, None, audit.serialize(series)) for series in new_series])
        for series in new_series:
            series_by_key[(series.disease_id, series.admin_area.casefold())] = series

    stored = [series_by_key[key] for key in wanted if key in series_by_key and series_by_key[key].pk]
    existing: dict[tuple[int, datetime.date], WeeklyCount] = {}
    if stored:
        weeks = [week for key in wanted for week in wanted[key]]
        for weekly in WeeklyCount.objects.filter(
            series_id__in=[series.pk for series in stored], week__gte=min(weeks), week__lte=max(weeks)
        ):
            existing[(weekly.series_id, weekly.week)] = weekly

    to_create: list[WeeklyCount] = []
    to_change: list[tuple[WeeklyCount, dict]] = []
    touched: set[int] = set()
    range_changes: list[tuple[Series, dict]] = []
    for key, weeks in wanted.items():
        series = series_by_key.get(key)
        if series is None or series.pk is None:
            continue  # dry run of a new series: counted above
        for week, count in weeks.items():
            weekly = existing.get((series.pk, week))
            if weekly is None:
                to_create.append(WeeklyCount(series=series, week=week, count=count, created=now, updated=now))
                touched.add(series.pk)
            elif weekly.count != count:
                before = audit.serialize(weekly)
                weekly.count = count
                weekly.revision = weekly.revision + 1
                weekly.updated = now
                to_change.append((weekly, before))
                touched.add(series.pk)
            else:
                result.unchanged += 1
        first, last = min(weeks), max(weeks)
        if series.first_week is None or first < series.first_week or series.last_week is None or last > series.last_week:
            before = audit.serialize(series)
            series.first_week = min(first, series.first_week or first)
            series.last_week = max(last, series.last_week or last)
            series.updated = now
            range_changes.append((series, before))
    result.created += len(to_create)
    result.changed = len(to_change)
    result.series_ids = sorted(touched | {series.pk for series in new_series if series.pk})
    if dry_run:
        return
    WeeklyCount.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    WeeklyCount.objects.bulk_update([weekly for weekly, _before in to_change], ["count", "revision", "updated"],
                                    batch_size=BATCH_SIZE)
    Series.objects.bulk_update([series for series, _before in range_changes], ["first_week", "last_week", "updated"],
                               batch_size=BATCH_SIZE)
    audit.record_many(
        [(weekly, AuditEntry.Action.CREATE, None, audit.serialize(weekly)) for weekly in to_create]
        + [(weekly, AuditEntry.Action.UPDATE, before, audit.serialize(weekly)) for weekly, before in to_change]
        + [(series, AuditEntry.Action.UPDATE, before, audit.serialize(series)) for series, before in range_changes]
    )


def _enqueue_detection(series_ids: list[int]) -> None:
    """Queue detection on the series that got new or corrected counts (after the commit: a worker
    must find the counts)."""
    from cbrnet.surveillance.tasks import detect_series

    detect_series.enqueue(series_ids)
