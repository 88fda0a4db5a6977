"""Server-rendered world and region maps (inline SVG, no JavaScript, no tiles, no CDN).

The country shapes come from ``cbrnet/registry/data/world-map.json``, built by
``scripts/build_map.py`` from Natural Earth 1:50m (public domain): Equal Earth projection
on a viewBox 1000 units wide. The file is read once per process (``load_map_data``).

Usage in Python::

    from cbrnet.core.maps import render_world_map, render_map_legend

    svg = render_world_map(
        {"KZ": "partner", "UZ": "partner secretariat", "MN": "potential"},
        links={"KZ": "/registry/countries/kz/"},
        title=_("Central Asia partner countries"),
        crop=True,  # zoom on the highlighted countries
    )

and in templates: ``{% load cbrnet_map %}{% world_map country_classes links title crop=True %}``.

Colours are CSS classes (see ``.world-map`` in static/cbrnet/app.css): ``partner``,
``potential``, ``observer``, ``member``, ``secretariat``, ``selected``/``highlight``,
``stage-0`` … ``stage-5``; a country without a class gets ``other``. Several classes may be
given, space-separated.
"""

from __future__ import annotations

import gettext
import itertools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

MAP_DATA_PATH = Path(__file__).resolve().parent.parent / "registry" / "data" / "world-map.json"

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in viewBox units

# Below this crop width (viewBox units) the detailed paths are used, above it the light ones.
DETAIL_BELOW_WIDTH = 600.0
# A highlighted country smaller than this share of the map width also gets a dot.
MARKER_BELOW = 0.006
MARKER_RADIUS = 0.0045

_CLASS_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
_ids = itertools.count(1)

# Names that pycountry does not have (not ISO 3166-1) or translates wrongly.
_EXTRA_NAMES = {
    "XK": {"en": "Kosovo", "fr": "Kosovo", "ru": "Косово", "ar": "كوسوفو"},
    "siachen": {"en": "Siachen Glacier", "fr": "Glacier de Siachen", "ru": "Ледник Сиачен", "ar": "سياتشن"},
}
_NAME_FIXES = {("ar", "MD"): "مولدوفا"}


@dataclass(frozen=True, slots=True)
class MapCountry:
    key: str  # ISO 3166-1 numeric code, or "XK" / "siachen"
    alpha2: str | None
    name: str  # English
    label: tuple[float, float]  # centroid of the largest polygon
    bbox: Box  # main extent (used to crop)
    extent: Box  # every part
    rings: tuple[tuple[str, Box], ...]  # detailed: (path data of one ring, its box)
    rings_lo: tuple[tuple[str, Box], ...]  # light, for the whole world


@dataclass(frozen=True, slots=True)
class MapData:
    viewbox: Box  # x, y, width, height
    outline: str
    countries: tuple[MapCountry, ...]
    by_alpha2: Mapping[str, MapCountry]
    source: str


def _split_rings(d: str) -> tuple[tuple[str, Box], ...]:
    """Split 'M x y l dx dy ... z' path data into rings, each with its bounding box."""
    rings = []
    for part in d.split("M")[1:]:
        nums = [float(n) for n in _NUMBER.findall(part)]
        x, y = nums[0], nums[1]
        x0 = x1 = x
        y0 = y1 = y
        for i in range(2, len(nums) - 1, 2):
            x += nums[i]
            y += nums[i + 1]
            x0, x1 = min(x0, x), max(x1, x)
            y0, y1 = min(y0, y), max(y1, y)
        rings.append(("M" + part, (x0, y0, x1, y1)))
    return tuple(rings)


@lru_cache(maxsize=1)
def load_map_data(path: Path = MAP_DATA_PATH) -> MapData:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    countries = []
    for key, c in raw["countries"].items():
        countries.append(
            MapCountry(
                key=key,
                alpha2=c["alpha2"],
                name=c["name"],
                label=tuple(c["label"]),
                bbox=tuple(c["bbox"]),
                extent=tuple(c["extent"]),
                rings=_split_rings(c["d"]),
                rings_lo=_split_rings(c.get("d_lo") or c["d"]),
            )
        )
    return MapData(
        viewbox=tuple(raw["meta"]["viewBox"]),
        outline=raw["meta"].get("outline", ""),
        countries=tuple(countries),
        by_alpha2={c.alpha2: c for c in countries if c.alpha2},
        source=raw["meta"].get("source", ""),
    )


@lru_cache(maxsize=16)
def _iso_translation(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


@lru_cache(maxsize=2048)
def country_name(code: str, lang: str = "en") -> str:
    """Country name in ``lang`` (en, fr, ru, ar …) from pycountry's ISO 3166 translations:
    the short common name ("Iran", "Laos") where it is translated, else the ISO name."""
    lang = (lang or "en").split("-")[0].lower()
    if code in _EXTRA_NAMES:
        return _EXTRA_NAMES[code].get(lang, _EXTRA_NAMES[code]["en"])
    if (lang, code) in _NAME_FIXES:
        return _NAME_FIXES[(lang, code)]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    common = getattr(country, "common_name", None)
    if lang == "en":
        return common or country.name
    tr = _iso_translation(lang)
    if common and tr.gettext(common) != common:
        return tr.gettext(common)
    return tr.gettext(country.name)


def _clean_classes(value: str) -> str:
    tokens = [t for t in str(value or "").split() if _CLASS_TOKEN.match(t)]
    return " ".join(dict.fromkeys(tokens)) or "other"


def _num(v: float) -> str:
    s = f"{v:.1f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _intersects(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def crop_box(
    codes: Iterable[str],
    *,
    padding: float = 0.1,
    min_width: float = 40.0,
    min_aspect: float = 1.2,
    max_aspect: float = 2.2,
) -> tuple[float, float, float, float] | None:
    """viewBox (x, y, width, height) showing the main extent of ``codes`` (alpha-2), padded,
    at least ``min_width`` wide, with a width/height ratio between min_aspect and max_aspect.
    None when no code is on the map."""
    data = load_map_data()
    boxes = [data.by_alpha2[c].bbox for c in (str(c).upper() for c in codes) if c in data.by_alpha2]
    if not boxes:
        return None
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    w, h = x1 - x0, y1 - y0
    pad = padding * max(w, h)
    w, h = max(w + 2 * pad, min_width), max(h + 2 * pad, min_width / max_aspect)
    if w / h > max_aspect:
        h = w / max_aspect
    elif w / h < min_aspect:
        w = h * min_aspect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1), round(h, 1))


def render_world_map(
    country_classes: Mapping[str, str] | None,
    links: Mapping[str, str] | None = None,
    title: str = "",
    *,
    crop: bool | Iterable[str] = False,
    legend: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    labels: bool = False,
    map_id: str | None = None,
    css_class: str = "",
) -> SafeString:
    """Render an inline ``<svg>`` world map.

    country_classes: alpha-2 code -> CSS class(es), e.g. {"KZ": "partner"}; codes not on the
        map are ignored; countries not listed get the class "other".
    links: alpha-2 code -> URL; those countries are wrapped in ``<a href>`` (keyboard
        focusable, named by their ``<title>``).
    title: the accessible name of the map (also its tooltip); default "World map".
    crop: True zooms on the countries of ``country_classes``; an iterable of alpha-2 codes
        zooms on those; only paths that intersect the crop are written.
    legend: CSS class -> label; used for the text description read by screen readers
        ("Partner: Kazakhstan, Uzbekistan."). Render the visible legend with
        ``render_map_legend(legend)``.
    names: alpha-2 code -> country name, overriding the localized ISO names.
    labels: write the alpha-2 code of each highlighted country on the map (region maps).
    """
    data = load_map_data()
    lang = (get_language() or "en").split("-")[0]
    classes = {}
    for code, cls in (country_classes or {}).items():
        code = str(code).upper()
        if code in data.by_alpha2:
            classes[code] = _clean_classes(cls)
    links = {str(k).upper(): v for k, v in (links or {}).items() if v}
    names = {str(k).upper(): v for k, v in (names or {}).items()}
    uid = map_id or f"map{next(_ids)}"
    title = str(title or _("World map"))

    vx, vy, vw, vh = data.viewbox
    cropped = False
    if crop:
        targets = classes.keys() if crop is True else crop
        box = crop_box(targets)
        if box is not None:
            vx, vy, vw, vh = box
            cropped = True
    view: Box = (vx, vy, vx + vw, vy + vh)
    detailed = vw < DETAIL_BELOW_WIDTH
    marker_below = MARKER_BELOW * vw
    radius = MARKER_RADIUS * vw

    def name_of(c: MapCountry) -> str:
        if c.alpha2 and c.alpha2 in names:
            return str(names[c.alpha2])
        return country_name(c.alpha2 or c.key, lang)

    role = "group" if links else "img"
    svg_class = " ".join(filter(None, ["world-map", "world-map--cropped" if cropped else "", css_class]))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{escape(svg_class)}" '
        f'viewBox="{_num(vx)} {_num(vy)} {_num(vw)} {_num(vh)}" role="{role}" '
        f'aria-labelledby="{uid}-title" aria-describedby="{uid}-desc" '
        f'preserveAspectRatio="xMidYMid meet" focusable="false">',
        f'<title id="{uid}-title">{escape(title)}</title>',
    ]
    # A text description for screen readers: the highlighted countries by class.
    by_class: dict[str, list[str]] = {}
    for code, cls in classes.items():
        by_class.setdefault(cls, []).append(name_of(data.by_alpha2[code]))
    sep = "، " if lang == "ar" else ", "
    desc = " ".join(
        f"{(legend or {}).get(cls, cls)}: {sep.join(sorted(found))}." for cls, found in by_class.items()
    )
    out.append(f'<desc id="{uid}-desc">{escape(desc)}</desc>')
    if data.outline:
        out.append(f'<path class="map-sea" d="{data.outline}"/>')

    highlighted, plain, texts = [], [], []
    for c in data.countries:
        if cropped and not _intersects(c.extent, view):
            continue
        rings = c.rings if detailed else c.rings_lo
        if cropped:
            rings = tuple(r for r in rings if _intersects(r[1], view))
            if not rings:
                continue
        d = "".join(r[0] for r in rings)
        cls = classes.get(c.alpha2 or "", "other")
        name = escape(name_of(c))
        shape = f'<path d="{d}"/>'
        bw, bh = c.bbox[2] - c.bbox[0], c.bbox[3] - c.bbox[1]
        if cls != "other" and max(bw, bh) < marker_below:
            cx, cy = _num(c.label[0]), _num(c.label[1])
            shape += f'<circle class="map-marker" cx="{cx}" cy="{cy}" r="{_num(radius)}"/>'
        href = links.get(c.alpha2 or "")
        code_attr = f' data-country="{c.alpha2}"' if c.alpha2 else ""
        if href:
            item = f'<a href="{escape(href)}" class="{cls}"{code_attr}><title>{name}</title>{shape}</a>'
        else:
            item = f'<g class="{cls}"{code_attr}><title>{name}</title>{shape}</g>'
        (plain if cls == "other" else highlighted).append(item)
        if labels and cls != "other" and _intersects((*c.label, *c.label), view):
            texts.append(f'<text x="{_num(c.label[0])}" y="{_num(c.label[1])}">{c.alpha2}</text>')
    # Highlighted countries last, so their borders are drawn on top of their neighbours'.
    out.extend(plain)
    out.extend(highlighted)
    if texts:
        size = _num(max(vw / 70, 1))
        out.append(f'<g class="map-labels" aria-hidden="true" font-size="{size}">{"".join(texts)}</g>')
    out.append("</svg>")
    return SafeString("".join(out))


def render_map_legend(legend: Mapping[str, str] | Iterable[tuple[str, str]], title: str = "") -> SafeString:
    """A legend for a map: ``legend`` maps CSS class -> label, e.g.
    {"partner": _("Partner country"), "potential": _("Potential partner")}."""
    items = legend.items() if isinstance(legend, Mapping) else legend
    out = ['<div class="map-legend">']
    if title:
        out.append(f'<p class="map-legend-title">{escape(title)}</p>')
    out.append("<ul>")
    for cls, label in items:
        out.append(
            f'<li><span class="map-swatch {escape(_clean_classes(cls))}" aria-hidden="true"></span>'
            f"{escape(label)}</li>"
        )
    out.append("</ul></div>")
    return SafeString("".join(out))
