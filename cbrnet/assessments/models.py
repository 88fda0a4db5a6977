"""Needs assessments: versioned questionnaire templates (the CoE Needs Assessment Questionnaire, NAQ,
and others a network builds), and the assessments partner countries answer with them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import CountryCyclePolicy, FollowsParentPolicy, TemplatePolicy
from cbrnet.assessments.choices import AnswerType, AssessmentStatus, VersionStatus, YesPartlyNo
from cbrnet.core.models import BaseModel
from cbrnet.projects.models import validate_domains
from cbrnet.registry.models import Country, Network, Person, ThematicArea

LEVELS = (1, 2, 3, 4, 5)
level_validators = [MinValueValidator(1), MaxValueValidator(5)]
code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Letters, digits, dots, dashes and underscores."))
EVIDENCE_EXTENSIONS = ["pdf", "doc", "docx", "odt", "xls", "xlsx", "ods", "ppt", "pptx", "odp", "png", "jpg", "jpeg", "txt", "csv"]
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def validate_evidence_size(file) -> None:
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(_("The file is %(size)s MB; evidence files may be up to 20 MB.") % {
            "size": f"{file.size / 2**20:.1f}"
        })


def evidence_path(instance, filename: str) -> str:
    return f"assessments/{instance.assessment_id}/{datetime.date.today():%Y%m%d}-{filename}"


class QuestionnaireVersion(BaseModel):
    """One version of a questionnaire template (e.g. the NAQ as revised in 2024). Built as a draft,
    then published: from then on immutable, so that every answer keeps the question it answered. A
    version may name the `previous` version its questions map onto (Question.maps_to)."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="questionnaires", verbose_name=_("network"))
    family = models.CharField(
        _("questionnaire"), max_length=30, validators=[code_validator],
        help_text=_("The code shared by every version of one questionnaire, e.g. NAQ."),
    )
    version = models.CharField(_("version"), max_length=30, help_text=_("E.g. 2024."))
    name = models.CharField(_("name"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_versions",
        verbose_name=_("previous version"), help_text=_("The version whose questions this one maps onto."),
    )
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True, help_text=_("The public frameworks the questions come from."))

    access_policy = TemplatePolicy()

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["network", "family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["network", "family", "version"], name="questionnaire_version_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"

    def clean(self):
        if self.previous_id and self.previous_id == self.pk:
            raise ValidationError({"previous": _("A version cannot map onto itself.")})
        if self.previous_id and self.previous.family != self.family:
            raise ValidationError({"previous": _("The previous version must be a version of the same questionnaire.")})

    def get_absolute_url(self):
        return reverse("assessments:questionnaireversion_detail", args=[self.pk])


class Section(BaseModel):
    """A section of a questionnaire version (e.g. "Legal framework"); assessments assign sections to
    national-team members."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("questionnaire version"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    access_policy = FollowsParentPolicy(path="version", parent="assessments.QuestionnaireVersion")

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="section_code_unique_in_version")]

    def __str__(self):
        return f"{self.code}. {self.title}"

    def get_absolute_url(self):
        return reverse("assessments:section_detail", args=[self.pk])


class Question(BaseModel):
    """A question of a questionnaire version: its answer type, the CBRN domain(s) and thematic area it
    assesses, its weight in the scores, the level a country should reach (target), and the question
    of the previous version it continues (`maps_to`), which keeps results comparable over time."""

    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("questionnaire version"))
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.CharField(_("code"), max_length=30, validators=[code_validator])
    text = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    answer_type = models.CharField(_("answer type"), max_length=20, choices=AnswerType.choices, default=AnswerType.LEVEL)
    domains = models.CharField(
        _("CBRN domains"), max_length=5, blank=True, validators=[validate_domains],
        help_text=_("One-letter codes: C, B, R, N, E; empty for all-hazards questions."),
    )
    thematic_area = models.ForeignKey(ThematicArea, on_delete=models.PROTECT, related_name="questions", verbose_name=_("thematic area"))
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=1, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    target_level = models.PositiveSmallIntegerField(
        _("target level"), default=4, validators=level_validators,
        help_text=_("The capability level a country should reach (1–5) when no other target is set."),
    )
    allow_not_applicable = models.BooleanField(_("may be answered “not applicable”"), default=True)
    required = models.BooleanField(_("required"), default=True, help_text=_("Needed for the assessment to be submitted."))
    reference = models.CharField(
        _("reference"), max_length=200, blank=True, help_text=_("The framework item it comes from, e.g. JEE P1.1 or UNSCR 1540 OP3d."),
    )
    maps_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="mapped_from",
        verbose_name=_("maps to (previous version)"),
    )

    access_policy = FollowsParentPolicy(path="version", parent="assessments.QuestionnaireVersion")

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["version", "section__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="question_code_unique_in_version")]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"

    def clean(self):
        if self.section_id and self.version_id and self.section.version_id != self.version_id:
            raise ValidationError({"section": _("This section belongs to another questionnaire version.")})
        if self.maps_to_id:
            previous = self.version.previous_id if self.version_id else None
            if previous is None or self.maps_to.version_id != previous:
                raise ValidationError({"maps_to": _("A question maps onto a question of the version's previous version.")})

    def get_absolute_url(self):
        return reverse("assessments:question_detail", args=[self.pk])


class LevelDescriptor(BaseModel):
    """What capability level 1–5 means for one question (the WHO JEE scale is the model)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="level_descriptors", verbose_name=_("question"))
    level = models.PositiveSmallIntegerField(_("level"), validators=level_validators)
    text = models.TextField(_("descriptor"))

    access_policy = FollowsParentPolicy(path="question__version", parent="assessments.QuestionnaireVersion")

    class Meta:
        verbose_name = _("level descriptor")
        verbose_name_plural = _("level descriptors")
        ordering = ["question", "level"]
        constraints = [models.UniqueConstraint(fields=["question", "level"], name="level_descriptor_unique")]

    def __str__(self):
        return f"{self.level}: {self.text[:80]}"

    def get_absolute_url(self):
        return reverse("assessments:leveldescriptor_detail", args=[self.pk])


class Choice(BaseModel):
    """An option of a single- or multiple-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    value = models.CharField(_("value"), max_length=50, validators=[code_validator])
    label = models.CharField(_("label"), max_length=250)

    access_policy = FollowsParentPolicy(path="question__version", parent="assessments.QuestionnaireVersion")

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="choice_value_unique")]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("assessments:choice_detail", args=[self.pk])


class Assessment(BaseModel):
    """A country's needs assessment: its answers to one questionnaire version, drafted by the national
    team, submitted by the National Focal Point, validated by the secretariat and published."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("country"))
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("questionnaire version"))
    # The version's network, copied when the assessment is made: the access rule reads it directly.
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("network"), editable=False)
    title = models.CharField(_("title"), max_length=250, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    status = models.CharField(_("status"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    status_note = models.TextField(_("note on the last step"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("submitted by"))
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True, editable=False)
    validated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("validated by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("published by"))

    access_policy = CountryCyclePolicy(
        shared_statuses=(AssessmentStatus.PUBLISHED,), deletable_statuses=(AssessmentStatus.DRAFT,)
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["country__name", "-year", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["country", "version", "year"], name="assessment_unique_per_year"),
        ]

    def __str__(self):
        return self.title or f"{self.country} — {self.version} ({self.year})"

    def save(self, *args, **kwargs):
        if self.version_id:
            self.network_id = self.version.network_id
        super().save(*args, **kwargs)

    def clean(self):
        if self.version_id and self._state.adding and self.version.status != VersionStatus.PUBLISHED:
            raise ValidationError({"version": _("A country answers a published questionnaire version.")})

    def get_absolute_url(self):
        return reverse("assessments:assessment_detail", args=[self.pk])


ASSESSMENT_PART = FollowsParentPolicy(path="assessment", parent="assessments.Assessment")


class SectionAssignment(BaseModel):
    """A section of an assessment given to a national-team member to answer."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("assessment"))
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("section"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessment_sections", verbose_name=_("assigned to"))
    note = models.CharField(_("note"), max_length=250, blank=True)

    access_policy = ASSESSMENT_PART

    class Meta:
        verbose_name = _("section assignment")
        verbose_name_plural = _("section assignments")
        ordering = ["assessment", "section__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "section"], name="section_assigned_once")]

    def __str__(self):
        return f"{self.section} → {self.person}"

    def clean(self):
        if self.section_id and self.assessment_id and self.section.version_id != self.assessment.version_id:
            raise ValidationError({"section": _("This section belongs to another questionnaire version.")})

    def get_absolute_url(self):
        return reverse("assessments:sectionassignment_detail", args=[self.pk])


class Answer(BaseModel):
    """A country's answer to one question of its assessment. Which field holds the value follows the
    question's answer type; `not_applicable` takes the question out of the scores."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers", verbose_name=_("assessment"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, validators=level_validators)
    yes_partly_no = models.CharField(_("yes / partly / no"), max_length=10, choices=YesPartlyNo.choices, blank=True)
    number = models.DecimalField(_("number"), max_digits=18, decimal_places=4, null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    choices = models.JSONField(_("choices"), default=list, blank=True, help_text=_("The values of the chosen options."))
    text = models.TextField(_("text"), blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    target_level = models.PositiveSmallIntegerField(
        _("target level"), null=True, blank=True, validators=level_validators,
        help_text=_("The level the country aims at, when it differs from the question's target."),
    )
    justification = models.TextField(_("justification"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("answered by"))

    access_policy = ASSESSMENT_PART

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["assessment", "question__section__order", "question__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="answer_once_per_question")]

    def __str__(self):
        return f"{self.question.code}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.not_applicable:
            return str(_("not applicable"))
        kind = self.question.answer_type
        if kind == AnswerType.LEVEL:
            return "" if self.level is None else str(self.level)
        if kind == AnswerType.YES_PARTLY_NO:
            return self.get_yes_partly_no_display()
        if kind == AnswerType.NUMBER:
            return "" if self.number is None else f"{self.number.normalize():f}"
        if kind == AnswerType.DATE:
            return self.date.isoformat() if self.date else ""
        if kind in (AnswerType.SINGLE_CHOICE, AnswerType.MULTIPLE_CHOICE):
            return ", ".join(self.choices or [])
        return self.text

    def get_absolute_url(self):
        return reverse("assessments:answer_detail", args=[self.pk])


class AssessmentComment(BaseModel):
    """A comment on an assessment or on one of its questions, by the team or the secretariat."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments", verbose_name=_("assessment"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, null=True, blank=True, related_name="comments", verbose_name=_("question"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("author"))
    text = models.TextField(_("comment"))

    access_policy = ASSESSMENT_PART

    class Meta:
        verbose_name = _("assessment comment")
        verbose_name_plural = _("assessment comments")
        ordering = ["assessment", "created"]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("assessments:assessmentcomment_detail", args=[self.pk])


class Evidence(BaseModel):
    """A file supporting an assessment's answers (a law, a plan, a training record…)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("assessment"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, null=True, blank=True, related_name="evidence", verbose_name=_("question"))
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(
        _("file"), upload_to=evidence_path, max_length=250,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
        help_text=_("PDF, office document, image, text or CSV, up to 20 MB."),
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False, verbose_name=_("uploaded by"))

    access_policy = ASSESSMENT_PART

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["assessment", "-created"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assessments:evidence_detail", args=[self.pk])

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""
