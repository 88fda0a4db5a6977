#!/usr/bin/env python3
"""Build cbrnet/registry/data/world-map.json from the world-atlas TopoJSON.

The world map that cbrnet draws (cbrnet/core/maps.py) ships with the project: no tile
server, no CDN, no JavaScript. This script turns Natural Earth's 1:50m country shapes,
as redistributed in the npm package ``world-atlas`` (public domain), into projected,
simplified SVG path strings.

Usage (from the repository root)::

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    .venv/bin/python scripts/build_map.py /tmp/package/countries-50m.json

Options: ``--out`` (default cbrnet/registry/data/world-map.json), ``--tolerance``
(Douglas-Peucker tolerance in viewBox units, default 0.3), ``--min-area`` (rings smaller
than this many square viewBox units are dropped, except a country's largest polygon).

What it does, step by step:

1. decodes the TopoJSON arcs (delta-encoded, quantised integers -> longitude/latitude);
2. projects every arc point with the Equal Earth projection (Šavrič, Patterson & Jenny
   2018) onto a viewBox 1000 units wide, latitudes 84°N to 60°S (Antarctica is left out);
3. simplifies each *arc* with Douglas-Peucker. Borders shared by two countries are one arc
   in TopoJSON, so both neighbours get the same simplified border: no gaps, no slivers;
4. stitches the arcs back into rings and polygons, per ISO 3166-1 numeric code, drops
   tiny islands (but never a country's largest polygon, so Bahrain and Singapore stay) and
   rounds to 0.1 unit;
5. writes, per country: alpha-2 code (via pycountry), English name, the SVG path ``d``
   (absolute ``M`` per ring, then relative ``l``), a label point (centroid of the largest
   polygon), ``bbox`` (the country's main extent, used to crop a map to a region: far-away
   small parts such as French Guiana or Hawaii are left out) and ``extent`` (all parts).

Features without an ISO numeric code in Natural Earth: Somaliland is merged into Somalia
(706) and Northern Cyprus into Cyprus (196), following UN practice; Kosovo is kept under
the key "XK" (the user-assigned code used by the EU and others) with alpha-2 "XK"; the
Siachen Glacier is kept as an unassigned area (key "siachen", no alpha-2) so that no hole
appears in Kashmir; "Indian Ocean Ter." (Christmas and Cocos Islands) is dropped.

Plain Python only (json, math, argparse + pycountry from the project's .venv).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "cbrnet" / "registry" / "data" / "world-map.json"

WIDTH = 1000.0
LAT_TOP = 84.0
LAT_BOTTOM = -60.0

# Natural Earth features without an ISO numeric id: merge into a country, keep, or drop.
MERGE_INTO = {"Somaliland": "706", "N. Cyprus": "196"}
KEEP_AS = {"Kosovo": ("XK", "XK", "Kosovo"), "Siachen Glacier": ("siachen", None, "Siachen Glacier")}
DROP_IDS = {"010"}  # Antarctica
DROP_NAMES = {"Indian Ocean Ter."}

# Equal Earth constants.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    """Equal Earth projection, unit sphere: returns (x, y) with y pointing north."""
    lam = math.radians(lon)
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


SCALE = WIDTH / (2 * equal_earth(180.0, 0.0)[0])
Y_TOP = equal_earth(0.0, LAT_TOP)[1]
HEIGHT = math.ceil((Y_TOP - equal_earth(0.0, LAT_BOTTOM)[1]) * SCALE)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Longitude/latitude -> viewBox coordinates (origin top-left, y down)."""
    x, y = equal_earth(lon, lat)
    return WIDTH / 2 + x * SCALE, (Y_TOP - y) * SCALE


# --- TopoJSON -------------------------------------------------------------------------------------


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Decode delta-encoded quantised arcs into lists of (lon, lat)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(fix_antimeridian(points))
    return arcs


def fix_antimeridian(points: list) -> list:
    """Quantisation turns +180° into -180°: a point on the antimeridian takes the side of
    its nearest neighbour that is not on it (else Russia and Fiji get a line across the map)."""
    on_edge = [abs(abs(lon) - 180) < 1e-9 for lon, _ in points]
    if not any(on_edge):
        return points
    out = list(points)
    n = len(points)
    for i in range(n):
        if not on_edge[i]:
            continue
        for step in range(1, n):
            side = None
            for j in (i - step, i + step):
                if 0 <= j < n and not on_edge[j]:
                    side = 1 if points[j][0] > 0 else -1
                    break
            if side is not None:
                out[i] = (180.0 * side, points[i][1])
                break
    return out


def split_at_antimeridian(points: list) -> list[list]:
    """Split an arc where it crosses the antimeridian (a jump of more than 180° in
    longitude), adding the crossing point on both edges: returns the pieces."""
    pieces = [[points[0]]]
    for p, q in zip(points, points[1:], strict=False):
        if abs(q[0] - p[0]) > 180:
            side = 1 if p[0] > 0 else -1
            edge = 180.0 * side
            q_lon = q[0] + 360 * side
            lat = p[1] if q_lon == p[0] else p[1] + (edge - p[0]) / (q_lon - p[0]) * (q[1] - p[1])
            pieces[-1].append((edge, lat))
            pieces.append([(-edge, lat)])
        pieces[-1].append(q)
    return pieces


def split_ring_at_edges(ring: list) -> list[list]:
    """A ring that crosses the antimeridian holds jumps from one map edge to the other
    (projected x differs by more than half the width): cut it there and join the parts
    of each side, which closes them along the map edge."""
    jumps = [i for i in range(len(ring) - 1) if abs(ring[i + 1][0] - ring[i][0]) > WIDTH / 2]
    if not jumps:
        return [ring]
    # Rotate so that the ring starts right after a jump, then cut at every jump.
    start = jumps[0] + 1
    rotated = ring[start:] + ring[1:start]  # ring[0] == ring[-1]: drop the duplicate
    parts, current = [], [rotated[0]]
    for p, q in zip(rotated, rotated[1:], strict=False):
        if abs(q[0] - p[0]) > WIDTH / 2:
            parts.append(current)
            current = []
        current.append(q)
    parts.append(current)
    west = [pt for part in parts if part[0][0] < WIDTH / 2 for pt in part]
    east = [pt for part in parts if part[0][0] >= WIDTH / 2 for pt in part]
    return [r for r in (west, east) if len(r) >= 3]


# --- Geometry helpers -----------------------------------------------------------------------------


def _seg_dist2(p, a, b) -> float:
    """Squared distance from point p to segment a-b."""
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    if dx == 0 and dy == 0:
        return (p[0] - ax) ** 2 + (p[1] - ay) ** 2
    t = ((p[0] - ax) * dx + (p[1] - ay) * dy) / (dx * dx + dy * dy)
    t = max(0.0, min(1.0, t))
    return (p[0] - ax - t * dx) ** 2 + (p[1] - ay - t * dy) ** 2


def douglas_peucker(points: list, tolerance: float) -> list:
    """Douglas-Peucker line simplification (iterative), keeps both end points."""
    n = len(points)
    if n < 3:
        return list(points)
    tol2 = tolerance * tolerance
    keep = [False] * n
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        first, last = stack.pop()
        best, index = 0.0, -1
        a, b = points[first], points[last]
        for i in range(first + 1, last):
            d = _seg_dist2(points[i], a, b)
            if d > best:
                best, index = d, i
        if index != -1 and best > tol2:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_arc(points: list, tolerance: float) -> list:
    """Simplify one arc. A closed arc (an island) is split at its farthest point from the
    start and the farthest points of both halves are always kept, so it stays a polygon."""
    if len(points) > 4 and points[0] == points[-1]:
        start = points[0]
        far = max(range(1, len(points) - 1), key=lambda i: _seg_dist2(points[i], start, start))
        out = []
        for part in (points[: far + 1], points[far:]):
            inner = range(1, len(part) - 1)
            if len(part) > 2:
                keep = max(inner, key=lambda i, part=part: _seg_dist2(part[i], part[0], part[-1]))
                half = douglas_peucker(part[: keep + 1], tolerance)[:-1] + douglas_peucker(
                    part[keep:], tolerance
                )
            else:
                half = list(part)
            out.extend(half if not out else half[1:])
        return out
    return douglas_peucker(points, tolerance)


def ring_area(ring: list) -> float:
    """Signed shoelace area."""
    s = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        s += x0 * y1 - x1 * y0
    return s / 2


def ring_centroid(ring: list) -> tuple[float, float]:
    a = ring_area(ring)
    if abs(a) < 1e-9:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        f = x0 * y1 - x1 * y0
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    return cx / (6 * a), cy / (6 * a)


def bbox_of(rings) -> list[float]:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return [min(xs), min(ys), max(xs), max(ys)]


def bbox_gap(a, b) -> float:
    """Distance between two boxes (0 when they overlap)."""
    dx = max(0.0, a[0] - b[2], b[0] - a[2])
    dy = max(0.0, a[1] - b[3], b[1] - a[3])
    return math.hypot(dx, dy)


def r1(v: float) -> float:
    return round(v + 0.0, 1) + 0.0  # + 0.0 turns -0.0 into 0.0


def fmt(v: float) -> str:
    """Compact number: 12.0 -> '12', 0.5 -> '.5', -0.5 -> '-.5'."""
    s = f"{v:.1f}".rstrip("0").rstrip(".")
    if s in ("-0", ""):
        return "0"
    if s.startswith("0."):
        return s[1:]
    if s.startswith("-0."):
        return "-" + s[2:]
    return s


def round_ring(ring: list) -> list:
    """Round to 0.1 unit and drop repeated points (and the closing point)."""
    out = []
    for x, y in ring:
        p = (r1(x), r1(y))
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def join_numbers(tokens: list[str]) -> str:
    """Join numbers with the fewest separators SVG path grammar allows: none before a
    '-', and none before a '.' when the previous number already has a decimal point."""
    out = ""
    prev = ""
    for tok in tokens:
        if out and not (tok.startswith("-") or (tok.startswith(".") and "." in prev)):
            out += " "
        out += tok
        prev = tok
    return out


def ring_to_path(ring: list) -> str:
    """Absolute M for the first point, relative l for the others, computed on rounded
    coordinates in tenths so that no rounding error accumulates."""
    pts = [(round(x * 10), round(y * 10)) for x, y in ring]
    tokens = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        tokens += [fmt((x1 - x0) / 10), fmt((y1 - y0) / 10)]
    return f"M{join_numbers([fmt(pts[0][0] / 10), fmt(pts[0][1] / 10)])}l{join_numbers(tokens)}z"


# --- Build ----------------------------------------------------------------------------------------


def build_level(topology: dict, projected: list, tolerance: float, min_area: float) -> dict:
    """Polygons per output key at one level of detail: {key: {alpha2, name, polys}} where
    polys is a list of (area, rings), largest first, rounded to 0.1 unit."""
    # Each projected arc is a list of pieces (more than one where it crosses the
    # antimeridian); pieces are simplified separately so the edge points stay.
    simplified = [[pt for piece in arc for pt in simplify_arc(piece, tolerance)] for arc in projected]
    unsimplified = [[pt for piece in arc for pt in piece] for arc in projected]

    def stitch(arc_indexes, arcs):
        ring = []
        for i in arc_indexes:
            pts = arcs[i] if i >= 0 else arcs[~i][::-1]
            ring.extend(pts if not ring else pts[1:])
        return ring

    def polygons_from(polygons, arcs):
        polys = []
        for polygon in polygons:
            outers = split_ring_at_edges(stitch(polygon[0], arcs))
            holes = [stitch(ring, arcs) for ring in polygon[1:]]
            for n, outer in enumerate(outers):
                rings = [round_ring(r) for r in [outer] + (holes if n == 0 else [])]
                rings = [r for r in rings if len(r) >= 3]
                if rings and abs(ring_area(rings[0])) > 0:
                    polys.append((abs(ring_area(rings[0])), rings))
        return polys

    groups: dict[str, dict] = {}
    for geom in topology["objects"]["countries"]["geometries"]:
        name = geom.get("properties", {}).get("name", "")
        gid = geom.get("id")
        if gid in DROP_IDS or name in DROP_NAMES:
            continue
        if gid is None and name in MERGE_INTO:
            gid = MERGE_INTO[name]
        if gid is None and name in KEEP_AS:
            key, alpha2, label = KEEP_AS[name]
        elif gid is None:
            print(f"warning: dropping {name!r}: no ISO id", file=sys.stderr)
            continue
        else:
            key = gid
            country = pycountry.countries.get(numeric=gid)
            if country is None:
                print(f"warning: dropping {name!r}: unknown ISO numeric {gid}", file=sys.stderr)
                continue
            alpha2 = country.alpha_2
            label = getattr(country, "common_name", None) or country.name
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        group = groups.setdefault(key, {"alpha2": alpha2, "name": label, "polygons": []})
        group["polygons"].extend(polygons)

    out = {}
    for key, group in sorted(groups.items()):
        polys = polygons_from(group["polygons"], simplified)
        if not polys:
            # Too small for the simplified arcs: use the unsimplified ones for this country.
            polys = polygons_from(group["polygons"], unsimplified)
        if not polys:
            print(f"warning: {group['name']} vanished at this resolution", file=sys.stderr)
            continue
        polys.sort(key=lambda p: -p[0])
        kept = [polys[0]] + [p for p in polys[1:] if p[0] >= min_area]
        # Drop tiny holes too.
        kept = [
            (a, [rings[0]] + [h for h in rings[1:] if abs(ring_area(h)) >= min_area]) for a, rings in kept
        ]
        out[key] = {"alpha2": group["alpha2"], "name": group["name"], "polys": kept}
    return out


def outline_path() -> str:
    """The map's edge (the ±180° meridians between LAT_BOTTOM and LAT_TOP, joined by the
    straight parallels), drawn as the sea behind the countries."""
    lats = [LAT_TOP - i for i in range(int(LAT_TOP - LAT_BOTTOM) + 1)]
    left = [project(-180.0, lat) for lat in lats]
    right = [project(180.0, lat) for lat in reversed(lats)]
    return ring_to_path(douglas_peucker(left, 0.1) + douglas_peucker(right, 0.1))


def build(topology: dict, tolerance: float, min_area: float, lo_tolerance: float, lo_min_area: float) -> dict:
    projected = [
        [[project(lon, lat) for lon, lat in piece] for piece in split_at_antimeridian(arc)]
        for arc in decode_arcs(topology)
    ]
    fine = build_level(topology, projected, tolerance, min_area)
    coarse = build_level(topology, projected, lo_tolerance, lo_min_area)

    countries = {}
    for key, item in fine.items():
        polys = item["polys"]
        largest_area, largest_rings = polys[0]
        # Main extent: the largest polygon, plus parts that are big or close to it.
        core = bbox_of([largest_rings[0]])
        diag = math.hypot(core[2] - core[0], core[3] - core[1])
        main = [
            rings[0]
            for area, rings in polys
            if area >= 0.2 * largest_area or bbox_gap(core, bbox_of([rings[0]])) <= 0.25 * diag
        ]
        all_rings = [ring for _, rings in polys for ring in rings]
        lo_rings = [ring for _, rings in coarse.get(key, item)["polys"] for ring in rings]
        cx, cy = ring_centroid(largest_rings[0])
        countries[key] = {
            "alpha2": item["alpha2"],
            "name": item["name"],
            "label": [r1(cx), r1(cy)],
            "bbox": [r1(v) for v in bbox_of(main)],
            "extent": [r1(v) for v in bbox_of(all_rings)],
            "d": "".join(ring_to_path(ring) for ring in all_rings),
            "d_lo": "".join(ring_to_path(ring) for ring in lo_rings),
        }
    return {
        "meta": {
            "source": "world-atlas {version} countries-50m.json: Natural Earth 1:50m Admin 0 countries, "
            "public domain",
            "projection": "Equal Earth",
            "lat_range": [LAT_BOTTOM, LAT_TOP],
            "viewBox": [0, 0, int(WIDTH), HEIGHT],
            "outline": outline_path(),
            "tolerance": tolerance,
            "min_area": min_area,
            "lo_tolerance": lo_tolerance,
            "lo_min_area": lo_min_area,
            "built_by": "scripts/build_map.py",
        },
        "countries": countries,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="countries-50m.json from the world-atlas npm package")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tolerance", type=float, default=0.15, help="detailed paths (d), viewBox units")
    parser.add_argument("--min-area", type=float, default=0.1, help="detailed paths: smallest island kept")
    parser.add_argument("--lo-tolerance", type=float, default=0.4, help="world-view paths (d_lo)")
    parser.add_argument("--lo-min-area", type=float, default=0.5, help="world-view paths: smallest island")
    parser.add_argument(
        "--atlas-version", default="", help="world-atlas version (read from package.json next to the input)"
    )
    args = parser.parse_args(argv)

    topology = json.loads(args.topojson.read_text(encoding="utf-8"))
    version = args.atlas_version
    package_json = args.topojson.parent / "package.json"
    if not version and package_json.exists():
        version = json.loads(package_json.read_text(encoding="utf-8")).get("version", "")
    data = build(topology, args.tolerance, args.min_area, args.lo_tolerance, args.lo_min_area)
    data["meta"]["source"] = data["meta"]["source"].format(version=version or "2.x")
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    # One country per line keeps diffs readable and the file greppable.
    text = text.replace(',"countries":{"', ',"countries":{\n"').replace('},"', '},\n"')
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(
        f"{args.out}: {len(data['countries'])} countries, {len(text.encode()) / 1024:.0f} KiB, "
        f"viewBox {' '.join(map(str, data['meta']['viewBox']))}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
