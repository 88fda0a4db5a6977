"""What the exchange contributes to the global search: the engine restricts every hit (R12)."""

from cbrnet.exchange import filters, models

SEARCHABLE = [
    (models.Bulletin, filters.BulletinFilterSet),
]
