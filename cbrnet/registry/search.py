"""What the registry contributes to the global search (never contact details)."""

from cbrnet.registry import filters, models

SEARCHABLE = [
    (models.Country, filters.CountryFilterSet),
    (models.Region, filters.RegionFilterSet),
    (models.Organisation, filters.OrganisationFilterSet),
    (models.Person, filters.PersonFilterSet),
    (models.ExpertProfile, filters.ExpertFilterSet),
    (models.ThematicArea, filters.ThematicAreaFilterSet),
    (models.RegionalPriority, filters.RegionalPriorityFilterSet),
]
