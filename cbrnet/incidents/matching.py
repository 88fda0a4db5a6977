"""Which registered capabilities could meet a request for assistance, best first, and why.

Plain numpy, no Django: every criterion is computed for all candidates at once (50,000 in a few tens
of milliseconds, docs/performance.md "Incident matching"). The selector (cbrnet.incidents.selectors) loads the
candidates in one query and turns the arrays into the ranked list the page shows.

Criteria, each a score between 0 and 1, and the reason it is shown with:

    fit           the capability's codes against the requested codes, through the taxonomy:
                  1 the same code, or a member of a requested group; 0.7 the group of the
                  requested code (registered generically); 0.4 a sibling in the same group; 0 none
    readiness     hours to deploy h: 1 / (1 + h / 24)  (ready now 1, in a day 0.5, in 3 days 0.25)
    travel        great-circle distance from the home base to the incident, turned into hours:
                  by road under ROAD_LIMIT_KM (ROAD_KMH), otherwise by air (AIR_KMH plus AIR_OVERHEAD_H
                  to reach the airports and clear them); score 1 / (1 + hours / 12). Unknown: 0.5
    language      1 when the capability works in one of the request's languages, 0 when it works in
                  none of them, 0.5 when either side recorded no language
    availability  available 1, deployed 0.2, under maintenance 0
    self-sufficiency  days it works without support from the affected country, / 4 (UCPM modules
                  are self-sufficient for at least 96 hours), at most 1

The total is the weighted sum (WEIGHTS), and 0 for a capability that fits no requested code: such a
capability is never offered however close or ready it is.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

# Relation of a candidate's code to a requested code (see the module docstring).
EXACT, GROUP_MEMBER, PARENT, SIBLING = 1.0, 1.0, 0.7, 0.4
WEIGHTS = {
    "fit": 0.35,
    "travel": 0.20,
    "readiness": 0.15,
    "availability": 0.15,
    "language": 0.10,
    "self_sufficiency": 0.05,
}
ROAD_LIMIT_KM = 500.0
ROAD_KMH = 60.0
AIR_KMH = 700.0
AIR_OVERHEAD_H = 6.0
EARTH_RADIUS_KM = 6371.0088
# Availability status codes of Candidates.status (the order of CapabilityStatus).
AVAILABLE, DEPLOYED, MAINTENANCE = 0, 1, 2
AVAILABILITY_SCORE = np.array([1.0, 0.2, 0.0])


@dataclass
class Candidates:
    """The registered capabilities to rank, as arrays of equal length n.

    Codes and languages are CSR lists: the codes of candidate i are
    code_indices[code_indptr[i]:code_indptr[i + 1]] (indices into the taxonomy), likewise languages
    (indices into any language numbering the caller also uses for the request).
    """

    ids: np.ndarray  # int64 (n,)
    code_indptr: np.ndarray  # int64 (n + 1,)
    code_indices: np.ndarray  # int64
    readiness_hours: np.ndarray  # float64 (n,)
    latitude: np.ndarray  # float64 (n,), nan when unknown
    longitude: np.ndarray  # float64 (n,)
    language_indptr: np.ndarray  # int64 (n + 1,)
    language_indices: np.ndarray  # int64
    status: np.ndarray  # int8 (n,): AVAILABLE, DEPLOYED, MAINTENANCE
    self_sufficiency_days: np.ndarray  # float64 (n,)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_rows(cls, rows) -> Candidates:
        """From (id, [code index…], readiness h, lat, lon, [language index…], status, days) tuples."""
        rows = list(rows)
        if not rows:
            return cls.from_columns([], [], [], [], [], [], [], [])
        return cls.from_columns(*zip(*rows, strict=True))

    @classmethod
    def from_columns(
        cls,
        ids,
        code_lists,
        readiness_hours,
        latitude,
        longitude,
        language_lists,
        status,
        self_sufficiency_days,
    ) -> Candidates:
        """From one sequence per field (None is an unknown number)."""
        n = len(ids)

        def csr(lists):
            lengths = np.fromiter(map(len, lists), dtype=np.int64, count=n)
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            flat = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(indptr[-1]))
            return indptr, flat

        def floats(values):
            return np.array(values, dtype=np.float64).reshape(n)  # None becomes nan

        code_indptr, code_indices = csr(code_lists)
        language_indptr, language_indices = csr(language_lists)
        return cls(
            ids=np.array(ids, dtype=np.int64).reshape(n),
            code_indptr=code_indptr,
            code_indices=code_indices,
            readiness_hours=floats(readiness_hours),
            latitude=floats(latitude),
            longitude=floats(longitude),
            language_indptr=language_indptr,
            language_indices=language_indices,
            status=np.array(status, dtype=np.int8).reshape(n),
            self_sufficiency_days=floats(self_sufficiency_days),
        )


@dataclass
class Result:
    """Per candidate (same order as Candidates): the total, each criterion's score, the raw values
    the reasons quote, and which requested code it fits best (index into `needs`, -1: none)."""

    score: np.ndarray
    fit: np.ndarray
    matched_need: np.ndarray
    matched_code: np.ndarray  # the candidate's code that gave the fit (taxonomy index, -1: none)
    readiness: np.ndarray
    distance_km: np.ndarray
    travel_hours: np.ndarray
    travel: np.ndarray
    language: np.ndarray
    availability: np.ndarray
    self_sufficiency: np.ndarray

    def ranking(self, limit: int | None = None) -> np.ndarray:
        """Positions of the candidates that fit, best first (ties: lower position first)."""
        eligible = np.flatnonzero(self.score > 0)
        if limit is not None and len(eligible) > limit:
            # Partial selection first: sorting 50,000 scores to show 50 would be wasted work. Every
            # candidate as good as the limit-th is kept, so that ties are broken by position below.
            scores = self.score[eligible]
            threshold = -np.partition(-scores, limit - 1)[limit - 1]
            eligible = eligible[scores >= threshold]
        order = np.lexsort((eligible, -self.score[eligible]))
        ranked = eligible[order]
        return ranked if limit is None else ranked[:limit]


def relation_matrix(parents: np.ndarray) -> np.ndarray:
    """R[c, t]: how well taxonomy code t serves a request for code c (see the module docstring)."""
    parents = np.asarray(parents, dtype=np.int64)
    size = len(parents)
    codes = np.arange(size)
    relation = np.zeros((size, size), dtype=np.float64)
    has_parent = parents >= 0
    same_parent = has_parent[:, None] & (parents[:, None] == parents[None, :])
    relation[same_parent] = SIBLING
    # c is the group of t: a member serves a request for "any" of its group.
    relation[parents[has_parent], codes[has_parent]] = GROUP_MEMBER
    # t is the group of c: a capability registered at group level.
    relation[codes[has_parent], parents[has_parent]] = np.maximum(
        relation[codes[has_parent], parents[has_parent]], PARENT
    )
    relation[codes, codes] = EXACT
    return relation


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in kilometres (arrays or scalars, degrees)."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(value, dtype=np.float64)) for value in (lat1, lon1, lat2, lon2)
    )
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def travel_hours(distance_km: np.ndarray) -> np.ndarray:
    distance_km = np.asarray(distance_km, dtype=np.float64)
    return np.where(
        distance_km < ROAD_LIMIT_KM, distance_km / ROAD_KMH, AIR_OVERHEAD_H + distance_km / AIR_KMH
    )


def _row_max(values: np.ndarray, indptr: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per CSR row: the maximum of `values` (0 for an empty row) and the flat position of it (-1)."""
    best = np.zeros(n, dtype=np.float64)
    where = np.full(n, -1, dtype=np.int64)
    if values.size == 0:
        return best, where
    lengths = np.diff(indptr)
    rows = np.repeat(np.arange(n), lengths)
    # Sort by (row, value) once: the last entry of each row is its maximum.
    order = np.lexsort((values, rows))
    last = indptr[1:][lengths > 0] - 1
    chosen = order[last]
    best[lengths > 0] = values[chosen]
    where[lengths > 0] = chosen
    return best, where


def score(
    candidates: Candidates,
    *,
    needs: list[int] | np.ndarray,
    parents: list[int] | np.ndarray,
    latitude: float | None,
    longitude: float | None,
    languages: list[int] | np.ndarray = (),
    weights: dict[str, float] | None = None,
    relation: np.ndarray | None = None,
) -> Result:
    """Score every candidate against a request for the taxonomy codes `needs` at (latitude,
    longitude) whose working languages are `languages`. Pass `relation` (relation_matrix(parents))
    when scoring many requests with one taxonomy."""
    weights = weights or WEIGHTS
    n = len(candidates)
    relation = relation_matrix(parents) if relation is None else relation
    needs = np.asarray(needs, dtype=np.int64)

    # Fit: for each requested code, the best relation over the candidate's codes; then the best need.
    fit = np.zeros(n)
    matched_need = np.full(n, -1, dtype=np.int64)
    matched_code = np.full(n, -1, dtype=np.int64)
    for number, need in enumerate(needs):
        values = relation[need, candidates.code_indices]
        best, where = _row_max(values, candidates.code_indptr, n)
        better = best > fit
        fit = np.where(better, best, fit)
        matched_need = np.where(better, number, matched_need)
        matched_code = np.where(
            better & (where >= 0), candidates.code_indices[np.maximum(where, 0)], matched_code
        )

    readiness = 1.0 / (1.0 + np.maximum(candidates.readiness_hours, 0.0) / 24.0)
    readiness = np.where(np.isnan(readiness), 0.5, readiness)

    if latitude is None or longitude is None:
        distance = np.full(n, np.nan)
    else:
        distance = haversine_km(candidates.latitude, candidates.longitude, latitude, longitude)
    hours = travel_hours(distance)
    travel = np.where(np.isnan(hours), 0.5, 1.0 / (1.0 + hours / 12.0))

    languages = np.unique(np.asarray(languages, dtype=np.int64))
    spoken = np.diff(candidates.language_indptr) > 0
    if languages.size:
        hits = np.isin(candidates.language_indices, languages).astype(np.int64)
        overlap = np.add.reduceat(np.append(hits, 0), candidates.language_indptr[:-1]) if n else np.zeros(0)
        overlap = np.where(spoken, overlap, 0)
        language = np.where(spoken, (overlap > 0).astype(np.float64), 0.5)
    else:
        language = np.full(n, 0.5)

    availability = AVAILABILITY_SCORE[np.clip(candidates.status.astype(np.int64), 0, 2)]
    self_sufficiency = np.clip(np.nan_to_num(candidates.self_sufficiency_days) / 4.0, 0.0, 1.0)

    total = (
        weights["fit"] * fit
        + weights["travel"] * travel
        + weights["readiness"] * readiness
        + weights["availability"] * availability
        + weights["language"] * language
        + weights["self_sufficiency"] * self_sufficiency
    ) / sum(weights.values())
    total = np.where(fit > 0, total, 0.0)
    return Result(
        score=total,
        fit=fit,
        matched_need=matched_need,
        matched_code=matched_code,
        readiness=readiness,
        distance_km=distance,
        travel_hours=hours,
        travel=travel,
        language=language,
        availability=availability,
        self_sufficiency=self_sufficiency,
    )
