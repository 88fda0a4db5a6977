"""The detail pages' value template shows dates and numbers, and a dash for empty values."""

import datetime

import pytest
from django.template.loader import render_to_string


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime.date(2026, 11, 21), "2026-11-21"),
        (0, "0"),
        (12.5, "12.5"),
        ("text", "text"),
        ([], "—"),
        ("", "—"),
        (None, "—"),
    ],
)
def test_value_rendering(value, shown):
    assert shown in render_to_string("core/_value.html", {"value": value})
