"""Helpers of the incidents API: filtered, restricted, paginated lists with the generic conventions
(same filters as the web lists, `ordering`, `limit`/`offset` with a hard maximum, problem details)."""

from django.core.exceptions import ValidationError

from cbrnet import access
from cbrnet.api import page_params


def filtered(request, filterset_class, queryset):
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(
            {field: [str(message) for message in errors] for field, errors in filterset.errors.items()}
        )
    return filterset.qs


def page(request, queryset, schema, ordering=(), *, hide=None, annotate_contact=False, after=None):
    """One page of `queryset` (already filtered) restricted to what the user may view. `hide(row)`
    blanks what the user may not see of a row; with `annotate_contact` the rows carry
    `contact_visible` (the model policy's contact_q) in the same query."""
    queryset = access.restrict(queryset, request.user, "view")
    if annotate_contact:
        queryset = access.with_contact_visibility(queryset, request.user)
    order = request.GET.get("ordering", "")
    if order:
        if order.lstrip("-") not in ordering:
            raise ValidationError({"ordering": [f"Order by one of: {', '.join(ordering) or 'nothing'}."]})
        queryset = queryset.order_by(order, "pk")
    elif not queryset.ordered:
        queryset = queryset.order_by("pk")
    limit, offset = page_params(request)
    rows = list(queryset[offset : offset + limit])
    if after is not None:
        after(rows)
    if hide is not None:
        rows = [hide(row) for row in rows]
    return {
        "count": queryset.count(),
        "limit": limit,
        "offset": offset,
        "results": [schema.from_orm(row).model_dump() for row in rows],
    }


def blank(instance, fields, visible: bool):
    """Null the restricted fields of an instance (for output only) when the user may not see them:
    null says "not shown to you", where an empty text would claim there is nothing."""
    if visible:
        return instance
    for name in fields:
        setattr(instance, name, None)
    return instance
