"""What the registry contributes to the global search (never contact details), and the expert
directory's search text."""

import operator
from collections.abc import Sequence
from functools import reduce

from django.db.models import Prefetch, Q

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


def expert_search_text(profile: models.ExpertProfile) -> str:
    """The text a directory search word is matched against, one source field per line, in capitals.

    A search word never holds white space, so it matches this text exactly when it matches one of
    the fields: the same answer as testing each field, from one indexed column. Stored in capitals
    and searched with the word in capitals (ExpertFilterSet.search): a case-sensitive match on the
    database costs a fraction of a case-insensitive one.
    """
    person = profile.person
    organisation = person.organisation
    parts = [person.given_name, person.family_name, person.position]
    if organisation is not None:
        parts += [organisation.name, organisation.acronym]
    parts.append(profile.summary)
    parts += sorted({line.thematic_area.name for line in profile.expertise.all()})
    return "\n".join(part for part in parts if part).upper()


def expert_search_text_refresh(
    *,
    profile_ids: Sequence[int] = (),
    person_ids: Sequence[int] = (),
    organisation_ids: Sequence[int] = (),
    thematic_area_ids: Sequence[int] = (),
    everything: bool = False,
    batch_size: int = 2000,
) -> dict[int, str]:
    """Recompute the search text of the profiles that draw on these records; returns each one's text.

    Written with a bulk update: the search text is derived data, outside the audit trail (the records
    it is derived from are audited), and `updated` keeps meaning "the profile itself changed".
    """
    manager = models.ExpertProfile._base_manager
    if everything:
        profiles = manager.all()
    else:
        branches = [
            Q(pk__in=list(profile_ids)),
            Q(person_id__in=list(person_ids)),
            Q(person__organisation_id__in=list(organisation_ids)),
            Q(pk__in=models.Expertise._base_manager.filter(thematic_area_id__in=list(thematic_area_ids)).values("profile_id")),
        ]
        wanted = [bool(profile_ids), bool(person_ids), bool(organisation_ids), bool(thematic_area_ids)]
        branches = [branch for branch, given in zip(branches, wanted, strict=True) if given]
        if not branches:
            return {}
        profiles = manager.filter(reduce(operator.or_, branches))
    profiles = (
        profiles.order_by("pk")
        .select_related("person__organisation")
        .prefetch_related(Prefetch("expertise", queryset=models.Expertise._base_manager.select_related("thematic_area")))
        .only(
            "search_text", "summary", "person__given_name", "person__family_name", "person__position",
            "person__organisation__name", "person__organisation__acronym",
        )
    )
    texts, changed = {}, []
    for profile in profiles.iterator(chunk_size=batch_size):
        texts[profile.pk] = text = expert_search_text(profile)
        if text != profile.search_text:
            profile.search_text = text
            changed.append(profile)
            if len(changed) >= batch_size:
                manager.bulk_update(changed, ["search_text"])
                changed = []
    manager.bulk_update(changed, ["search_text"])
    return texts
