"""The server-rendered world map: data file, rendering, cropping, template tag, build script.

No database needed."""

import csv
import importlib.util
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pycountry
import pytest
from django.template import Context, Template
from django.utils import translation

from cbrnet.core.maps import (
    MAP_DATA_PATH,
    _split_rings,
    country_name,
    crop_box,
    load_map_data,
    render_map_legend,
    render_world_map,
)

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[3]
PARTNERS_CSV = ROOT / "cbrnet" / "registry" / "data" / "coe_partner_countries.csv"
NEEDED = "KZ UZ KG TJ MN AF PK PH BH SG MA KE GE UA AE QA JO LB IQ SC BN RS ME MK AL BA MD AM AZ DZ".split()


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))  # also proves the markup is well-formed XML


def viewbox(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    return x, y, x + w, y + h


def titles(root: ET.Element) -> set[str]:
    return {t.text for t in root.iter(f"{SVG}title")}


def shapes_by_country(root: ET.Element) -> dict[str, ET.Element]:
    return {el.get("data-country"): el for el in root.iter() if el.get("data-country")}


# --- Data file -------------------------------------------------------------------------------------


def test_data_file_is_small_and_cached():
    assert MAP_DATA_PATH.stat().st_size < 350 * 1024
    assert load_map_data() is load_map_data()


def test_data_has_the_network_countries():
    codes = set(load_map_data().by_alpha2)
    needed = set(NEEDED)
    if PARTNERS_CSV.exists():
        with PARTNERS_CSV.open(encoding="utf-8") as f:
            needed |= {row["iso2"] for row in csv.DictReader(f)}
    assert needed <= codes, sorted(needed - codes)
    assert len(codes) > 200


def test_keys_are_iso_numeric_with_matching_alpha2():
    raw = json.loads(MAP_DATA_PATH.read_text(encoding="utf-8"))
    assert raw["meta"]["viewBox"][:3] == [0, 0, 1000]
    for key, c in raw["countries"].items():
        if key in ("XK", "siachen"):
            continue
        assert re.fullmatch(r"\d{3}", key), key
        assert pycountry.countries.get(numeric=key).alpha_2 == c["alpha2"]
        assert c["d"].startswith("M") and c["d"].endswith("z")
        assert c["d_lo"].startswith("M")


def test_geometry_is_sane():
    data = load_map_data()
    _, _, width, height = data.viewbox
    for c in data.countries:
        x0, y0, x1, y1 = c.extent
        assert -1 <= x0 <= x1 <= width + 1 and -1 <= y0 <= y1 <= height + 1, c.name
        bx0, by0, bx1, by1 = c.bbox
        assert x0 <= bx0 <= bx1 <= x1 and y0 <= by0 <= by1 <= y1, c.name
        for _, (rx0, _, rx1, _) in c.rings + c.rings_lo:
            # No ring jumps across the map (antimeridian handled: Russia, Fiji).
            assert rx1 - rx0 < width / 2, c.name
    kz = data.by_alpha2["KZ"]
    assert kz.bbox[0] <= kz.label[0] <= kz.bbox[2] and kz.bbox[1] <= kz.label[1] <= kz.bbox[3]
    # Far-away parts are not in the crop box: France's main box is Europe, not Guiana.
    fr = data.by_alpha2["FR"]
    assert fr.bbox[2] - fr.bbox[0] < 40 < fr.extent[2] - fr.extent[0]


def test_split_rings_boxes():
    rings = _split_rings("M10 20l5 0 0 5-5 0zM1.5 2l.5.5-1 0z")
    assert [r[1] for r in rings] == [(10, 20, 15, 25), (1.0, 2, 2.0, 2.5)]
    assert rings[1][0] == "M1.5 2l.5.5-1 0z"


# --- Rendering -------------------------------------------------------------------------------------


def test_render_world_map_classes_titles_and_accessibility():
    svg = render_world_map(
        {"KZ": "partner", "uz": "partner secretariat", "BH": "potential"}, title="Partners"
    )
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    label_id = root.get("aria-labelledby")
    assert root.find(f"{SVG}title").get("id") == label_id
    assert root.find(f"{SVG}title").text == "Partners"
    shapes = shapes_by_country(root)
    assert shapes["KZ"].get("class") == "partner"
    assert shapes["UZ"].get("class") == "partner secretariat"
    assert shapes["BH"].get("class") == "potential"
    assert shapes["FR"].get("class") == "other"
    assert {"Kazakhstan", "Uzbekistan", "Bahrain", "France"} <= titles(root)
    # Bahrain is too small to see on a world map: it gets a dot too.
    assert shapes["BH"].find(f"{SVG}circle") is not None
    assert shapes["FR"].find(f"{SVG}circle") is None
    desc = root.find(f"{SVG}desc").text
    assert "Kazakhstan" in desc and "Bahrain" in desc
    assert root.get("viewBox") == "0 0 1000 443"


def test_unknown_codes_and_bad_classes_are_ignored():
    svg = render_world_map(
        {"ZZ": "partner", "": "x", "kz": 'partner onload="alert(1)"', "UZ": "", "XX1": None}, title="t"
    )
    root = parse(svg)
    shapes = shapes_by_country(root)
    assert "ZZ" not in shapes
    assert shapes["KZ"].get("class") == "partner"  # the attribute-breaking tokens are dropped
    assert shapes["UZ"].get("class") == "other"
    assert "onload" not in svg
    render_world_map({}, None, "")  # nothing highlighted, default title
    render_world_map(None)


def test_title_and_links_are_escaped_and_linked():
    svg = render_world_map(
        {"KZ": "partner", "UZ": "partner"},
        links={"kz": '/countries/kz/?a=1&b="2"', "ZZ": "/nowhere/"},
        title="<script>alert(1)</script>",
    )
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("role") == "group"  # links must stay reachable for screen readers
    links = [el for el in root.iter(f"{SVG}a")]
    assert len(links) == 1
    assert links[0].get("href") == '/countries/kz/?a=1&b="2"'
    assert links[0].find(f"{SVG}title").text == "Kazakhstan"


def test_crop_contains_highlighted_countries_and_drops_far_paths():
    central_asia = ["KZ", "UZ", "KG", "TJ", "AF", "MN", "PK"]
    svg = render_world_map({c: "partner" for c in central_asia}, title="CA", crop=True, labels=True)
    root = parse(svg)
    x0, y0, x1, y1 = viewbox(root)
    data = load_map_data()
    for code in central_asia:
        bx0, by0, bx1, by1 = data.by_alpha2[code].bbox
        assert x0 <= bx0 and y0 <= by0 and bx1 <= x1 and by1 <= y1, code
    shapes = shapes_by_country(root)
    assert set(central_asia) <= set(shapes)
    assert "BR" not in shapes and "US" not in shapes and "AU" not in shapes
    assert "CN" in shapes  # a neighbour, shown in grey
    assert shapes["CN"].get("class") == "other"
    assert "world-map--cropped" in root.get("class")
    world = render_world_map({c: "partner" for c in central_asia}, title="CA")
    assert len(svg) < len(world) / 2
    assert {t.text for t in root.iter(f"{SVG}text")} == set(central_asia)


def test_crop_to_given_codes_and_small_countries():
    box = crop_box(["BH"])
    assert box is not None
    x, y, w, h = box
    bh = load_map_data().by_alpha2["BH"].bbox
    assert x <= bh[0] and bh[2] <= x + w and y <= bh[1] and bh[3] <= y + h
    assert w >= 40  # a minimum zoom: Bahrain is shown with its neighbours
    svg = render_world_map({"BH": "partner", "KZ": "partner"}, title="t", crop=["bh", "QA", "nope"])
    shapes = shapes_by_country(parse(svg))
    assert "BH" in shapes and "QA" in shapes and "SA" in shapes
    assert "KZ" not in shapes
    # Only unknown codes: no crop, no error.
    assert crop_box(["ZZ"]) is None
    root = parse(render_world_map({"ZZ": "partner"}, title="t", crop=True))
    assert root.get("viewBox") == "0 0 1000 443"


def test_ids_are_unique_per_map():
    a = parse(render_world_map({}, title="a")).get("aria-labelledby")
    b = parse(render_world_map({}, title="b")).get("aria-labelledby")
    assert a != b
    c = parse(render_world_map({}, title="c", map_id="regions")).get("aria-labelledby")
    assert c == "regions-title"


def test_country_names_are_translated():
    assert country_name("IR") == "Iran"
    assert country_name("DE", "fr") == "Allemagne"
    assert country_name("KZ", "ru") == "Казахстан"
    assert country_name("MD", "ar") == "مولدوفا"
    assert country_name("XK", "fr") == "Kosovo"
    with translation.override("fr"):
        root = parse(render_world_map({"DE": "partner"}, title="Carte", names={"KZ": "Qazaqstan"}))
    assert {"Allemagne", "Qazaqstan"} <= titles(root)


def test_legend():
    html = render_map_legend({"partner": "Partner", "stage-3": "<b>Stage 3</b>"}, title="Legend")
    assert 'class="map-swatch partner"' in html
    assert 'class="map-swatch stage-3"' in html
    assert "&lt;b&gt;Stage 3&lt;/b&gt;" in html
    assert render_map_legend([("observer", "Observer")]).count("<li>") == 1


def test_template_tag():
    tpl = Template(
        "{% load cbrnet_map %}{% world_map classes links title crop=True %}{% map_legend legend 'Key' %}"
    )
    html = tpl.render(
        Context(
            {
                "classes": {"GE": "partner", "UA": "partner", "AM": "potential"},
                "links": {"GE": "/ge/"},
                "title": "South East and Eastern Europe",
                "legend": {"partner": "Partner", "potential": "Potential"},
            }
        )
    )
    assert html.startswith("<svg")
    assert 'href="/ge/"' in html
    assert "South East and Eastern Europe" in html
    assert 'class="map-legend"' in html
    root = parse(html[: html.index("</svg>") + 6])
    assert "world-map--cropped" in root.get("class")


# --- Build script ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def build_map():
    spec = importlib.util.spec_from_file_location("build_map", ROOT / "scripts" / "build_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_douglas_peucker(build_map):
    line = [(0, 0), (1, 0.01), (2, -0.01), (3, 5), (4, 6), (5, 7), (6, 8.02), (7, 9)]
    out = build_map.douglas_peucker(line, 0.1)
    assert out[0] == line[0] and out[-1] == line[-1]
    assert (3, 5) in out and (1, 0.01) not in out
    # A small closed island keeps at least a quadrilateral.
    square = [(0, 0), (0.01, 0), (0.02, 0.001), (1, 0), (1, 1), (0.5, 1.001), (0, 1), (0, 0)]
    assert len(build_map.simplify_arc(square, 5)) >= 4


def test_build_topojson_decoding_and_paths(build_map):
    topo = {
        "transform": {"scale": [0.5, 0.25], "translate": [-180, -90]},
        "arcs": [[[0, 0], [2, 4], [-1, 0]], [[718, 400], [-718, 1], [0, 1]]],
    }
    arcs = build_map.decode_arcs(topo)
    assert arcs[0] == [(-180.0, -90.0), (-179.0, -89.0), (-179.5, -89.0)]
    # 180°E quantised to -180° next to eastern points goes back to +180°.
    assert arcs[1][:2] == [(179.0, 10.0), (180.0, 10.25)]
    assert arcs[1][2] == (180.0, 10.5)
    pieces = build_map.split_at_antimeridian([(179.0, 60.0), (-179.0, 62.0)])
    assert pieces == [[(179.0, 60.0), (180.0, 61.0)], [(-180.0, 61.0), (-179.0, 62.0)]]
    ring = [(10.04, 20.0), (15.0, 20.0), (15.0, 25.06), (10.0, 25.0)]
    d = build_map.ring_to_path(ring)
    assert d == "M10 20l5 0 0 5.1-5-.1z"
    assert _split_rings(d)[0][1] == (10.0, 20.0, 15.0, 25.1)
    x, y = build_map.project(0, 0)
    assert x == pytest.approx(500) and 0 < y < 443
