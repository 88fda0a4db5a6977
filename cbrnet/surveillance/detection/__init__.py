"""Outbreak detection on weekly counts, agreeing with the R package surveillance 1.20.3.

Pure numpy/scipy (no Django), vectorised across series. Every method takes a 2-D array of counts
(n_series, n_weeks) and the number of last weeks to judge, and returns a :class:`Detection` of
``threshold`` and ``alarm`` arrays (NaN conventions in :mod:`._common` and docs/surveillance.md).
Series of different lengths go through :func:`detect_grouped`.

=======================  ==============================================  =========================
method                   source                                          R function
=======================  ==============================================  =========================
``ears_c1/c2/c3``        Hutwagner et al. 2003, 2005; Fricker et al. 2008  ``earsC``
``farrington``           Farrington et al. 1996                          ``farrington``
``farrington_flexible``  Noufaily et al. 2013                            ``farringtonFlexible``
``cusum``                Rossi et al. 1999                               ``cusum``
=======================  ==============================================  =========================
"""

from collections.abc import Callable

from ._common import Detection, detect_grouped
from .cusum import cusum
from .ears import ears_c1, ears_c2, ears_c3
from .farrington import farrington, farrington_flexible

#: Every method by its cbrnet name (the ``--method`` of the ``detect`` command).
METHODS: dict[str, Callable[..., Detection]] = {
    "ears_c1": ears_c1,
    "ears_c2": ears_c2,
    "ears_c3": ears_c3,
    "farrington": farrington,
    "farrington_flexible": farrington_flexible,
    "cusum": cusum,
}

#: Methods that take an ``alpha`` (CUSUM is set by k and h instead).
METHODS_WITH_ALPHA = frozenset({"ears_c1", "ears_c2", "ears_c3", "farrington", "farrington_flexible"})

__all__ = [
    "METHODS",
    "METHODS_WITH_ALPHA",
    "Detection",
    "cusum",
    "detect_grouped",
    "ears_c1",
    "ears_c2",
    "ears_c3",
    "farrington",
    "farrington_flexible",
]
