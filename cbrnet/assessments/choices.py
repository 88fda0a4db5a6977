from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class AnswerType(models.TextChoices):
    LEVEL = "level", _("Capability level (1–5)")
    YES_PARTLY_NO = "yes_partly_no", _("Yes / partly / no")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TEXT = "text", _("Free text")
    EVIDENCE = "evidence", _("Evidence files")


# Answer types that count towards scores (docs/scoring.md); the others inform but are not scored.
SCORED_TYPES = (AnswerType.LEVEL, AnswerType.YES_PARTLY_NO)


class YesPartlyNo(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VALIDATED = "validated", _("Validated")
    PUBLISHED = "published", _("Published")


# The workflow: the steps `assessment_<step>` services allow from each status ("return" sends a
# submitted or validated assessment back to the country with a note).
ASSESSMENT_STEPS = {
    AssessmentStatus.DRAFT: (AssessmentStatus.SUBMITTED,),
    AssessmentStatus.SUBMITTED: (AssessmentStatus.VALIDATED, AssessmentStatus.DRAFT),
    AssessmentStatus.VALIDATED: (AssessmentStatus.PUBLISHED, AssessmentStatus.DRAFT),
    AssessmentStatus.PUBLISHED: (),
}
# The statuses at which an assessment counts as completed (methodology stage "NAQ completed").
COMPLETED_STATUSES = (AssessmentStatus.VALIDATED, AssessmentStatus.PUBLISHED)
