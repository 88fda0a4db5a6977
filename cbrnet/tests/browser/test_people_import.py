"""Importing people in a browser: the check lists every bad row and column, and saves nothing."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

HEADER = ["given_name", "family_name", "organisation", "country", "position", "email", "phone"]


def _csv(rows) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows([HEADER, *rows])
    return text.getvalue().encode("utf-8")


def test_a_people_file_with_bad_rows_is_checked_and_the_problems_are_listed_by_row_and_column(
    page, world, sign_in, settings, tmp_path
):
    from cbrnet.registry.models import Person

    settings.MEDIA_ROOT = tmp_path  # the uploaded file is kept with its job
    people_before = Person.objects.count()
    rows = [
        ["Aliya", "Sarsen", "KZ Ministry of Health", "KZ", "Inspector", "aliya@example.org", "+7 700 0000"],
        ["Dana", "Bekova", "KZ Ministry of Health", "KZ", "Analyst", "not-an-address", ""],
        ["Erlan", "Nurov", "KZ Ministry of Health", "XX", "Driver", "erlan@example.org", ""],
    ]

    sign_in(world.nfp_kz)
    page.goto("/registry/people/")
    page.get_by_role("link", name=re.compile("^Import")).first.click()
    expect(page.get_by_role("heading", name="Import People", level=1)).to_be_visible()
    page.get_by_label("File (CSV UTF-8 or XLSX)").set_input_files(
        {"name": "kz-people.csv", "mimeType": "text/csv", "buffer": _csv(rows)}
    )
    page.get_by_role("button", name="Upload and check").click()

    status = page.locator("#job-status")
    expect(status).to_contain_text("nothing was imported")
    problems = status.get_by_role("table").locator("tbody tr")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text(re.compile(r"^\s*3\s*email", re.MULTILINE))
    expect(problems.nth(1)).to_contain_text(re.compile(r"^\s*4\s*country", re.MULTILINE))
    expect(problems.nth(1)).to_contain_text('unknown country code "XX"')
    expect(status.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)  # nothing to confirm

    assert Person.objects.count() == people_before
    page.goto("/registry/people/?q=Sarsen")
    expect(page.get_by_text("Nothing matches these filters")).to_be_visible()
