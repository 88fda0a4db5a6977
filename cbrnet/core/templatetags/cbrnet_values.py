"""`value|is_empty_collection`: whether a detail-page value is an empty list, set or queryset.

Django's `length` filter answers 0 for anything without a length (dates, numbers), so
`value|length == 0` cannot tell an empty list from a date."""

from collections.abc import Sized

from django import template

register = template.Library()


@register.filter
def is_empty_collection(value) -> bool:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sized):
        return False
    return len(value) == 0
