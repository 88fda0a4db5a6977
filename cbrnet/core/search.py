"""Global search: each app lists its searchable models; results come from restricted querysets only."""

from cbrnet import access
from cbrnet.registry.search import SEARCHABLE as REGISTRY

SEARCHABLE = [*REGISTRY]


def search(*, user, text: str, per_model: int = 10) -> list[dict]:
    """Up to `per_model` hits per kind of record the user may see, with the total per kind."""
    text = text.strip()[:200]
    if not text:
        return []
    groups = []
    for model, filterset_class in SEARCHABLE:
        filterset = filterset_class({"q": text}, queryset=model.objects.all())
        queryset = access.restrict(filterset.qs, user, "view")
        hits = list(queryset[:per_model])
        if hits:
            groups.append({"model": model, "label": model._meta.verbose_name_plural, "hits": hits, "count": queryset.count()})
    return groups
