"""Import specifications of surveillance data: weekly counts and case line lists, from CSV or XLSX.

Both go through the import engine (cbrnet.core.imports: size limit, header check, every problem by
row and column in a dry run, then all rows or none) as *bulk* specs: the engine checks every row,
then the rows are written together by cbrnet.surveillance.services.ingest, under the same rules as
the API. A file may hold rows of several datasets; the `dataset` column gives the number shown on
the dataset's page, and the user must be allowed to change each dataset named.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.core.imports import CellError, ImportColumn, ImportSpec, Row
from cbrnet.surveillance.models import Dataset, Series, WeeklyCount
from cbrnet.surveillance.services import ingest


class SurveillanceLookups:
    """The datasets a file names (each checked once) and the disease codes, for one import run."""

    def __init__(self, user):
        self.user = user
        self.diseases = ingest.DiseaseIndex()
        self._datasets: dict[str, Dataset | CellError] = {}

    def dataset(self, text: str) -> Dataset:
        key = text.strip().lstrip("#")
        if key not in self._datasets:
            self._datasets[key] = self._find(key)
        found = self._datasets[key]
        if isinstance(found, CellError):
            raise found
        return found

    def _find(self, key: str) -> Dataset | CellError:
        if not key.isdigit() or len(key) > 18:
            return CellError(_('"%(text)s" is not a dataset number (shown on the dataset\'s page)') % {"text": key[:40]})
        dataset = access.restrict(Dataset.objects.select_related("owner_organisation"), self.user, "view").filter(
            pk=int(key)
        ).first()
        if dataset is None:
            return CellError(_("there is no dataset number %(number)s (or you may not see it)") % {"number": key})
        if not access.can(self.user, "change", dataset):
            return CellError(
                _("you may not add data to dataset %(number)s (%(title)s): only its author and the editors of "
                  "%(owner)s may") % {"number": key, "title": dataset.title, "owner": dataset.owner_organisation}
            )
        return dataset


@dataclass(frozen=True)
class CountRow:
    dataset: Dataset
    disease_id: int
    admin_area: str
    week: object  # datetime.date, the Monday


DATASET_COLUMN = ImportColumn(
    "dataset", "The number of the dataset (shown on its page); you must be allowed to change it.",
    "12", required=True)
DISEASE_COLUMN = ImportColumn(
    "disease", "The disease code (the Diseases list shows them), e.g. anthrax or brucellosis.",
    "brucellosis", required=True)
AREA_COLUMN = ImportColumn(
    "admin_area", "The administrative area (region, province); empty for the whole country.",
    "Turkistan Region")


class _SurveillanceImport(ImportSpec):
    model = WeeklyCount
    writes = (WeeklyCount, Series)
    bulk = True
    list_url_name = "surveillance:dataset_list"

    def lookups(self, user):
        return SurveillanceLookups(user)

    def _common(self, row: Row):
        lookups: SurveillanceLookups = row.lookups
        dataset = row.parse("dataset", lookups.dataset)
        disease = row.parse("disease", lambda text: lookups.diseases.get(text, dataset)) if dataset else None
        area = row.parse("admin_area", ingest.parse_area, "")
        return dataset, disease, area

    def scope_column(self, prepared) -> str:
        return "dataset"

    def save_all(self, items, user, *, commit: bool, notes: list[str]) -> Counter:
        datasets = {key.dataset.pk: key.dataset for _row, (key, _value) in items}
        created: Counter = Counter()
        for pk, counts in sorted(self.weekly_counts(items).items()):
            result = ingest.counts_write(dataset=datasets[pk], counts=counts, dry_run=not commit)
            created[WeeklyCount] += result.created
            created[Series] += result.series_created
            notes.append(_("Dataset %(number)s (%(title)s): %(summary)s.") % {
                "number": pk, "title": datasets[pk].title, "summary": result.summary()})
        return +created  # drop zeros: the summary lists what is written

    def weekly_counts(self, items) -> dict[int, dict]:
        """dataset id -> {(disease id, area, week): count} from the prepared rows."""
        raise NotImplementedError


class CountsImport(_SurveillanceImport):
    """Aggregate weekly counts: one row per dataset, disease, area and week."""

    name = "surveillance-counts"
    title = "Weekly counts"
    description = (
        "Weekly case counts of surveillance datasets: one row per disease, administrative area and ISO week. "
        "A week already stored with another count is replaced (a late report or a correction: its revision "
        "goes up and the audit trail keeps both); unchanged counts are left alone; series are created on "
        "their first data."
    )
    columns = (
        DATASET_COLUMN,
        DISEASE_COLUMN,
        AREA_COLUMN,
        ImportColumn("week", "The week: the date of its Monday (YYYY-MM-DD) or its ISO week (YYYY-Www).",
                     "2026-W03", required=True),
        ImportColumn("count", "The number of cases in that week: a whole number, 0 or more.", "4",
                     required=True),
    )
    key_column = "week"

    def prepare(self, row: Row):
        dataset, disease, area = self._common(row)
        week = row.parse("week", ingest.parse_week)
        count = row.parse("count", ingest.parse_count)
        if row.problems or None in (dataset, disease, week, count):
            return None
        return CountRow(dataset, disease.pk, area, week), count

    def key(self, prepared) -> tuple:
        key, _count = prepared
        return key.dataset.pk, key.disease_id, key.admin_area.casefold(), key.week

    def weekly_counts(self, items) -> dict[int, dict]:
        counts: dict[int, dict] = defaultdict(dict)
        for _row, (key, count) in items:
            counts[key.dataset.pk][(key.disease_id, key.admin_area, key.week)] = count
        return counts


class CasesImport(_SurveillanceImport):
    """A case line list: one row per case, counted in the ISO week of its onset (else report) date."""

    name = "surveillance-cases"
    title = "Case line list"
    description = (
        "One row per case; cases are counted in the ISO week of their onset date (or, without one, of their "
        "report date), per dataset, disease and administrative area. Each week the file has cases for gets "
        "their number as its count, replacing a stored count; weeks without cases in the file are left as "
        "they are, so send every case of each week you send. No names or other personal details: only the "
        "columns below."
    )
    columns = (
        DATASET_COLUMN,
        DISEASE_COLUMN,
        AREA_COLUMN,
        ImportColumn("onset_date", "The date of onset of the case (YYYY-MM-DD).", "2026-01-14"),
        ImportColumn("report_date", "The date the case was reported (YYYY-MM-DD): used without an onset date.",
                     "2026-01-16"),
        ImportColumn("case_id", "Your case number, to catch the same case twice in a file (optional, never a "
                     "name).", "KZ-2026-0042"),
    )
    key_column = "case_id"

    def prepare(self, row: Row):
        dataset, disease, area = self._common(row)
        dates = {}
        for column in ("onset_date", "report_date"):
            dates[column] = row.parse(column, ingest.parse_case_date)
        onset, report = dates["onset_date"], dates["report_date"]
        if not row.text("onset_date") and not row.text("report_date"):
            row.problem("onset_date", _("give the onset date or the report date of the case"))
        elif onset and report and report < onset:
            row.problem("report_date", _("the case is reported (%(report)s) before its onset (%(onset)s)") % {
                "report": report.isoformat(), "onset": onset.isoformat()})
        if row.problems or None in (dataset, disease):
            return None
        return CountRow(dataset, disease.pk, area, ingest.monday_of(onset or report)), row.text("case_id")[:100]

    def key(self, prepared) -> tuple | None:
        key, case_id = prepared
        return (key.dataset.pk, case_id) if case_id else None

    def weekly_counts(self, items) -> dict[int, dict]:
        cases: dict[int, list] = defaultdict(list)
        for _row, (key, _case_id) in items:
            cases[key.dataset.pk].append((key.disease_id, key.admin_area, key.week))
        return {pk: ingest.aggregate_cases(keys) for pk, keys in cases.items()}


COUNTS = CountsImport()
CASES = CasesImport()
