"""Declarative list-page columns: a column names an attribute path and how to show it."""

import functools
from dataclasses import dataclass

from django.utils.formats import localize


@functools.cache
def _choice_labels(model, name: str) -> dict | None:
    """value -> label of a field with choices (None otherwise), computed once per model field."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a field (a property or a relation accessor)
        return None
    return dict(field.flatchoices) if getattr(field, "choices", None) else None


@dataclass(frozen=True)
class Column:
    accessor: str  # attribute path with dots, e.g. "organisation.country"
    label: str = ""
    link: bool = False  # link the cell to the row's detail page
    order_by: str | None = None  # an ordering field name, if the column is sortable

    def value(self, row):
        value = row
        for part in self.accessor.split("."):
            if value is None:
                return ""
            labels = _choice_labels(type(value), part)
            value = getattr(value, part, None)
            if labels is not None:
                value = labels.get(value, value)
            if callable(value) and not hasattr(value, "all"):
                value = value()
        if value is None:
            return ""
        if hasattr(value, "all"):
            return "; ".join(str(item) for item in value.all())
        if isinstance(value, bool):
            return "✓" if value else "—"
        return localize(value)

    def header(self, model):
        """The label, else the verbose name of the last field on the accessor's path."""
        if self.label:
            return self.label
        current = model
        name = self.accessor
        for part in self.accessor.split("."):
            name = part
            try:
                field = current._meta.get_field(part)
            except Exception:  # noqa: BLE001 - a computed attribute has no field; show its name
                return part.replace("_", " ").capitalize()
            if field.is_relation and field.related_model is not None and part != self.accessor.split(".")[-1]:
                current = field.related_model
                continue
            return str(getattr(field, "verbose_name", part)).capitalize()
        return name.replace("_", " ").capitalize()
