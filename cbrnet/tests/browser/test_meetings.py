"""Meetings in a browser: a focal point closes an action item from their to-do list, and the next
meeting of the series no longer carries it over."""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_focal_point_closes_an_action_item_from_the_to_do_list(page, world, sign_in, console_messages):
    from cbrnet.core.models import AuditEntry
    from cbrnet.core.testing import audit_entries_for
    from cbrnet.meetings.choices import ActionItemStatus
    from cbrnet.meetings.tests.helpers import at, make_action_item, make_meeting

    spring = make_meeting(world, region="ca", title="CA round table, spring", start=at(2026, 4, 21))
    autumn = make_meeting(world, region="ca", title="CA round table, autumn", start=at(2026, 10, 20))
    late = make_action_item(spring, world.p_nfp_uz, title="Nominate two trainers", due=datetime.date(2026, 1, 31))
    later = make_action_item(spring, world.p_nfp_uz, title="Translate the guide", due=datetime.date(2030, 6, 30))
    make_action_item(spring, world.p_nfp_kz, title="Kazakh item")

    sign_in(world.nfp_uz)
    page.goto("/")
    page.get_by_role("link", name=re.compile("To do")).click()
    expect(page.get_by_role("heading", name="My action items", level=1)).to_be_visible()
    rows = page.locator("table.action-items tbody tr")
    expect(rows).to_have_count(2)  # not the Kazakh focal point's item
    overdue = rows.filter(has_text="Nominate two trainers")
    expect(overdue).to_have_class(re.compile(r"\boverdue\b"))
    expect(overdue).to_contain_text("overdue")
    expect(rows.filter(has_text="Translate the guide")).not_to_have_class(re.compile(r"\boverdue\b"))

    overdue.get_by_label("What was done for “Nominate two trainers”").fill("Two trainers nominated by letter.")
    overdue.get_by_role("button", name="Close").click()

    expect(page).to_have_url(re.compile(r"/meetings/action-items/mine/$"))
    expect(page.get_by_role("status")).to_contain_text("Action item “Nominate two trainers” closed.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Translate the guide")

    late.refresh_from_db()
    assert late.status == ActionItemStatus.CLOSED and late.closing_note == "Two trainers nominated by letter."
    entry = audit_entries_for(late, AuditEntry.Action.UPDATE).order_by("-pk").first()
    assert entry.actor_id == world.nfp_uz.pk and entry.source == "ui"

    # The next meeting of the series carries over only what is still open.
    page.goto(autumn.get_absolute_url())
    carried = page.get_by_role("region", name="Open action items from earlier meetings")
    expect(carried.get_by_role("link", name="Translate the guide")).to_be_visible()
    expect(carried.get_by_text("Nominate two trainers")).to_have_count(0)
    assert later.pk
    assert not [message for message in console_messages if message.startswith(("error", "pageerror"))]
