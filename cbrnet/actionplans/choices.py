from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("In preparation")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved (developed)")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


# approval: the national team's NAP submitted by the NFP is approved after the secretariat's review;
# adoption: the government adopted it (date and reference of the act recorded).
PLAN_STEPS = {
    PlanStatus.DRAFT: (PlanStatus.SUBMITTED,),
    PlanStatus.SUBMITTED: (PlanStatus.APPROVED, PlanStatus.DRAFT),
    PlanStatus.APPROVED: (PlanStatus.ADOPTED, PlanStatus.DRAFT),
    PlanStatus.ADOPTED: (PlanStatus.SUPERSEDED,),
    PlanStatus.SUPERSEDED: (),
}
IN_PREPARATION = (PlanStatus.DRAFT, PlanStatus.SUBMITTED)
DEVELOPED = (PlanStatus.APPROVED, PlanStatus.ADOPTED, PlanStatus.SUPERSEDED)
# Shared with the network (visible beyond the country, its secretariat and administrators).
SHARED_STATUSES = (PlanStatus.APPROVED, PlanStatus.ADOPTED, PlanStatus.SUPERSEDED)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DELAYED = "delayed", _("Delayed")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class MethodologyStage(models.IntegerChoices):
    """Where a partner country stands in the CoE methodology, derived from its records
    (cbrnet.actionplans.selectors.methodology_stages), never set by hand."""

    NONE = 0, _("Not started")
    NFP_APPOINTED = 1, _("National Focal Point appointed")
    TEAM_ESTABLISHED = 2, _("National team established")
    NAQ_COMPLETED = 3, _("Needs assessment completed")
    NAP_IN_PREPARATION = 4, _("National Action Plan in preparation")
    NAP_DEVELOPED = 5, _("National Action Plan developed")
    NAP_ADOPTED = 6, _("National Action Plan adopted")


# While in preparation the plan's content (objectives, actions, indicators) is written and rewritten.
CONTENT_EDITABLE = (PlanStatus.DRAFT,)
# Once approved or adopted the plan is carried out: progress reports, action statuses, indicators'
# current values and project links are recorded; its content changes only after a return to draft.
IMPLEMENTATION = (PlanStatus.APPROVED, PlanStatus.ADOPTED)
# Actions still to be carried out (not completed, not cancelled).
OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DELAYED)
