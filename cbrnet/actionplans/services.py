"""Every write of National Action Plans: the plan and its parts (objectives, actions, indicators,
progress reports), the workflow (submit → approve → adopt, or return to draft), drafting a plan from
an assessment's ranked gaps, and linking actions to projects.

Each service takes the acting user, checks the access engine (CountryCyclePolicy on the plan; its
parts follow the plan), runs in one transaction, calls full_clean() and is audited through BaseModel.
Refused input raises ValidationError naming the field; a refused action raises PermissionDenied;
either way nothing is written. The rules are listed in docs/actionplans.md.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cbrnet import access
from cbrnet.actionplans.choices import (
    CONTENT_EDITABLE,
    IMPLEMENTATION,
    PLAN_STEPS,
    ActionStatus,
    PlanStatus,
)
from cbrnet.actionplans.models import Action, ActionPlan, Indicator, Objective, ProgressReport
from cbrnet.actionplans.selectors import eligible_lead_agencies
from cbrnet.projects.models import Project, encode_domains
from cbrnet.registry.models import Membership, Organisation

PLAN_FIELDS = ("country", "network", "assessment", "title", "summary", "start_year", "end_year")
OBJECTIVE_FIELDS = ("plan", "order", "title", "description", "thematic_area", "domains")
ACTION_FIELDS = (
    "objective",
    "order",
    "title",
    "description",
    "lead_agency",
    "partners",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "status",
    "gap_question",
)
INDICATOR_FIELDS = ("action", "name", "unit", "baseline", "target", "current")
REPORT_FIELDS = ("action", "date", "status", "percent_complete", "narrative", "evidence")
# What may still change once the plan is approved or adopted (its implementation is recorded).
ACTION_TRACKING_FIELDS = ("status",)
INDICATOR_TRACKING_FIELDS = ("current",)
NOTE_MAX = 2000


# --- who may take which step ------------------------------------------------------------------------


def may_submit(*, user, plan: ActionPlan) -> bool:
    """The plan's country's National Focal Point (and platform administrators) submit it."""
    context = access.user_context(user)
    return context.active and (context.platform_admin or plan.country_id in context.focal_point_country_ids)


def may_review(*, user, plan: ActionPlan) -> bool:
    """The secretariat of the plan's region (the region of the plan's network the country belongs
    to) and platform administrators approve a plan or send it back."""
    context = access.user_context(user)
    if not context.active:
        return False
    if context.platform_admin:
        return True
    if not context.secretariat_region_ids or plan.country_id not in context.secretariat_country_ids:
        return False
    return (
        Membership.objects.current()
        .filter(
            country_id=plan.country_id,
            network_id=plan.network_id,
            region_id__in=list(context.secretariat_region_ids),
        )
        .exists()
    )


def may_adopt(*, user, plan: ActionPlan) -> bool:
    """Adoption is recorded by the focal point or the reviewers (the act itself is the government's)."""
    return may_submit(user=user, plan=plan) or may_review(user=user, plan=plan)


def may_return(*, user, plan: ActionPlan) -> bool:
    """Reviewers send a submitted or approved plan back; the focal point may withdraw a submitted one."""
    if may_review(user=user, plan=plan):
        return True
    return plan.status == PlanStatus.SUBMITTED and may_submit(user=user, plan=plan)


def allowed_steps(*, user, plan: ActionPlan) -> list[str]:
    """The workflow steps `user` may take on `plan` now: names of the step services
    ("submit", "approve", "adopt", "return")."""
    if not access.can(user, "change", plan):
        return []
    steps = []
    following = PLAN_STEPS.get(PlanStatus(plan.status), ())
    if PlanStatus.SUBMITTED in following and may_submit(user=user, plan=plan):
        steps.append("submit")
    if plan.status == PlanStatus.SUBMITTED and may_review(user=user, plan=plan):
        steps.append("approve")
    if plan.status == PlanStatus.APPROVED and may_adopt(user=user, plan=plan):
        steps.append("adopt")
    if PlanStatus.DRAFT in following and may_return(user=user, plan=plan):
        steps.append("return")
    return steps


# --- helpers ------------------------------------------------------------------------------------------


def _apply(instance, data: Mapping[str, Any], allowed: tuple[str, ...]) -> dict[str, Any]:
    """Set the plain fields of `data` on `instance`; return the many-to-many values apart."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"unexpected fields: {', '.join(sorted(unknown))}")
    m2m = {}
    names = {f.name for f in instance._meta.many_to_many}
    for name, value in data.items():
        if name in names:
            m2m[name] = list(value or [])
        else:
            setattr(instance, name, value)
    return m2m


def _changed(instance, stored, names) -> list[str]:
    """The fields among `names` whose value differs (foreign keys compared by id, not fetched)."""
    changed = []
    for name in names:
        attname = instance._meta.get_field(name).attname
        if getattr(instance, attname) != getattr(stored, attname):
            changed.append(name)
    return changed


def _locked_plan(plan_id: int) -> ActionPlan:
    # Two users moving the same plan at once: the row lock makes the second see the first's step.
    return ActionPlan.objects.select_for_update().get(pk=plan_id)


def _require_change(user, plan: ActionPlan) -> None:
    if not access.can(user, "change", plan):
        raise PermissionDenied(_("You may not change this action plan."))


def _require_content_editable(plan: ActionPlan, field_name: str = "plan") -> None:
    if plan.status not in CONTENT_EDITABLE:
        raise ValidationError(
            {
                field_name: _(
                    "The plan is %(status)s: its content changes only while it is in preparation (return it to draft first)."
                )
                % {"status": plan.get_status_display().lower()}
            }
        )


def _save(user, instance, action: str) -> None:
    instance.full_clean()
    instance.save()
    access.ensure_in_scope(user, instance, action)


def _check_partners(user, partners: list, current_ids=()) -> list:
    """Partners are organisations the user may see; partners already recorded that the user cannot
    see are kept (the user could not have chosen to remove them)."""

    def visible(ids) -> set[int]:
        if not ids:
            return set()
        return set(
            access.restrict(Organisation.objects.filter(pk__in=list(ids)), user).values_list("pk", flat=True)
        )

    chosen = {getattr(item, "pk", item) for item in partners}
    if chosen - visible(chosen):
        raise ValidationError({"partners": _("Choose partner organisations you may see.")})
    current = set(current_ids)
    return sorted(chosen | (current - visible(current)))


def _check_lead_agency(action: Action, plan: ActionPlan) -> None:
    if (
        action.lead_agency_id
        and not eligible_lead_agencies(plan.country_id).filter(pk=action.lead_agency_id).exists()
    ):
        raise ValidationError(
            {
                "lead_agency": _(
                    "The lead agency must be an active organisation of %(country)s represented in its national team "
                    "(or its focal point's office)."
                )
                % {"country": plan.country}
            }
        )


def _check_gap_question(action: Action, plan: ActionPlan) -> None:
    if not action.gap_question_id:
        return
    if not plan.assessment_id:
        raise ValidationError(
            {"gap_question": _("The plan names no assessment whose gaps its actions close.")}
        )
    if action.gap_question.version_id != plan.assessment.version_id:
        raise ValidationError({"gap_question": _("Choose a question of the plan's assessment.")})


def _delete_files_on_commit(names: list[str]) -> None:
    storage = ProgressReport._meta.get_field("evidence").storage
    for name in names:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))


# --- the plan ------------------------------------------------------------------------------------------


@transaction.atomic
def action_plan_create(*, user, data: Mapping[str, Any]) -> ActionPlan:
    """A new plan (in preparation) of a country, by its focal point, the secretariat of its region or
    a platform administrator. The country must be a current member of the plan's network."""
    if not access.may_add(user, ActionPlan):
        raise PermissionDenied(
            _("Focal points, secretariats and platform administrators create action plans.")
        )
    plan = ActionPlan(status=PlanStatus.DRAFT)
    _apply(plan, data, PLAN_FIELDS)
    _check_membership(plan)
    _save(user, plan, "add")
    return plan


def _check_membership(plan: ActionPlan) -> None:
    if (
        plan.country_id
        and plan.network_id
        and not Membership.objects.current()
        .filter(country_id=plan.country_id, network_id=plan.network_id)
        .exists()
    ):
        raise ValidationError(
            {"network": _("%(country)s is not a member of this network.") % {"country": plan.country}}
        )


@transaction.atomic
def action_plan_update(*, user, plan: ActionPlan, data: Mapping[str, Any]) -> ActionPlan:
    """Change a plan's facts while it is in preparation; its country and network stay."""
    _require_change(user, plan)
    stored = _locked_plan(plan.pk)
    _require_content_editable(stored)
    data = dict(data)
    for fixed in ("country", "network"):
        value = data.pop(fixed, None)
        if value is not None and getattr(value, "pk", value) != getattr(stored, f"{fixed}_id"):
            raise ValidationError(
                {fixed: _("A plan's country and network do not change; create another plan.")}
            )
    if (
        "assessment" in data
        and data["assessment"] is not None
        and stored.actions.filter(gap_question__isnull=False)
        .exclude(gap_question__version_id=data["assessment"].version_id)
        .exists()
    ):
        raise ValidationError(
            {"assessment": _("Actions of this plan close gaps of another questionnaire version.")}
        )
    _apply(stored, data, PLAN_FIELDS)
    _save(user, stored, "change")
    return stored


@transaction.atomic
def action_plan_delete(*, user, plan: ActionPlan) -> None:
    """Delete a plan in preparation (its focal point or a platform administrator), with its parts."""
    if not access.can(user, "delete", plan):
        raise PermissionDenied(_("Only the focal point deletes an action plan, while it is in preparation."))
    stored = _locked_plan(plan.pk)
    if stored.status != PlanStatus.DRAFT:
        raise ValidationError({"status": _("Only a plan in preparation can be deleted.")})
    files = list(
        ProgressReport.objects.filter(action__plan=stored)
        .exclude(evidence="")
        .values_list("evidence", flat=True)
    )
    stored.delete()
    _delete_files_on_commit(files)


# --- the workflow --------------------------------------------------------------------------------------


def _step(user, plan: ActionPlan, target: PlanStatus, allowed, refusal: str) -> ActionPlan:
    if not access.can(user, "view", plan):
        raise PermissionDenied(_("You may not see this action plan."))
    stored = _locked_plan(plan.pk)
    if not (access.can(user, "change", stored) and allowed(user=user, plan=stored)):
        raise PermissionDenied(refusal)
    current = PlanStatus(stored.status)
    if target not in PLAN_STEPS.get(current, ()):
        raise ValidationError(
            {
                "status": _("A plan that is %(current)s cannot become %(target)s.")
                % {"current": current.label.lower(), "target": target.label.lower()}
            }
        )
    return stored


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}})
    return note


@transaction.atomic
def action_plan_submit(*, user, plan: ActionPlan, note: str = "") -> ActionPlan:
    """The focal point submits the plan for approval. Every action needs a lead agency."""
    stored = _step(
        user,
        plan,
        PlanStatus.SUBMITTED,
        may_submit,
        _("The country's National Focal Point submits its plan."),
    )
    actions = stored.actions.all()
    if not actions.exists():
        raise ValidationError({"actions": _("Add at least one action before submitting the plan.")})
    without_lead = actions.filter(lead_agency__isnull=True).count()
    if without_lead:
        raise ValidationError(
            {
                "lead_agency": _(
                    "%(count)s action(s) have no lead agency: give each action its lead agency before submitting."
                )
                % {"count": without_lead}
            }
        )
    stored.status = PlanStatus.SUBMITTED
    stored.status_note = _note(note)
    stored.submitted_at = timezone.now()
    _save(user, stored, "change")
    return stored


@transaction.atomic
def action_plan_approve(*, user, plan: ActionPlan, note: str = "") -> ActionPlan:
    """The region's secretariat (or a platform administrator) approves a submitted plan: from now on
    the plan counts as "developed" and is shared with the network."""
    stored = _step(
        user, plan, PlanStatus.APPROVED, may_review, _("The secretariat of the plan's region approves it.")
    )
    stored.status = PlanStatus.APPROVED
    stored.status_note = _note(note)
    stored.approved_at = timezone.now()
    stored.approved_by = user
    _save(user, stored, "change")
    return stored


@transaction.atomic
def action_plan_adopt(
    *, user, plan: ActionPlan, adopted_on: datetime.date, adoption_reference: str, note: str = ""
) -> ActionPlan:
    """Record the government's adoption of an approved plan: the date and reference of the act. An
    earlier adopted plan of the same country and network is superseded by it."""
    stored = _step(
        user,
        plan,
        PlanStatus.ADOPTED,
        may_adopt,
        _("The focal point or the region's secretariat records the adoption."),
    )
    reference = (adoption_reference or "").strip()
    errors = {}
    if not reference:
        errors["adoption_reference"] = _("Give the reference of the act that adopted the plan.")
    elif len(reference) > 250:
        errors["adoption_reference"] = _("Keep the reference under 250 characters.")
    if adopted_on is None:
        errors["adopted_on"] = _("Give the date of adoption.")
    elif adopted_on > timezone.localdate():
        errors["adopted_on"] = _("The adoption date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    stored.status = PlanStatus.ADOPTED
    stored.status_note = _note(note)
    stored.adopted_on = adopted_on
    stored.adoption_reference = reference
    _save(user, stored, "change")
    earlier = (
        ActionPlan.objects.select_for_update()
        .filter(country_id=stored.country_id, network_id=stored.network_id, status=PlanStatus.ADOPTED)
        .exclude(pk=stored.pk)
    )
    for old in earlier:
        old.status = PlanStatus.SUPERSEDED
        old.status_note = _("Superseded by “%(plan)s”, adopted on %(date)s.") % {
            "plan": stored.title,
            "date": adopted_on.isoformat(),
        }
        _save(user, old, "change")
    return stored


@transaction.atomic
def action_plan_return(*, user, plan: ActionPlan, note: str) -> ActionPlan:
    """Send a submitted or approved plan back to preparation, saying why (the note is required)."""
    stored = _step(
        user,
        plan,
        PlanStatus.DRAFT,
        may_return,
        _("The secretariat of the plan's region sends it back (the focal point may withdraw a submission)."),
    )
    text = _note(note)
    if not text:
        raise ValidationError({"note": _("Say why the plan goes back to preparation.")})
    stored.status = PlanStatus.DRAFT
    stored.status_note = text
    stored.submitted_at = None
    stored.approved_at = None
    stored.approved_by = None
    _save(user, stored, "change")
    return stored


# --- drafting from gaps --------------------------------------------------------------------------------


@dataclass
class DraftResult:
    """What drafting from gaps added to a plan."""

    plan: ActionPlan
    objectives: list[Objective] = field(default_factory=list)  # created
    actions: list[Action] = field(default_factory=list)  # created, in rank order
    gaps: int = 0  # gaps the assessment showed
    below_cut_off: int = 0
    already_addressed: int = 0
    over_limit: int = 0


def ranked_gaps(*, user, assessment) -> list:
    """The assessment's gaps, best-ranked first (the scoring part: assessment_gaps)."""
    from cbrnet.assessments.selectors.scores import assessment_gaps

    return list(assessment_gaps(user=user, assessment=assessment))


def _is_gap(gap) -> bool:
    return gap.current_level is None or gap.current_level < gap.target_level


@transaction.atomic
def action_plan_draft_from_gaps(
    *, user, plan: ActionPlan, assessment, cut_off: float = 0.0, limit: int | None = None
) -> DraftResult:
    """Draft a plan in preparation from an assessment of its country: one objective per thematic area
    with gaps (an objective of that area already in the plan is reused), one action per gap whose
    ranking score is above `cut_off` (at most `limit`, best first), its gap question set, in rank
    order. Gaps the plan already addresses are skipped, so drafting again adds only what is new.
    The plan then names the assessment. The team edits the draft afterwards (lead agencies, dates…)."""
    _require_change(user, plan)
    stored = _locked_plan(plan.pk)
    _require_content_editable(stored)
    if (
        assessment is None
        or not access.can(user, "view", assessment)
        or assessment.country_id != stored.country_id
    ):
        raise ValidationError(
            {
                "assessment": _("Choose an assessment of %(country)s that you may see.")
                % {"country": stored.country}
            }
        )
    if (
        stored.assessment_id
        and stored.assessment_id != assessment.pk
        and stored.actions.filter(gap_question__isnull=False)
        .exclude(gap_question__version_id=assessment.version_id)
        .exists()
    ):
        raise ValidationError(
            {
                "assessment": _(
                    "This plan was drafted from another questionnaire version's gaps; start another plan for this assessment."
                )
            }
        )
    if limit is not None and limit < 1:
        raise ValidationError({"limit": _("Draft at least one action.")})
    cut_off = float(cut_off or 0)
    gaps = [gap for gap in ranked_gaps(user=user, assessment=assessment) if _is_gap(gap)]
    result = DraftResult(plan=stored, gaps=len(gaps))
    above = [gap for gap in gaps if gap.rank_score > cut_off]
    result.below_cut_off = len(gaps) - len(above)
    above.sort(key=lambda gap: -gap.rank_score)  # stable: ties keep the scoring part's order
    addressed = set(stored.actions.exclude(gap_question=None).values_list("gap_question_id", flat=True))
    fresh = [gap for gap in above if gap.question.pk not in addressed]
    result.already_addressed = len(above) - len(fresh)
    if limit is not None and len(fresh) > limit:
        result.over_limit = len(fresh) - limit
        fresh = fresh[:limit]
    if stored.assessment_id != assessment.pk:
        stored.assessment = assessment
        _save(user, stored, "change")
    objectives = {obj.thematic_area_id: obj for obj in stored.objectives.exclude(thematic_area=None)}
    next_order = max(stored.objectives.values_list("order", flat=True), default=0) + 1
    by_area: dict[int, list] = {}
    for gap in fresh:
        by_area.setdefault(gap.thematic_area.pk, []).append(gap)
    for area_id, area_gaps in by_area.items():  # in the rank order of each area's best gap
        area = area_gaps[0].thematic_area
        objective = objectives.get(area_id)
        if objective is None:
            objective = Objective(
                plan=stored,
                order=next_order,
                thematic_area=area,
                title=_("Strengthen %(area)s") % {"area": area.name},
                domains=encode_domains("".join(gap.domains or "" for gap in area_gaps)),
                description=_("Drafted from the gaps of “%(assessment)s” in this thematic area.")
                % {"assessment": assessment},
            )
            _save(user, objective, "add")
            next_order += 1
            result.objectives.append(objective)
        order = max(objective.actions.values_list("order", flat=True), default=0) + 1
        for gap in area_gaps:
            action = Action(
                plan=stored,
                objective=objective,
                order=order,
                gap_question=gap.question,
                title=_gap_title(gap),
                description=_gap_description(gap, assessment),
                status=ActionStatus.PLANNED,
            )
            _save(user, action, "add")
            order += 1
            result.actions.append(action)
    result.actions.sort(key=lambda action: -_rank_of(fresh, action))
    return result


def _rank_of(gaps, action) -> float:
    return next(gap.rank_score for gap in gaps if gap.question.pk == action.gap_question_id)


def _gap_title(gap) -> str:
    text = " ".join(str(gap.question.text).split())
    title = f"{gap.question.code}: {text}"
    return title if len(title) <= 300 else title[:299] + "…"


def _gap_description(gap, assessment) -> str:
    current = _("unanswered") if gap.current_level is None else str(gap.current_level)
    text = _(
        "Gap found by the assessment “%(assessment)s”: question %(code)s is at level %(current)s, the target is "
        "level %(target)s (weight %(weight)s)."
    ) % {
        "assessment": assessment,
        "code": gap.question.code,
        "current": current,
        "target": gap.target_level,
        "weight": f"{float(gap.weight):g}",
    }
    if gap.regional_priority:
        text += " " + _("The area is a regional priority.")
    return text + " " + _("Say here what will be done to close it.")


# --- objectives ---------------------------------------------------------------------------------------


@transaction.atomic
def objective_create(*, user, data: Mapping[str, Any]) -> Objective:
    """Add an objective to a plan in preparation."""
    objective = Objective()
    _apply(objective, data, OBJECTIVE_FIELDS)
    plan = objective.plan if objective.plan_id else None
    if plan is None:
        raise ValidationError({"plan": _("Choose the action plan.")})
    _require_change(user, plan)
    _require_content_editable(_locked_plan(plan.pk))
    _save(user, objective, "add")
    return objective


@transaction.atomic
def objective_update(*, user, objective: Objective, data: Mapping[str, Any]) -> Objective:
    """Change an objective of a plan in preparation (it stays in its plan)."""
    _require_change(user, objective.plan)
    plan = _locked_plan(objective.plan_id)
    _require_content_editable(plan)
    data = dict(data)
    moved = data.pop("plan", None)
    if moved is not None and getattr(moved, "pk", moved) != objective.plan_id:
        raise ValidationError({"plan": _("An objective stays in its plan.")})
    stored = Objective.objects.get(pk=objective.pk)
    _apply(stored, data, OBJECTIVE_FIELDS)
    _save(user, stored, "change")
    return stored


@transaction.atomic
def objective_delete(*, user, objective: Objective) -> None:
    """Delete an objective of a plan in preparation, with its actions."""
    _require_change(user, objective.plan)
    _require_content_editable(_locked_plan(objective.plan_id))
    files = list(
        ProgressReport.objects.filter(action__objective=objective)
        .exclude(evidence="")
        .values_list("evidence", flat=True)
    )
    Objective.objects.get(pk=objective.pk).delete()
    _delete_files_on_commit(files)


# --- actions -------------------------------------------------------------------------------------------


@transaction.atomic
def action_create(*, user, data: Mapping[str, Any]) -> Action:
    """Add an action under an objective of a plan in preparation. Its lead agency is an organisation
    of the plan's country represented in the national team; partners are organisations the user may
    see; its gap question is one of the plan's assessment."""
    action = Action()
    m2m = _apply(action, data, ACTION_FIELDS)
    if not action.objective_id:
        raise ValidationError({"objective": _("Choose the objective the action serves.")})
    plan = action.objective.plan
    _require_change(user, plan)
    plan = _locked_plan(plan.pk)
    _require_content_editable(plan, "objective")
    action.plan = plan
    _check_lead_agency(action, plan)
    _check_gap_question(action, plan)
    partners = _check_partners(user, m2m.get("partners", []))
    _save(user, action, "add")
    if partners:
        action.partners.set(partners)
    return action


@transaction.atomic
def action_update(*, user, action: Action, data: Mapping[str, Any]) -> Action:
    """Change an action. While the plan is in preparation anything may change (the objective within
    the same plan); once it is approved or adopted only the status (implementation is tracked)."""
    _require_change(user, action.plan)
    plan = _locked_plan(action.plan_id)
    stored = Action.objects.get(pk=action.pk)
    before = Action.objects.get(pk=action.pk)
    m2m = _apply(stored, data, ACTION_FIELDS)
    if stored.objective_id != before.objective_id and stored.objective.plan_id != plan.pk:
        raise ValidationError({"objective": _("Choose an objective of the same plan.")})
    current_partners = list(before.partners.values_list("pk", flat=True))
    if plan.status not in CONTENT_EDITABLE:
        changed = _changed(stored, before, [name for name in ACTION_FIELDS if name not in ("partners",)])
        if "partners" in m2m and sorted(getattr(p, "pk", p) for p in m2m["partners"]) != sorted(
            current_partners
        ):
            changed.append("partners")
        frozen = [name for name in changed if name not in ACTION_TRACKING_FIELDS]
        if plan.status not in IMPLEMENTATION:
            frozen = changed
        if frozen:
            raise ValidationError(
                {
                    name: _(
                        "The plan is %(status)s: only the action's status changes now (return the plan to draft to "
                        "change its content)."
                    )
                    % {"status": plan.get_status_display().lower()}
                    for name in frozen
                }
            )
    if stored.lead_agency_id != before.lead_agency_id:
        _check_lead_agency(stored, plan)
    if stored.gap_question_id != before.gap_question_id:
        _check_gap_question(stored, plan)
    _save(user, stored, "change")
    if "partners" in m2m:
        partners = _check_partners(user, m2m["partners"], current_partners)
        if sorted(partners) != sorted(current_partners):
            stored.partners.set(partners)
    return stored


@transaction.atomic
def action_delete(*, user, action: Action) -> None:
    """Delete an action of a plan in preparation, with its indicators and reports."""
    _require_change(user, action.plan)
    _require_content_editable(_locked_plan(action.plan_id))
    files = list(
        ProgressReport.objects.filter(action=action).exclude(evidence="").values_list("evidence", flat=True)
    )
    Action.objects.get(pk=action.pk).delete()
    _delete_files_on_commit(files)


@transaction.atomic
def action_link_project(*, user, action: Action, project: Project) -> Action:
    """Record that `project` carries out `action` (any plan but a superseded one). Only projects the
    user may see can be linked."""
    stored = _for_links(user, action, project)
    if stored.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("This project is already linked to the action.")})
    stored.projects.add(project)
    return stored


@transaction.atomic
def action_unlink_project(*, user, action: Action, project: Project) -> Action:
    """Remove the link between `action` and `project` (a project the user may see)."""
    stored = _for_links(user, action, project)
    if not stored.projects.filter(pk=project.pk).exists():
        raise ValidationError({"project": _("This project is not linked to the action.")})
    stored.projects.remove(project)
    return stored


def _for_links(user, action: Action, project: Project) -> Action:
    _require_change(user, action.plan)
    plan = _locked_plan(action.plan_id)
    if plan.status == PlanStatus.SUPERSEDED:
        raise ValidationError(
            {"project": _("The plan is superseded: its actions are no longer linked to projects.")}
        )
    if project is None or not access.can(user, "view", project):
        raise ValidationError({"project": _("No such project, or you may not see it.")})
    return Action.objects.get(pk=action.pk)


# --- indicators ----------------------------------------------------------------------------------------


@transaction.atomic
def indicator_create(*, user, data: Mapping[str, Any]) -> Indicator:
    """Add an indicator to an action of a plan in preparation."""
    indicator = Indicator()
    _apply(indicator, data, INDICATOR_FIELDS)
    if not indicator.action_id:
        raise ValidationError({"action": _("Choose the action the indicator measures.")})
    _require_change(user, indicator.action.plan)
    _require_content_editable(_locked_plan(indicator.action.plan_id), "action")
    _save(user, indicator, "add")
    return indicator


@transaction.atomic
def indicator_update(*, user, indicator: Indicator, data: Mapping[str, Any]) -> Indicator:
    """Change an indicator: anything while the plan is in preparation, the current value once it is
    approved or adopted."""
    plan = indicator.action.plan
    _require_change(user, plan)
    plan = _locked_plan(plan.pk)
    stored = Indicator.objects.get(pk=indicator.pk)
    before = Indicator.objects.get(pk=indicator.pk)
    data = dict(data)
    moved = data.pop("action", None)
    if moved is not None and getattr(moved, "pk", moved) != before.action_id:
        raise ValidationError({"action": _("An indicator stays with its action.")})
    _apply(stored, data, INDICATOR_FIELDS)
    if plan.status not in CONTENT_EDITABLE:
        changed = _changed(stored, before, INDICATOR_FIELDS)
        allowed = INDICATOR_TRACKING_FIELDS if plan.status in IMPLEMENTATION else ()
        frozen = [name for name in changed if name not in allowed]
        if frozen:
            raise ValidationError(
                {
                    name: _("The plan is %(status)s: only the indicator's current value changes now.")
                    % {"status": plan.get_status_display().lower()}
                    for name in frozen
                }
            )
    _save(user, stored, "change")
    return stored


@transaction.atomic
def indicator_delete(*, user, indicator: Indicator) -> None:
    """Delete an indicator of a plan in preparation."""
    _require_change(user, indicator.action.plan)
    _require_content_editable(_locked_plan(indicator.action.plan_id))
    Indicator.objects.get(pk=indicator.pk).delete()


# --- progress reports ----------------------------------------------------------------------------------


def _check_report(report: ProgressReport, plan: ActionPlan) -> None:
    if plan.status not in IMPLEMENTATION:
        raise ValidationError(
            {"action": _("Progress is reported on actions of an approved or adopted plan.")}
        )
    errors = {}
    if report.date and report.date > timezone.localdate():
        errors["date"] = _("A report cannot be dated in the future.")
    if report.status == ActionStatus.COMPLETED and report.percent_complete not in (None, 100):
        # xgettext:no-python-format
        errors["percent_complete"] = _("A completed action is 100% complete.")
    if errors:
        raise ValidationError(errors)


def _sync_action_status(user, action_id: int) -> None:
    """The action's status is the status of its latest report (by date, then by entry)."""
    latest = ProgressReport.objects.filter(action_id=action_id).order_by("-date", "-pk").first()
    if latest is None:
        return
    action = Action.objects.get(pk=action_id)
    if action.status != latest.status:
        action.status = latest.status
        _save(user, action, "change")


@transaction.atomic
def progress_report_add(*, user, data: Mapping[str, Any]) -> ProgressReport:
    """Report an action's progress (percentage, status, narrative, evidence file) on an approved or
    adopted plan; the latest report's status becomes the action's status."""
    report = ProgressReport()
    _apply(report, data, REPORT_FIELDS)
    if not report.action_id:
        raise ValidationError({"action": _("Choose the action the report is about.")})
    _require_change(user, report.action.plan)
    _check_report(report, _locked_plan(report.action.plan_id))
    report.author = user
    _save(user, report, "add")
    _sync_action_status(user, report.action_id)
    return report


@transaction.atomic
def progress_report_update(*, user, report: ProgressReport, data: Mapping[str, Any]) -> ProgressReport:
    """Correct a progress report (a new evidence file replaces the old one)."""
    _require_change(user, report.action.plan)
    plan = _locked_plan(report.action.plan_id)
    stored = ProgressReport.objects.get(pk=report.pk)
    old_file = stored.evidence.name if stored.evidence else ""
    data = dict(data)
    moved = data.pop("action", None)
    if moved is not None and getattr(moved, "pk", moved) != stored.action_id:
        raise ValidationError({"action": _("A report stays with its action.")})
    _apply(stored, data, REPORT_FIELDS)
    _check_report(stored, plan)
    _save(user, stored, "change")
    _sync_action_status(user, stored.action_id)
    if old_file and old_file != (stored.evidence.name if stored.evidence else ""):
        _delete_files_on_commit([old_file])
    return stored


@transaction.atomic
def progress_report_delete(*, user, report: ProgressReport) -> None:
    """Delete a progress report of an approved or adopted plan (its evidence file goes with it)."""
    _require_change(user, report.action.plan)
    plan = _locked_plan(report.action.plan_id)
    if plan.status not in IMPLEMENTATION:
        raise ValidationError(
            {"action": _("Progress reports of a plan that is not being carried out stay as they are.")}
        )
    stored = ProgressReport.objects.get(pk=report.pk)
    files = [stored.evidence.name] if stored.evidence else []
    action_id = stored.action_id
    stored.delete()
    _sync_action_status(user, action_id)
    _delete_files_on_commit(files)
