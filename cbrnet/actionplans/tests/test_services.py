"""The writes of National Action Plans: who may take each workflow step, at which status, what is
audited, that a refusal writes nothing; drafting from gaps; the lead agency rule; project links and
progress reports."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cbrnet.actionplans import models, selectors, services
from cbrnet.actionplans.choices import ActionStatus, PlanStatus
from cbrnet.actionplans.tests.helpers import (
    action_of,
    assessment_of,
    full_plan,
    gaps_from_answers,
    objective_of,
    plan_of,
    record,
    report_of,
)
from cbrnet.assessments.choices import AssessmentStatus
from cbrnet.core.audit import audit_actor
from cbrnet.core.models import AuditEntry
from cbrnet.core.testing import audit_entries_for
from cbrnet.projects.models import Project
from cbrnet.registry.choices import Role
from cbrnet.registry.models import Organisation, RoleAssignment

pytestmark = pytest.mark.django_db


def audit_count() -> int:
    return AuditEntry.objects.count()


def refused(call, error=PermissionDenied):
    """Run `call`, expect `error`, and check that nothing at all was written."""
    before = audit_count()
    with pytest.raises(error) as caught:
        call()
    assert audit_count() == before
    return caught.value


# --- the workflow ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("nfp_kz", True),
        ("admin", True),
        ("team_kz", False),
        ("sec_ca", False),
        ("nfp_uz", False),
        ("outsider", False),
    ],
)
def test_only_the_countrys_focal_point_submits(world, persona, allowed):
    plan = full_plan(world, world.kz, lead=world.kz_ministry)
    user = getattr(world, persona)
    if allowed:
        with audit_actor(user, source="ui"):
            submitted = services.action_plan_submit(user=user, plan=plan, note="Ready for review")
        assert (submitted.status, submitted.status_note) == (PlanStatus.SUBMITTED, "Ready for review")
        assert submitted.submitted_at is not None
        entry = audit_entries_for(plan, AuditEntry.Action.UPDATE).order_by("-pk").first()
        assert entry.actor_id == user.pk and entry.after["status"] == "submitted"
    else:
        refused(lambda: services.action_plan_submit(user=user, plan=plan))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT


def test_a_plan_without_actions_or_lead_agencies_is_not_submitted(world):
    empty = plan_of(world, world.kz)
    error = refused(lambda: services.action_plan_submit(user=world.nfp_kz, plan=empty), ValidationError)
    assert "actions" in error.message_dict
    without_lead = full_plan(world, world.kz, title="Without a lead agency")
    error = refused(
        lambda: services.action_plan_submit(user=world.nfp_kz, plan=without_lead), ValidationError
    )
    assert "lead_agency" in error.message_dict


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("sec_ca", True),
        ("admin", True),
        ("nfp_kz", False),
        ("team_kz", False),
        ("nfp_uz", False),
        ("nfp_ph", False),
    ],
)
def test_the_regions_secretariat_approves(world, persona, allowed):
    plan = full_plan(world, world.kz, status=PlanStatus.SUBMITTED, lead=world.kz_ministry)
    user = getattr(world, persona)
    if allowed:
        approved = services.action_plan_approve(user=user, plan=plan)
        assert (approved.status, approved.approved_by) == (PlanStatus.APPROVED, user)
        assert approved.approved_at is not None
    else:
        refused(lambda: services.action_plan_approve(user=user, plan=plan))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.SUBMITTED and plan.approved_by is None


@pytest.mark.parametrize(
    ("step", "status"),
    [
        ("approve", PlanStatus.DRAFT),
        ("approve", PlanStatus.APPROVED),
        ("submit", PlanStatus.SUBMITTED),
        ("submit", PlanStatus.ADOPTED),
        ("return", PlanStatus.DRAFT),
        ("return", PlanStatus.ADOPTED),
        ("adopt", PlanStatus.SUBMITTED),
        ("adopt", PlanStatus.SUPERSEDED),
    ],
)
def test_a_step_from_the_wrong_status_is_refused_by_name(world, step, status):
    plan = full_plan(world, world.kz, status=status, lead=world.kz_ministry)
    arguments = {
        "submit": {},
        "approve": {},
        "return": {"note": "Fix it"},
        "adopt": {"adopted_on": datetime.date(2025, 1, 10), "adoption_reference": "Decree 1"},
    }[step]
    call = getattr(services, f"action_plan_{step}")
    error = refused(lambda: call(user=world.admin, plan=plan, **arguments), ValidationError)
    assert "status" in error.message_dict
    plan.refresh_from_db()
    assert plan.status == status


def test_adoption_records_the_act_and_supersedes_the_plan_in_force(world):
    old = full_plan(
        world,
        world.kz,
        status=PlanStatus.ADOPTED,
        title="NAP 2019–2023",
        adopted_on=datetime.date(2019, 5, 1),
        adoption_reference="Decree 12",
    )
    new = full_plan(
        world, world.kz, status=PlanStatus.APPROVED, title="NAP 2025–2028", lead=world.kz_ministry
    )
    with audit_actor(world.nfp_kz, source="ui"):
        adopted = services.action_plan_adopt(
            user=world.nfp_kz,
            plan=new,
            adopted_on=datetime.date(2025, 2, 3),
            adoption_reference="  Government decree No. 45  ",
        )
    assert (adopted.status, adopted.adopted_on, adopted.adoption_reference) == (
        PlanStatus.ADOPTED,
        datetime.date(2025, 2, 3),
        "Government decree No. 45",
    )
    old.refresh_from_db()
    assert old.status == PlanStatus.SUPERSEDED and "NAP 2025–2028" in old.status_note
    assert (
        audit_entries_for(old, AuditEntry.Action.UPDATE).order_by("-pk").first().actor_id == world.nfp_kz.pk
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"adoption_reference": ""}, "adoption_reference"),
        ({"adoption_reference": "x" * 251}, "adoption_reference"),
        ({"adopted_on": None}, "adopted_on"),
        ({"adopted_on": "tomorrow"}, "adopted_on"),
    ],
)
def test_adoption_needs_a_reference_and_a_past_date(world, values, field):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED, lead=world.kz_ministry)
    arguments = {"adopted_on": datetime.date(2025, 2, 3), "adoption_reference": "Decree 45", **values}
    if arguments["adopted_on"] == "tomorrow":
        arguments["adopted_on"] = timezone.localdate() + datetime.timedelta(days=1)
    error = refused(
        lambda: services.action_plan_adopt(user=world.sec_ca, plan=plan, **arguments), ValidationError
    )
    assert field in error.message_dict


def test_the_team_does_not_record_the_adoption(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED, lead=world.kz_ministry)
    refused(
        lambda: services.action_plan_adopt(
            user=world.team_kz, plan=plan, adopted_on=datetime.date(2025, 1, 1), adoption_reference="Decree"
        )
    )


def test_returning_needs_a_note_and_clears_the_approval(world):
    plan = full_plan(
        world,
        world.kz,
        status=PlanStatus.APPROVED,
        lead=world.kz_ministry,
        approved_at=timezone.now(),
        approved_by=world.sec_ca,
    )
    error = refused(
        lambda: services.action_plan_return(user=world.sec_ca, plan=plan, note="  "), ValidationError
    )
    assert "note" in error.message_dict
    back = services.action_plan_return(user=world.sec_ca, plan=plan, note="Add budgets to the actions.")
    assert (back.status, back.status_note, back.approved_at, back.approved_by) == (
        PlanStatus.DRAFT,
        "Add budgets to the actions.",
        None,
        None,
    )


def test_the_focal_point_withdraws_a_submission_but_does_not_undo_an_approval(world):
    submitted = full_plan(world, world.kz, status=PlanStatus.SUBMITTED, lead=world.kz_ministry)
    assert (
        services.action_plan_return(user=world.nfp_kz, plan=submitted, note="One more action").status
        == "draft"
    )
    approved = full_plan(
        world, world.kz, status=PlanStatus.APPROVED, title="Approved", lead=world.kz_ministry
    )
    refused(lambda: services.action_plan_return(user=world.nfp_kz, plan=approved, note="Undo"))


def test_allowed_steps_follow_the_status_and_the_role(world):
    draft = full_plan(world, world.kz, lead=world.kz_ministry)
    submitted = full_plan(
        world, world.kz, status=PlanStatus.SUBMITTED, title="Submitted", lead=world.kz_ministry
    )
    approved = full_plan(
        world, world.kz, status=PlanStatus.APPROVED, title="Approved", lead=world.kz_ministry
    )
    steps = {
        (persona, plan.title): services.allowed_steps(user=getattr(world, persona), plan=plan)
        for persona in ("nfp_kz", "team_kz", "sec_ca", "nfp_uz")
        for plan in (draft, submitted, approved)
    }
    assert steps[("nfp_kz", draft.title)] == ["submit"]
    assert steps[("nfp_kz", "Submitted")] == ["return"]
    assert steps[("nfp_kz", "Approved")] == ["adopt"]
    assert steps[("sec_ca", draft.title)] == []
    assert steps[("sec_ca", "Submitted")] == ["approve", "return"]
    assert steps[("sec_ca", "Approved")] == ["adopt", "return"]
    assert all(not steps[("team_kz", title)] for title in (draft.title, "Submitted", "Approved"))
    assert all(not steps[("nfp_uz", title)] for title in (draft.title, "Submitted", "Approved"))


# --- the plan and its parts --------------------------------------------------------------------------


def test_a_plan_in_preparation_is_deleted_by_its_focal_point_with_its_parts(world):
    plan = full_plan(world, world.kz)
    action = plan.actions.get()
    refused(lambda: services.action_plan_delete(user=world.team_kz, plan=plan))
    with audit_actor(world.nfp_kz, source="ui"):
        services.action_plan_delete(user=world.nfp_kz, plan=plan)
    assert not models.ActionPlan.objects.filter(pk=plan.pk).exists()
    assert audit_entries_for(action, AuditEntry.Action.DELETE).get().actor_id == world.nfp_kz.pk


def test_an_approved_plan_is_not_deleted_even_by_an_administrator(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    error = refused(lambda: services.action_plan_delete(user=world.admin, plan=plan), ValidationError)
    assert "status" in error.message_dict


def test_content_of_a_submitted_plan_is_frozen(world):
    plan = full_plan(world, world.kz, status=PlanStatus.SUBMITTED, lead=world.kz_ministry)
    objective = plan.objectives.get()
    action = plan.actions.get()
    indicator = action.indicators.get()
    refused(
        lambda: services.objective_create(user=world.nfp_kz, data={"plan": plan, "title": "New"}),
        ValidationError,
    )
    refused(
        lambda: services.objective_update(user=world.nfp_kz, objective=objective, data={"title": "X"}),
        ValidationError,
    )
    refused(
        lambda: services.action_update(user=world.nfp_kz, action=action, data={"status": "in_progress"}),
        ValidationError,
    )
    refused(
        lambda: services.indicator_update(user=world.nfp_kz, indicator=indicator, data={"current": 5}),
        ValidationError,
    )
    refused(lambda: services.action_delete(user=world.nfp_kz, action=action), ValidationError)


def test_parts_of_another_countrys_plan_are_refused(world):
    plan = full_plan(world, world.uz)
    refused(lambda: services.objective_create(user=world.nfp_kz, data={"plan": plan, "title": "New"}))
    refused(lambda: services.action_delete(user=world.team_kz, action=plan.actions.get()))


def test_the_lead_agency_is_an_organisation_of_the_country_represented_in_its_team(world):
    eligible = set(selectors.eligible_lead_agencies(world.kz.pk))
    # The ministry is named on team_kz's appointment; the focal point's office is the NFP's organisation.
    assert eligible == {world.kz_ministry, world.kz_fp}
    assert set(selectors.eligible_lead_agencies(world.uz.pk)) == {world.uz_fp}
    with audit_actor(None, source="command"):
        agency = Organisation.objects.create(name="KZ Customs", kind="agency", country=world.kz)
    assert agency not in set(selectors.eligible_lead_agencies(world.kz.pk))
    record(
        RoleAssignment,
        person=world.p_hidden_kz,
        role=Role.NATIONAL_TEAM,
        country=world.kz,
        organisation=agency,
        start_date=datetime.date(2024, 1, 1),
    )
    assert agency in set(selectors.eligible_lead_agencies(world.kz.pk))
    with audit_actor(None, source="command"):
        RoleAssignment.objects.filter(organisation=agency).update(end_date=datetime.date(2024, 6, 30))
        world.kz_ministry.is_active = False
        world.kz_ministry.save()
    assert set(selectors.eligible_lead_agencies(world.kz.pk)) == {world.kz_fp}


def test_an_action_led_by_an_organisation_outside_the_team_is_refused(world):
    plan = plan_of(world, world.kz)
    objective = objective_of(plan)
    for organisation in (world.uz_fp, world.jrc):
        error = refused(
            lambda organisation=organisation: services.action_create(
                user=world.nfp_kz, data={"objective": objective, "title": "Lead", "lead_agency": organisation}
            ),
            ValidationError,
        )
        assert list(error.message_dict) == ["lead_agency"]
    with audit_actor(world.team_kz, source="ui"):
        created = services.action_create(
            user=world.team_kz,
            data={
                "objective": objective,
                "title": "Lead",
                "lead_agency": world.kz_ministry,
                "partners": [world.jrc, world.uz_fp],
            },
        )
    assert created.plan == plan and set(created.partners.all()) == {world.jrc, world.uz_fp}
    assert audit_entries_for(created, AuditEntry.Action.CREATE).get().actor_id == world.team_kz.pk


def test_the_gap_question_belongs_to_the_plans_assessment(world):
    assessment = assessment_of(world, world.kz)
    plan = plan_of(world, world.kz)
    objective = objective_of(plan)
    question = assessment.version.questions.get(code="B1")
    error = refused(
        lambda: services.action_create(
            user=world.nfp_kz, data={"objective": objective, "title": "Gap", "gap_question": question}
        ),
        ValidationError,
    )
    assert "gap_question" in error.message_dict
    services.action_plan_update(user=world.nfp_kz, plan=plan, data={"assessment": assessment})
    action = services.action_create(
        user=world.nfp_kz, data={"objective": objective, "title": "Gap", "gap_question": question}
    )
    assert action.gap_question == question


# --- drafting from gaps -------------------------------------------------------------------------------

LEVELS = {"B1": 1, "B2": 3, "L1": 2, "L2": 4, "L3": 1}  # B3 unanswered: not a gap


@pytest.fixture
def stand_in_gaps(monkeypatch):
    """The scoring part's gaps replaced by gaps computed by hand from the answers."""
    monkeypatch.setattr(services, "ranked_gaps", lambda *, user, assessment: gaps_from_answers(assessment))


def test_a_plan_is_drafted_from_the_ranked_gaps(world, stand_in_gaps):
    assessment = assessment_of(world, world.kz, levels=LEVELS)
    plan = plan_of(world, world.kz)
    with audit_actor(world.team_kz, source="ui"):
        result = services.action_plan_draft_from_gaps(user=world.team_kz, plan=plan, assessment=assessment)
    # Ranked by (target − current) × weight: B1 (3 × 2 = 6), L3 (3), B2 (1 × 2 = 2), L1 (2).
    assert [action.gap_question.code for action in result.actions] == ["B1", "L3", "B2", "L1"]
    objectives = list(plan.objectives.order_by("order"))
    assert [(objective.thematic_area.code, objective.order) for objective in objectives] == [
        ("border-control", 1),
        ("laboratories", 2),
    ]
    assert objectives[0].title == "Strengthen Border control" and objectives[0].domains == "CB"
    assert [(a.gap_question.code, a.order) for a in objectives[0].actions.order_by("order")] == [
        ("B1", 1),
        ("B2", 2),
    ]
    assert [(a.gap_question.code, a.order) for a in objectives[1].actions.order_by("order")] == [
        ("L3", 1),
        ("L1", 2),
    ]
    first = objectives[0].actions.get(order=1)
    assert (
        first.title.startswith("B1: ") and "level 1" in first.description and "level 4" in first.description
    )
    assert first.status == ActionStatus.PLANNED and first.plan == plan
    plan.refresh_from_db()
    assert plan.assessment == assessment
    assert audit_entries_for(first, AuditEntry.Action.CREATE).get().actor_id == world.team_kz.pk


def test_drafting_again_adds_only_new_gaps_and_respects_cut_off_and_limit(world, stand_in_gaps):
    assessment = assessment_of(world, world.kz, levels=LEVELS)
    plan = plan_of(world, world.kz)
    result = services.action_plan_draft_from_gaps(
        user=world.nfp_kz, plan=plan, assessment=assessment, cut_off=2
    )
    assert [a.gap_question.code for a in result.actions] == ["B1", "L3"]
    assert (result.gaps, result.below_cut_off) == (4, 2)
    result = services.action_plan_draft_from_gaps(
        user=world.nfp_kz, plan=plan, assessment=assessment, limit=1
    )
    assert [a.gap_question.code for a in result.actions] == ["B2"]
    assert (result.already_addressed, result.over_limit, len(result.objectives)) == (2, 1, 0)
    result = services.action_plan_draft_from_gaps(user=world.nfp_kz, plan=plan, assessment=assessment)
    assert [a.gap_question.code for a in result.actions] == ["L1"]
    assert plan.objectives.count() == 2 and plan.actions.count() == 4
    assert list(
        plan.objectives.get(order=2).actions.order_by("order").values_list("gap_question__code", flat=True)
    ) == ["L3", "L1"]


def test_drafting_is_refused_for_another_countrys_assessment_a_submitted_plan_or_a_stranger(
    world, stand_in_gaps
):
    uz_assessment = assessment_of(world, world.uz, levels=LEVELS)
    kz_assessment = assessment_of(world, world.kz, levels=LEVELS)
    plan = plan_of(world, world.kz)
    error = refused(
        lambda: services.action_plan_draft_from_gaps(user=world.admin, plan=plan, assessment=uz_assessment),
        ValidationError,
    )
    assert "assessment" in error.message_dict
    refused(
        lambda: services.action_plan_draft_from_gaps(user=world.nfp_uz, plan=plan, assessment=kz_assessment)
    )
    submitted = plan_of(world, world.kz, status=PlanStatus.SUBMITTED, title="Submitted")
    refused(
        lambda: services.action_plan_draft_from_gaps(
            user=world.nfp_kz, plan=submitted, assessment=kz_assessment
        ),
        ValidationError,
    )
    assert not models.Action.objects.exists()


def test_an_unpublished_assessment_of_the_country_is_not_drafted_from_by_whom_may_not_see_it(
    world, stand_in_gaps
):
    # The secretariat reads its countries' drafts; a platform administrator reads everything. Here the
    # UZ focal point tries with a KZ assessment in draft on a UZ plan: another country, refused by field.
    draft = assessment_of(world, world.kz, status=AssessmentStatus.DRAFT, levels=LEVELS)
    plan = plan_of(world, world.uz)
    error = refused(
        lambda: services.action_plan_draft_from_gaps(user=world.nfp_uz, plan=plan, assessment=draft),
        ValidationError,
    )
    assert "assessment" in error.message_dict


def test_drafting_with_the_scoring_parts_own_gaps(world):
    """The same draft with the real ranking (cbrnet.assessments.selectors.scores.assessment_gaps)."""
    pytest.importorskip("cbrnet.assessments.selectors.scores").assessment_gaps  # noqa: B018
    assessment = assessment_of(world, world.kz, levels=LEVELS)
    plan = plan_of(world, world.kz)
    result = services.action_plan_draft_from_gaps(
        user=world.nfp_kz, plan=plan, assessment=assessment, cut_off=2.5
    )
    assert [a.gap_question.code for a in result.actions] == ["B1", "L3"]
    result = services.action_plan_draft_from_gaps(user=world.nfp_kz, plan=plan, assessment=assessment)
    assert sorted(a.gap_question.code for a in result.actions) == ["B2", "L1"]
    assert plan.objectives.count() == 2


# --- projects and progress ------------------------------------------------------------------------------


def project(w, code="P53"):
    with audit_actor(None, source="command"):
        found = Project.objects.get_or_create(
            network=w.coe, code=code, defaults={"title": f"Project {code}"}
        )[0]
        found.regions.set([w.ca])
    return found


def test_projects_are_linked_once_and_unlinked(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    action = plan.actions.get()
    p53 = project(world)
    services.action_link_project(user=world.team_kz, action=action, project=p53)
    assert list(action.projects.all()) == [p53]
    assert audit_entries_for(action, AuditEntry.Action.UPDATE).order_by("-pk").first().after == {
        "projects": [p53.pk]
    }
    error = refused(
        lambda: services.action_link_project(user=world.team_kz, action=action, project=p53), ValidationError
    )
    assert "project" in error.message_dict
    p87 = project(world, "P87")
    refused(lambda: services.action_link_project(user=world.nfp_uz, action=action, project=p87))
    services.action_unlink_project(user=world.nfp_kz, action=action, project=p53)
    assert not action.projects.exists()
    refused(
        lambda: services.action_unlink_project(user=world.nfp_kz, action=action, project=p53), ValidationError
    )


def test_actions_of_a_superseded_plan_are_not_linked(world):
    plan = full_plan(world, world.kz, status=PlanStatus.SUPERSEDED)
    action, p53 = plan.actions.get(), project(world)
    error = refused(
        lambda: services.action_link_project(user=world.admin, action=action, project=p53), ValidationError
    )
    assert "project" in error.message_dict


def test_the_latest_report_sets_the_actions_status(world):
    plan = full_plan(world, world.kz, status=PlanStatus.ADOPTED)
    action = plan.actions.get()
    first = services.progress_report_add(
        user=world.team_kz,
        data={
            "action": action,
            "date": datetime.date(2025, 5, 1),
            "status": "in_progress",
            "percent_complete": 20,
            "narrative": "Started",
        },
    )
    services.progress_report_add(
        user=world.team_kz,
        data={
            "action": action,
            "date": datetime.date(2025, 3, 1),
            "status": "planned",
            "percent_complete": 0,
            "narrative": "An older report entered late",
        },
    )
    action.refresh_from_db()
    assert action.status == "in_progress" and first.author == world.team_kz
    latest = services.progress_report_add(
        user=world.nfp_kz,
        data={
            "action": action,
            "date": datetime.date(2025, 9, 1),
            "status": "completed",
            "percent_complete": 100,
            "narrative": "Done",
        },
    )
    action.refresh_from_db()
    assert action.status == "completed"
    services.progress_report_delete(user=world.nfp_kz, report=latest)
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_reports_dated_in_the_future_are_refused(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    error = refused(
        lambda: services.progress_report_add(
            user=world.nfp_kz,
            data={
                "action": plan.actions.get(),
                "date": timezone.localdate() + datetime.timedelta(days=2),
                "status": "in_progress",
                "percent_complete": 10,
                "narrative": "Soon",
            },
        ),
        ValidationError,
    )
    assert "date" in error.message_dict


def test_progress_reports_follow_the_plans_rights(world):
    plan = full_plan(world, world.kz, status=PlanStatus.APPROVED)
    report = report_of(plan.actions.get())
    refused(
        lambda: services.progress_report_update(
            user=world.nfp_uz, report=report, data={"percent_complete": 50}
        )
    )
    updated = services.progress_report_update(user=world.sec_ca, report=report, data={"percent_complete": 50})
    assert updated.percent_complete == 50


def test_an_action_moves_only_within_its_plan(world):
    plan = plan_of(world, world.kz)
    action = action_of(objective_of(plan))
    other_objective = objective_of(plan_of(world, world.kz, title="Other"), title="Elsewhere")
    error = refused(
        lambda: services.action_update(user=world.nfp_kz, action=action, data={"objective": other_objective}),
        ValidationError,
    )
    assert "objective" in error.message_dict
    second = objective_of(plan, title="Second objective", order=2)
    moved = services.action_update(user=world.nfp_kz, action=action, data={"objective": second})
    assert moved.objective == second and moved.plan == plan
