"""The methodology stage of a country, for any page that shows the country:

    {% include "actionplans/_methodology_stage.html" with country=object %}

The fragment loads this library and asks `methodology_of` (four queries, derived from the records).
"""

from django import template

from cbrnet.actionplans.choices import MethodologyStage
from cbrnet.actionplans.selectors import methodology_facts

register = template.Library()

STEPS = (
    ("nfp_appointed", MethodologyStage.NFP_APPOINTED),
    ("team_established", MethodologyStage.TEAM_ESTABLISHED),
    ("naq_completed", MethodologyStage.NAQ_COMPLETED),
    ("nap_in_preparation", MethodologyStage.NAP_IN_PREPARATION),
    ("nap_developed", MethodologyStage.NAP_DEVELOPED),
    ("nap_adopted", MethodologyStage.NAP_ADOPTED),
)


@register.simple_tag
def methodology_of(country) -> dict:
    """{"stage": MethodologyStage, "steps": [{"label", "reached"}]} of one country: a step is
    reached when its own records exist; the stage is the highest step reached."""
    facts = methodology_facts(countries=[country])[country.pk]
    return {
        "stage": facts.stage,
        "steps": [{"label": stage.label, "reached": getattr(facts, name)} for name, stage in STEPS],
    }
