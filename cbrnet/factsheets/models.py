"""What fact sheets say that no other record holds: a region's recent achievements, written by its
secretariat. Everything else on a fact sheet is computed from the records (cbrnet.factsheets.selectors)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cbrnet.access.policies import ScopedPolicy
from cbrnet.core.models import BaseModel
from cbrnet.projects.models import Project
from cbrnet.registry.models import Region


class Achievement(BaseModel):
    """A recent achievement of a region (a delivered training series, a conference, equipment handed
    over), as its fact sheet tells it."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="achievements", verbose_name=_("region")
    )
    date = models.DateField(_("date"), default=datetime.date.today)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"))
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="achievements",
        verbose_name=_("project"),
    )
    source = models.TextField(_("source"), blank=True)

    # Part of the network's public record, like projects; the region's secretariat writes them.
    access_policy = ScopedPolicy(region="region", managers=("secretariat",))

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["region", "-date", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        # The project an achievement belongs to must be one the region takes part in: the region's
        # fact sheet quotes it under the region's projects.
        if self.project_id and self.region_id and not self.project.regions.filter(pk=self.region_id).exists():
            raise ValidationError({"project": _("This project does not work in the achievement's region.")})

    def get_absolute_url(self):
        return reverse("factsheets:achievement_detail", args=[self.pk])
