"""Projects of a network (e.g. CoE Project 53, P81 BIOSEC, P87 PRECA)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy
from cbrnet.core.models import BaseModel
from cbrnet.projects.choices import ProjectStatus
from cbrnet.registry.models import Country, Network, Organisation, Region, ThematicArea

year_validators = [MinValueValidator(1990), MaxValueValidator(2100)]


class Project(BaseModel):
    """A risk-mitigation project: its code, title, regions and countries, implementers and years."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="projects", verbose_name=_("network"))
    code = models.CharField(_("code"), max_length=20, validators=[RegexValidator(r"^[A-Za-z0-9-]+$")])
    title = models.CharField(_("title"), max_length=400)
    objectives = models.TextField(_("objectives"), blank=True)
    regions = models.ManyToManyField(Region, blank=True, related_name="projects", verbose_name=_("regions"))
    countries = models.ManyToManyField(Country, blank=True, related_name="projects", verbose_name=_("countries"))
    thematic_areas = models.ManyToManyField(ThematicArea, blank=True, related_name="projects", verbose_name=_("thematic areas"))
    lead_implementer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="led_projects",
        verbose_name=_("lead implementer"),
    )
    implementers = models.ManyToManyField(Organisation, blank=True, related_name="projects", verbose_name=_("implementers"))
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True, validators=year_validators)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True, validators=year_validators)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.UNKNOWN)
    source = models.TextField(_("source"), blank=True)

    # Projects are the network's public record; the secretariats of their regions edit them.
    access_policy = ScopedPolicy(region="regions", managers=("secretariat",), many=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["network", "code"], name="project_code_unique_in_network")]

    def __str__(self):
        return f"{self.code} — {self.title}"

    def clean(self):
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The project ends before it starts.")})

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])
