"""What incidents contribute to the global search: the engine restricts every hit (R12)."""

from cbrnet.incidents import filters, models

SEARCHABLE = [
    (models.Incident, filters.IncidentFilterSet),
    (models.Capability, filters.CapabilityFilterSet),
]
