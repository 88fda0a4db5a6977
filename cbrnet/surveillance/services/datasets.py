"""Writes of surveillance datasets. Labels, audience and publication go through cbrnet.sharing.services;
the weekly counts through cbrnet.surveillance.services.ingest."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cbrnet.access.context import user_context
from cbrnet.registry.models import Organisation
from cbrnet.sharing import services as sharing
from cbrnet.surveillance.models import Dataset


def dataset_save(*, user, dataset: Dataset, networks: Iterable | None = None) -> Dataset:
    """Create (a draft owned by the user's organisation) or change a dataset. A dataset holds the data
    of its owner organisation's country (an organisation without a country, e.g. an international
    body, may hold any country's): a country's data stays its own until it shares it."""
    owner_id = dataset.owner_organisation_id if dataset.pk else user_context(user).organisation_id
    owner = Organisation.objects.filter(pk=owner_id).select_related("country").first()
    if owner is not None and owner.country_id and dataset.country_id and dataset.country_id != owner.country_id:
        raise ValidationError({"country": _("A dataset of %(owner)s holds data of %(country)s only.") % {
            "owner": owner, "country": owner.country}})
    return sharing.shared_item_save(user=user, instance=dataset, networks=networks)
