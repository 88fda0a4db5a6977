"""`{% filter_fields filterset %}`: the fields of a list page's filter form (core/object_list.html),
rendered once per query and cached when that is safe (cbrnet.core.filters.render_filter_fields)."""

from django import template

from cbrnet.core.filters import render_filter_fields

register = template.Library()


@register.simple_tag
def filter_fields(filterset):
    return render_filter_fields(filterset)
