from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    IDEA = "idea", _("Project idea")
    PROPOSAL = "proposal", _("Proposal")
    APPROVED = "approved", _("Approved")
    ONGOING = "ongoing", _("Ongoing")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Not taken forward")
    UNKNOWN = "unknown", _("Unknown")


# The pipeline from idea to closure: the steps `project_advance` allows from each status. "unknown"
# is the status of a record whose stage the sources do not give; it may be set to any stage once known.
PIPELINE = {
    ProjectStatus.IDEA: (ProjectStatus.PROPOSAL, ProjectStatus.REJECTED),
    ProjectStatus.PROPOSAL: (ProjectStatus.APPROVED, ProjectStatus.REJECTED, ProjectStatus.IDEA),
    ProjectStatus.APPROVED: (ProjectStatus.ONGOING, ProjectStatus.REJECTED),
    ProjectStatus.ONGOING: (ProjectStatus.CLOSED,),
    ProjectStatus.CLOSED: (),
    ProjectStatus.REJECTED: (ProjectStatus.IDEA,),
    ProjectStatus.UNKNOWN: (
        ProjectStatus.IDEA, ProjectStatus.PROPOSAL, ProjectStatus.APPROVED, ProjectStatus.ONGOING,
        ProjectStatus.CLOSED,
    ),
}
# Stages at which a project covers the priorities it serves ("active"); the uncovered view uses them.
ACTIVE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.ONGOING)
# Stages before approval: shown beside an uncovered priority as "in the pipeline".
PIPELINE_STATUSES = (ProjectStatus.IDEA, ProjectStatus.PROPOSAL)
# From approval on, a project has the code the network knows it by.
NEEDS_CODE = (ProjectStatus.APPROVED, ProjectStatus.ONGOING, ProjectStatus.CLOSED)


class ProjectOrigin(models.TextChoices):
    ROUND_TABLE = "round_table", _("Raised at a round-table meeting")
    NAP_GAP = "nap_gap", _("A gap in a National Action Plan")
    REQUEST = "request", _("Request of a partner country")
    OTHER = "other", _("Other")


class FundingInstrument(models.TextChoices):
    NDICI = "ndici", _("NDICI-Global Europe")
    ICSP = "icsp", _("IcSP (Instrument contributing to Stability and Peace)")
    IFS = "ifs", _("IfS (Instrument for Stability, 2007–2013)")
    OTHER = "other", _("Other")


class ActivityKind(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")
    TRAINING_OF_TRAINERS = "training_of_trainers", _("Training of trainers")
    TABLE_TOP_EXERCISE = "table_top_exercise", _("Table-top exercise")
    FIELD_EXERCISE = "field_exercise", _("Field exercise")
    CROSS_BORDER_EXERCISE = "cross_border_exercise", _("Cross-border exercise")
    CONFERENCE = "conference", _("Conference")
    STUDY_VISIT = "study_visit", _("Study visit")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class ParticipantRole(models.TextChoices):
    TRAINEE = "trainee", _("Trainee")
    TRAINER = "trainer", _("Trainer")
    FACILITATOR = "facilitator", _("Facilitator")
    SPEAKER = "speaker", _("Speaker")
    ORGANISER = "organiser", _("Organiser")
    OBSERVER = "observer", _("Observer")


class Attendance(models.TextChoices):
    NOT_RECORDED = "", _("Not recorded yet")
    YES = "yes", _("Attended")
    PARTLY = "partly", _("Attended in part")
    NO = "no", _("Did not attend")


# Who counts as "trained" in the totals fact sheets quote: trainees who attended, fully or in part.
TRAINED_ROLES = (ParticipantRole.TRAINEE,)
ATTENDED = (Attendance.YES, Attendance.PARTLY)


class TotalsDimension(models.TextChoices):
    """What the training totals can be grouped by."""

    COUNTRY = "country", _("Country")
    REGION = "region", _("Region")
    YEAR = "year", _("Year")
    THEMATIC_AREA = "thematic_area", _("Thematic area")
    GENDER = "gender", _("Gender")
    KIND = "kind", _("Kind of activity")
