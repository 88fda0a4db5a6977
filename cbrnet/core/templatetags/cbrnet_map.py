"""Template tags for the server-rendered world map (see cbrnet/core/maps.py).

    {% load cbrnet_map %}
    {% world_map country_classes links title crop=True legend=legend %}
    {% map_legend legend %}

``country_classes`` maps alpha-2 codes to CSS classes ({"KZ": "partner"}), ``links`` maps
alpha-2 codes to URLs (or is None), ``legend`` maps CSS classes to labels.
"""

from django import template

from cbrnet.core.maps import render_map_legend, render_world_map

register = template.Library()


@register.simple_tag
def world_map(country_classes, links=None, title="", **options):
    """Inline SVG map; options: crop, legend, names, labels, map_id, css_class."""
    return render_world_map(country_classes, links or None, title, **options)


@register.simple_tag
def map_legend(legend, title=""):
    return render_map_legend(legend or {}, title)
