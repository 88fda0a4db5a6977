"""The pages of action plans: the plan page (objectives → actions, workflow buttons offered by
permission), the workflow steps, drafting from gaps, the timeline, project links, the methodology
page and the country page's fragment."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from cbrnet.actionplans import models, services
from cbrnet.actionplans.choices import PlanStatus
from cbrnet.actionplans.tests.helpers import (
    action_of,
    assessment_of,
    full_plan,
    gaps_from_answers,
    indicator_of,
    objective_of,
    plan_of,
    report_of,
)
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for, client_for
from cbrnet.projects.models import Project

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_plan_page_shows_objectives_actions_indicators_projects_and_reports(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    plan = plan_of(world, world.kz, status=PlanStatus.APPROVED)
    action = action_of(
        objective_of(plan, title="Secure the borders"),
        title="Train border guards",
        lead_agency=world.kz_ministry,
        budget=25000,
        currency="EUR",
    )
    action.partners.add(world.jrc)
    indicator_of(action, name="Guards trained", baseline=0, target=200, current=80)
    report_of(action, percent=40, evidence=SimpleUploadedFile("report.pdf", b"%PDF-1.4", "application/pdf"))
    with audit_actor(None, source="command"):
        p53 = Project.objects.create(network=world.coe, code="P53", title="Biosafety")
        action.projects.add(p53)
    page = text(client_for(world.nfp_kz).get(plan.get_absolute_url()))
    for expected in (
        "Secure the borders",
        "Train border guards",
        "KZ Ministry of Health",
        "Joint Research Centre",
        "25000",
        "EUR",
        "Guards trained",
        "0.00 → 200.00",
        "80.00",
        "P53",
        "40%",
        f"/actionplans/progress-reports/{action.progress_reports.get().pk}/evidence/",
        "Timeline",
    ):
        assert expected in page, expected


@pytest.mark.parametrize(
    ("status", "persona", "offered", "not_offered"),
    [
        (
            PlanStatus.DRAFT,
            "nfp_kz",
            ["Submit for approval", "Draft from gaps", "Add an objective"],
            ["Approve"],
        ),
        (PlanStatus.DRAFT, "team_kz", ["Draft from gaps", "Add an objective"], ["Submit for approval"]),
        (PlanStatus.DRAFT, "sec_ca", ["Draft from gaps"], ["Submit for approval", "Approve"]),
        (
            PlanStatus.SUBMITTED,
            "sec_ca",
            ["Approve", "Return to preparation"],
            ["Submit for approval", "Draft from gaps"],
        ),
        (PlanStatus.SUBMITTED, "nfp_kz", ["Return to preparation"], ["Approve"]),
        (
            PlanStatus.APPROVED,
            "nfp_kz",
            ["Record the adoption", "Report progress"],
            ["Approve", "Draft from gaps"],
        ),
        (
            PlanStatus.APPROVED,
            "nfp_uz",
            ["Timeline"],
            ["Record the adoption", "Report progress", "Return to preparation"],
        ),
    ],
)
def test_workflow_buttons_are_offered_by_permission(world, status, persona, offered, not_offered):
    plan = full_plan(world, world.kz, status=status, lead=world.kz_ministry)
    page = text(client_for(getattr(world, persona)).get(plan.get_absolute_url()))
    for label in offered:
        assert f">{label}<" in page, label
    for label in not_offered:
        assert f">{label}<" not in page, label


def test_the_plan_page_query_count_does_not_grow_with_the_plan(world, django_assert_max_num_queries):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED, lead=world.kz_ministry)
    client = client_for(world.nfp_kz)
    client.get(plan.get_absolute_url())
    with django_assert_max_num_queries(60) as small:
        client.get(plan.get_absolute_url())
    for number in range(6):
        objective = objective_of(plan, title=f"Objective {number}", order=number + 2)
        for position in range(3):
            action = action_of(
                objective, title=f"Action {number}.{position}", order=position, lead_agency=world.kz_fp
            )
            action.partners.add(world.jrc)
            indicator_of(action)
            report_of(action)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(plan.get_absolute_url())
    assert "Action 5.2" in response.content.decode()


def test_submitting_through_the_page_is_audited_as_the_ui(world):
    plan = full_plan(world, world.kz, lead=world.kz_ministry)
    response = client_for(world.nfp_kz).post(f"/actionplans/{plan.pk}/submit/", {"note": "Please review"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED
    entry = audit_entries_for(plan, AuditEntry.Action.UPDATE).order_by("-pk").first()
    assert (entry.actor_id, entry.source) == (world.nfp_kz.pk, "ui")


def test_a_refused_step_is_403_and_a_bad_one_names_the_field(world):
    plan = full_plan(world, world.kz, status=PlanStatus.SUBMITTED, lead=world.kz_ministry)
    assert client_for(world.nfp_kz).post(f"/actionplans/{plan.pk}/approve/").status_code == 403
    assert client_for(world.nfp_kz).get(f"/actionplans/{plan.pk}/approve/").status_code == 403
    assert client_for(world.nfp_uz).post(f"/actionplans/{plan.pk}/approve/").status_code == 404
    response = client_for(world.sec_ca).post(f"/actionplans/{plan.pk}/return/", {"note": ""})
    assert response.status_code == 400 and "Why it goes back" in text(response)
    approved = full_plan(
        world, world.kz, status=PlanStatus.APPROVED, title="Approved", lead=world.kz_ministry
    )
    response = client_for(world.sec_ca).post(
        f"/actionplans/{approved.pk}/adopt/", {"adopted_on": "2999-01-01", "adoption_reference": "Decree 7"}
    )
    assert response.status_code == 400 and "cannot be in the future" in text(response)
    plan.refresh_from_db()
    approved.refresh_from_db()
    assert (plan.status, approved.status) == (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
    response = client_for(world.sec_ca).post(
        f"/actionplans/{approved.pk}/adopt/", {"adopted_on": "2025-03-01", "adoption_reference": "Decree 7"}
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.adoption_reference) == (PlanStatus.ADOPTED, "Decree 7")


def test_drafting_from_gaps_through_the_page(world, monkeypatch):
    monkeypatch.setattr(services, "ranked_gaps", lambda *, user, assessment: gaps_from_answers(assessment))
    assessment = assessment_of(world, world.kz, levels={"B1": 1, "L1": 2})
    assessment_of(world, world.uz, levels={"B1": 1})
    plan = plan_of(world, world.kz)
    client = client_for(world.team_kz)
    page = text(client.get(f"/actionplans/{plan.pk}/draft-from-gaps/"))
    assert str(assessment) in page and "Uzbekistan" not in page  # only assessments of the plan's country
    response = client.post(
        f"/actionplans/{plan.pk}/draft-from-gaps/",
        {"assessment": assessment.pk, "cut_off": "0", "limit": "10"},
    )
    assert response.status_code == 302
    assert list(
        plan.actions.order_by("objective__order", "order").values_list("gap_question__code", flat=True)
    ) == ["B1", "L1"]
    response = client.post(
        f"/actionplans/{plan.pk}/draft-from-gaps/", {"assessment": assessment.pk, "limit": "0"}
    )
    assert response.status_code == 400 and "limit" in text(response).lower()
    assert plan.actions.count() == 2
    assert client_for(world.nfp_uz).get(f"/actionplans/{plan.pk}/draft-from-gaps/").status_code == 404


def test_the_timeline_page_draws_the_actions(world):
    plan = full_plan(world, world.kz, lead=world.kz_ministry)
    action_of(plan.objectives.get(), title="Unscheduled action", order=2, start_date=None, end_date=None)
    response = client_for(world.team_kz).get(f"/actionplans/{plan.pk}/timeline/")
    page = text(response)
    assert response.status_code == 200
    assert (
        "<svg" in page and 'class="bar"' in page and "Train border guards" in page and "no dates yet" in page
    )
    assert "style=" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]  # nothing the CSP would block
    assert client_for(world.nfp_uz).get(f"/actionplans/{plan.pk}/timeline/").status_code == 404


def test_projects_are_linked_on_the_action_page(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    action = plan.actions.get()
    with audit_actor(None, source="command"):
        p53 = Project.objects.create(network=world.coe, code="P53", title="Biosafety")
    client = client_for(world.team_kz)
    assert "P53" in text(client.get(action.get_absolute_url()))
    assert client.post(f"/actionplans/actions/{action.pk}/projects/", {"project": p53.pk}).status_code == 302
    assert list(action.projects.all()) == [p53]
    assert client.post(f"/actionplans/actions/{action.pk}/projects/{p53.pk}/unlink/").status_code == 302
    assert not action.projects.exists()
    assert (
        client_for(world.nfp_uz)
        .post(f"/actionplans/actions/{action.pk}/projects/", {"project": p53.pk})
        .status_code
        == 403
    )


def test_the_list_filters_by_region_year_and_status(world):
    plan_of(world, world.kz, title="KZ plan")
    plan_of(world, world.kz, status=PlanStatus.APPROVED, title="KZ approved", start_year=2030, end_year=2032)
    plan_of(world, world.ph, status=PlanStatus.APPROVED, title="PH approved")
    client = client_for(world.admin)
    assert "PH approved" not in text(client.get("/actionplans/", {"region": world.ca.pk}))
    page = text(client.get("/actionplans/", {"year": 2031}))
    assert "KZ approved" in page and "KZ plan" not in page
    page = text(client.get("/actionplans/", {"status": "draft"}))
    assert "KZ plan" in page and "KZ approved" not in page


def test_the_methodology_page_and_the_country_fragment(world):
    full_plan(world, world.kz, status=PlanStatus.APPROVED)
    page = text(client_for(world.viewer_my).get("/actionplans/methodology/", {"region": world.ca.pk}))
    assert "National Action Plan developed" in page and "Uzbekistan" in page
    request = RequestFactory().get("/")
    request.user = world.nfp_kz
    html = render_to_string("actionplans/_methodology_stage.html", {"country": world.kz}, request=request)
    assert "National Action Plan developed" in html
    assert html.count("✓") == 3  # focal point appointed, team established, plan developed (no assessment)
    assert f"/actionplans/?country={world.kz.pk}" in html


def test_the_edit_page_offers_only_lead_agencies_of_the_plans_country(world):
    plan = full_plan(world, world.kz)
    page = text(client_for(world.nfp_kz).get(f"/actionplans/actions/{plan.actions.get().pk}/edit/"))
    options = re.search(r'name="lead_agency"[^>]*>(.*?)</select>', page).group(1)
    assert "KZ Ministry of Health" in options and "KZ focal point office" in options
    assert "UZ focal point office" not in options and "Joint Research Centre" not in options


def test_a_progress_report_dated_tomorrow_is_refused_on_the_form(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    response = client_for(world.nfp_kz).post(
        "/actionplans/progress-reports/add/",
        {
            "action": plan.actions.get().pk,
            "date": tomorrow,
            "status": "in_progress",
            "percent_complete": 10,
            "narrative": "Soon",
        },
    )
    assert response.status_code == 400 and "cannot be dated in the future" in text(response)
    assert not models.ProgressReport.objects.exists()


def test_edit_and_delete_are_offered_only_where_the_services_allow_them(world):
    approved = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    draft = full_plan(world, world.kz, title="Draft")
    client = client_for(world.nfp_kz)
    objective, action = approved.objectives.get(), approved.actions.get()
    indicator = action.indicators.get()
    assert f"/actionplans/{approved.pk}/edit/" not in text(client.get(approved.get_absolute_url()))
    assert f"/actionplans/{draft.pk}/edit/" in text(client.get(draft.get_absolute_url()))
    assert f"/actionplans/{draft.pk}/delete/" in text(client.get(draft.get_absolute_url()))
    assert f"/objectives/{objective.pk}/edit/" not in text(client.get(objective.get_absolute_url()))
    page = text(client.get(action.get_absolute_url()))
    assert f"/actions/{action.pk}/edit/" in page and f"/actions/{action.pk}/delete/" not in page
    page = text(client.get(indicator.get_absolute_url()))
    assert f"/indicators/{indicator.pk}/edit/" in page and f"/indicators/{indicator.pk}/delete/" not in page
