"""National Action Plans in a browser: a focal point creates a plan, drafts it from the ranked gaps of
the country's assessment, and opens its timeline."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_focal_point_drafts_a_plan_from_gaps_and_opens_its_timeline(page, world, sign_in, console_messages):
    from cbrnet.actionplans.models import ActionPlan
    from cbrnet.actionplans.tests.helpers import assessment_of
    from cbrnet.core.models import AuditEntry
    from cbrnet.core.testing import audit_entries_for

    # B1 (border control, weight 2) is 3 levels short, L3 (laboratories) 3, L1 2; the rest reach the target.
    assessment = assessment_of(world, world.kz, levels={"B1": 1, "B2": 4, "B3": 4, "L1": 2, "L2": 4, "L3": 1})

    sign_in(world.nfp_kz)
    page.goto("/actionplans/")
    page.get_by_role("link", name="Add National Action Plan").click()
    page.get_by_label("Country").select_option(label="Kazakhstan")
    page.get_by_label("Network").select_option(label="EU CBRN CoE")
    page.get_by_label("Title").fill("National CBRN Action Plan 2026–2029")
    page.get_by_label("From year").fill("2026")
    page.get_by_label("To year").fill("2029")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="National CBRN Action Plan 2026–2029", level=1)).to_be_visible()
    expect(page.get_by_text("In preparation", exact=True)).to_be_visible()
    page.get_by_role("link", name="Draft from gaps").click()
    page.get_by_label("Assessment").select_option(label=str(assessment))
    page.get_by_role("button", name="Draft the plan").click()

    expect(page.get_by_role("status")).to_contain_text("3 new actions")
    objectives = page.get_by_role("article")
    expect(objectives).to_have_count(2)
    expect(objectives.first).to_contain_text("Strengthen Border control")
    expect(objectives.first.get_by_role("link", name=re.compile(r"^B1: "))).to_be_visible()
    expect(objectives.nth(1).get_by_role("link", name=re.compile(r"^L3: "))).to_be_visible()
    expect(objectives.nth(1).get_by_role("link", name=re.compile(r"^L1: "))).to_be_visible()
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_role("heading", name=re.compile("^Timeline of"), level=1)).to_be_visible()
    chart = page.locator("svg.timeline")
    expect(chart).to_be_visible()
    expect(chart.locator("g.timeline-action")).to_have_count(3)
    expect(chart.locator("g.timeline-objective")).to_have_count(2)
    table = page.locator("#timeline-table")
    expect(table).to_contain_text("B1: Border control capability 1")
    expect(table.get_by_role("link", name=re.compile(r"^L3: "))).to_be_visible()

    plan = ActionPlan.objects.get(title="National CBRN Action Plan 2026–2029")
    assert plan.assessment == assessment and plan.actions.count() == 3
    action = plan.actions.get(gap_question__code="B1")
    entry = audit_entries_for(action, AuditEntry.Action.CREATE).get()
    assert entry.actor_id == world.nfp_kz.pk and entry.source == "ui"
    assert not [message for message in console_messages if message.startswith(("error", "pageerror"))]
