"""Widgets that render long option lists in Python.

Django renders each <option> through a template, which costs tens of milliseconds for the country
lists (250 options) on every list page and edit form. These produce the same markup directly.
"""

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def _attributes(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", key))
        elif value is not False and value is not None:
            parts.append(format_html(' {}="{}"', key, value))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


class FastSelectMixin:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = []
        for group_name, group_options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], _attributes(option["attrs"]), option["label"]) for option in group_options),
            )
            options.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered) if group_name else rendered)
        select_attrs = {"name": widget["name"], **widget["attrs"]}
        return format_html("<select{}>{}</select>", _attributes(select_attrs), mark_safe("".join(options)))  # noqa: S308


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


class ReferenceSelect(FastSelect):
    """A select from options rendered in advance, as (value, <option>, selected <option>) triples
    (cbrnet.core.filters caches those of reference lists): the same markup as FastSelect without
    building each option on every request."""

    def __init__(self, attrs=None, options=()):
        super().__init__(attrs)
        self.options = options

    def render(self, name, value, attrs=None, renderer=None):
        values = self.format_value(value)
        parts, selected = [], False
        for option_value, plain, chosen in self.options:
            if not selected and option_value in values:  # like Select: the first match only
                selected = True
                parts.append(chosen)
            else:
                parts.append(plain)
        select_attrs = {"name": name, **self.build_attrs(self.attrs, attrs)}
        return format_html("<select{}>{}</select>", _attributes(select_attrs), mark_safe("".join(parts)))  # noqa: S308


def speed_up_selects(form) -> None:
    """Swap a form's (multi-)selects for the fast ones, keeping their choices and attributes."""
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is forms.Select:
            fast = FastSelect(attrs=widget.attrs, choices=widget.choices)
        elif type(widget) is forms.SelectMultiple:
            fast = FastSelectMultiple(attrs=widget.attrs, choices=widget.choices)
        else:
            continue
        fast.is_required = widget.is_required
        field.widget = fast
