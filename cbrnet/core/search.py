"""Global search: each app lists its searchable models; results come from restricted querysets only."""

from cbrnet import access
from cbrnet.exchange.search import SEARCHABLE as EXCHANGE
from cbrnet.incidents.search import SEARCHABLE as INCIDENTS
from cbrnet.registry.search import SEARCHABLE as REGISTRY

SEARCHABLE = [*REGISTRY, *EXCHANGE, *INCIDENTS]


def search(*, user, text: str, per_model: int = 10) -> list[dict]:
    """Up to `per_model` hits per kind of record the user may see, with the total per kind."""
    text = text.strip()[:200]
    if not text:
        return []
    groups = []
    from cbrnet.core.generic import REGISTERED

    for model, filterset_class in SEARCHABLE:
        # The list page's queryset carries the select_related its rows need: no query per hit.
        views = REGISTERED.get(model)
        base = views.list.view_class.queryset.all() if views else model.objects.all()
        filterset = filterset_class({"q": text}, queryset=base)
        queryset = access.restrict(filterset.qs, user, "view")
        hits = list(queryset[:per_model])
        if hits:
            groups.append({"model": model, "label": model._meta.verbose_name_plural, "hits": hits, "count": queryset.count()})
    return groups
