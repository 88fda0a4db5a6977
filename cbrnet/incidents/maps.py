"""The incident map: the core world map (cbrnet.core.maps) cropped on the affected country, with a
marker where the incident is and one for the home base of each deployed capability."""

import math
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cbrnet.core.maps import crop_box, render_world_map

# The projection of world-map.json (scripts/build_map.py): Equal Earth, 1000 units = 360° of
# longitude, latitudes 84°N to 60°S.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
WIDTH = 1000.0
LAT_TOP = 84.0


def _equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam = math.radians(lon)
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


SCALE = WIDTH / (2 * _equal_earth(180.0, 0.0)[0])
Y_TOP = _equal_earth(0.0, LAT_TOP)[1]


def project(latitude: float, longitude: float) -> tuple[float, float]:
    """Latitude/longitude (degrees) -> the map's viewBox coordinates (origin top-left, y down)."""
    x, y = _equal_earth(longitude, latitude)
    return WIDTH / 2 + x * SCALE, (Y_TOP - y) * SCALE


def incident_map(
    *,
    country_code: str,
    title: str,
    point: tuple[float, float] | None = None,
    bases: Iterable[tuple[str, float, float]] = (),
    crop: Iterable[str] = (),
) -> SafeString:
    """The affected country highlighted and cropped on (with `crop`: the countries of the deployed
    teams too); a marker at `point` (latitude, longitude) when the user may see it; a small marker
    per home base (name, latitude, longitude) of a deployed capability."""
    codes = [country_code, *crop]
    svg = str(render_world_map({country_code: "selected"}, title=title, crop=codes))
    marks = []
    bases = list(bases)
    box = crop_box(codes)
    radius = (box[2] if box else WIDTH) * 0.012  # the same size on the screen however far it zooms
    if point is not None:
        x, y = project(*point)
        marks.append(
            f'<g class="incident-marker"><title>{escape(_("Incident location"))}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.2f}"/></g>'
        )
    for name, latitude, longitude in bases:
        x, y = project(latitude, longitude)
        marks.append(
            f'<g class="base-marker"><title>{escape(name)}</title><circle cx="{x:.1f}" cy="{y:.1f}" r="{radius * 0.6:.2f}"/></g>'
        )
    if not marks:
        return SafeString(svg)
    closing = svg.rfind("</svg>")
    return SafeString(svg[:closing] + "".join(marks) + svg[closing:])
