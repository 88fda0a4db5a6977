"""National CBRN Action Plans (NAPs): what a partner country plans to do about the gaps its needs
assessment showed — objectives, actions with lead agencies, dates, budgets and indicators — and how
far each action has come."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import CountryCyclePolicy, FollowsParentPolicy
from cbrnet.actionplans.choices import ActionStatus, PlanStatus
from cbrnet.assessments.models import EVIDENCE_EXTENSIONS, Assessment, Question, validate_evidence_size
from cbrnet.core.models import BaseModel
from cbrnet.projects.models import Project, validate_currency, validate_domains
from cbrnet.registry.models import Country, Network, Organisation, ThematicArea


def report_evidence_path(instance, filename: str) -> str:
    return f"actionplans/{instance.action_id}/{datetime.date.today():%Y%m%d}-{filename}"


class ActionPlan(BaseModel):
    """A country's National CBRN Action Plan, drafted from the ranked gaps of an assessment, then
    submitted, approved (the plan is "developed") and adopted by the government."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("country")
    )
    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="action_plans", verbose_name=_("network")
    )
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="action_plans",
        verbose_name=_("assessment"),
        help_text=_("The needs assessment whose gaps the plan answers."),
    )
    title = models.CharField(_("title"), max_length=250)
    summary = models.TextField(_("summary"), blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("from year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    end_year = models.PositiveSmallIntegerField(
        _("to year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    status_note = models.TextField(_("note on the last step"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True, editable=False)
    adoption_reference = models.CharField(
        _("adoption reference"),
        max_length=250,
        blank=True,
        editable=False,
        help_text=_("The act that adopted the plan, e.g. a government decree and its number."),
    )

    access_policy = CountryCyclePolicy(
        shared_statuses=(PlanStatus.APPROVED, PlanStatus.ADOPTED, PlanStatus.SUPERSEDED),
        deletable_statuses=(PlanStatus.DRAFT,),
    )

    class Meta:
        verbose_name = _("National Action Plan")
        verbose_name_plural = _("National Action Plans")
        ordering = ["country__name", "-start_year", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The plan cannot end before it starts.")})
        if self.assessment_id and self.country_id and self.assessment.country_id != self.country_id:
            raise ValidationError({"assessment": _("This assessment is of another country.")})

    def get_absolute_url(self):
        return reverse("actionplans:actionplan_detail", args=[self.pk])


PLAN_PART = FollowsParentPolicy(path="plan", parent="actionplans.ActionPlan")


class Objective(BaseModel):
    """An objective of a National Action Plan, usually one per thematic area with gaps."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("action plan")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    thematic_area = models.ForeignKey(
        ThematicArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("thematic area"),
    )
    domains = models.CharField(_("CBRN domains"), max_length=5, blank=True, validators=[validate_domains])

    access_policy = PLAN_PART

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("actionplans:objective_detail", args=[self.pk])


class Action(BaseModel):
    """An action of a National Action Plan: who leads it (an agency of the national team), with which
    partners, when, with what budget, which gap it closes and which projects carry it out."""

    plan = models.ForeignKey(
        ActionPlan, on_delete=models.CASCADE, related_name="actions", verbose_name=_("action plan")
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="actions", verbose_name=_("objective")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_actions",
        verbose_name=_("lead agency"),
    )
    partners = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_actions", verbose_name=_("partner organisations")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. EUR."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    gap_question = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gap addressed"),
        help_text=_("The assessment question whose gap the action closes."),
    )
    projects = models.ManyToManyField(
        Project, blank=True, related_name="nap_actions", verbose_name=_("projects")
    )

    access_policy = PLAN_PART

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["plan", "objective__order", "order", "pk"]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The action cannot end before it starts.")
        if self.budget is not None and not self.currency:
            errors["currency"] = _("Give the currency of the budget.")
        if self.objective_id and self.plan_id and self.objective.plan_id != self.plan_id:
            errors["objective"] = _("This objective belongs to another action plan.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("actionplans:action_detail", args=[self.pk])


class Indicator(BaseModel):
    """A measure of an action's progress: its baseline, its target and where it stands now."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action")
    )
    name = models.CharField(_("name"), max_length=300)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    current = models.DecimalField(_("current value"), max_digits=14, decimal_places=2, null=True, blank=True)

    access_policy = FollowsParentPolicy(path="action__plan", parent="actionplans.ActionPlan")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["action", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("actionplans:indicator_detail", args=[self.pk])


class ProgressReport(BaseModel):
    """A report on an action's progress at a date, with evidence."""

    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, related_name="progress_reports", verbose_name=_("action")
    )
    date = models.DateField(_("date"), default=datetime.date.today)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    # xgettext:no-python-format
    percent_complete = models.PositiveSmallIntegerField(_("% complete"), validators=[MaxValueValidator(100)])
    narrative = models.TextField(_("what was done"))
    evidence = models.FileField(
        _("evidence"),
        upload_to=report_evidence_path,
        blank=True,
        max_length=250,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS), validate_evidence_size],
        help_text=_("PDF, office document, image, text or CSV, up to 20 MB."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("author"),
    )

    access_policy = FollowsParentPolicy(path="action__plan", parent="actionplans.ActionPlan")

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["action", "-date", "-pk"]

    def __str__(self):
        return f"{self.action} — {self.date}"

    def get_absolute_url(self):
        return reverse("actionplans:progressreport_detail", args=[self.pk])
