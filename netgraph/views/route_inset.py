"""The route map's automatic inset: where more than ``CROWD_STOPS - 1`` stops crowd a small area, a zoomed panel.

All geometry is in map pixels and deterministic (ties broken by place id, candidates tried in a fixed order):

- **Crowd**: stops are linked when their dots lie within a link of each other (a label's height, or up to
  twice that if no crowd is found at a shorter link: the tightest crowd first). A group of linked stops (split
  with a shorter link while wider or taller than ``crowd_box``: 12 % of the map's width, less if the inset
  could not zoom ``MIN_ZOOM`` times on it) is crowded when it has at least ``CROWD_STOPS`` stops and the map
  could not label all of them. The densest crowd (most stops, then the smallest box, then the first id) gets
  the inset (the next if its panel would do more harm than good, see below); none when nothing is crowded.
- **Area**: the crowd's box with room around it, widened to the panel's aspect; zoom ``k`` = panel width ÷
  area width (at most ``MAX_ZOOM``). Every stop inside the area is in the inset, not only the crowd.
- **Panel**: ``INSET_W`` × ``INSET_H`` (or 85 %, 70 % of it) at one of nine positions (corners, side
  middles, centre) clear of the area, the legend and the note: the one that hides the fewest stops, then
  costs the fewest labels (on the map and in the inset), then is the largest, then covers the fewest points
  of legs. A panel that would hide or unlabel as many places as it newly labels is not drawn: the next
  crowd (of at most ``TRIES``) is tried, and if none serves, there is no inset.
- **Labels**: every stop in the inset gets a label beside its dot, or further out with a leader line; no label
  overlaps another label, a dot or a leader; a label with no room is reported.
"""
from __future__ import annotations

import math

CROWD_STOPS = 5      # a crowd is more than 4 stops ...
CROWD_BOX_SHARE = 0.12  # ... within a box at most 12 % of the map's width ...
MIN_ZOOM, MAX_ZOOM = 3.0, 24.0  # ... and small enough for the inset to zoom at least 3 times
LINK_FACTORS = (1, 1.25, 1.5, 1.75, 2)  # the link between stops of a crowd, in label heights, shortest first
PAD = 0.25  # room around the crowd in the inset, a share of the crowd's extent (each side)
INSET_W, INSET_H, INSET_HEAD = 400, 300, 18  # the panel's map and its caption strip, px (at its largest)
PANEL_SCALES = (1.0, 0.85, 0.7)
TRIES = 5  # crowds tried for an inset, best first


def crowds(points: dict[str, tuple[float, float]], link: float, box: float) -> list[list[str]]:
    """Groups of places whose dots are chained within ``link`` px of each other, each no wider or taller than
    ``box`` (a wider group is split again with a shorter link); sorted ids in each group."""
    ids = sorted(points)
    parent = {p: p for p in ids}

    def root(p):
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p
    for i, a in enumerate(ids):
        ax, ay = points[a]
        for b in ids[i + 1:]:
            if math.hypot(points[b][0] - ax, points[b][1] - ay) <= link:
                parent[max(root(a), root(b))] = min(root(a), root(b))
    groups: dict[str, list[str]] = {}
    for p in ids:
        groups.setdefault(root(p), []).append(p)
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        x0, y0, x1, y1 = bbox([points[p] for p in group])
        if x1 - x0 <= box and y1 - y0 <= box:
            out.append(group)
        elif link * 0.7 >= 2:
            out.extend(crowds({p: points[p] for p in group}, link * 0.7, box))
    return out


def bbox(xy) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in xy], [p[1] for p in xy]
    return min(xs), min(ys), max(xs), max(ys)


def crowd_box(width: float) -> float:
    """The widest (and tallest) a crowd may be, px: 12 % of the map's ``width``, or less so that the largest
    panel still zooms ``MIN_ZOOM`` times."""
    return min(CROWD_BOX_SHARE * width, INSET_W / MIN_ZOOM / (1 + 2 * PAD))


def crowd_candidates(points: dict, labelled, link: float, box: float, least: int = CROWD_STOPS) -> list[list[str]]:
    """The crowds an inset may zoom on, best first: groups of at least ``least`` stops of which the map could
    not label all, chained at ``link``, then 1.25, 1.5, 1.75 and 2 times it (the tightest first); at one link,
    the most stops, then the smallest box, then the first id. Empty when no place is crowded."""
    def size(group):
        x0, y0, x1, y1 = bbox([points[p] for p in group])
        return (-len(group), round((x1 - x0) * (y1 - y0), 6), group[0])
    out = []
    for factor in LINK_FACTORS:
        found = [g for g in crowds(points, link * factor, box)
                 if len(g) >= least and any(p not in labelled for p in g)]
        out.extend(g for g in sorted(found, key=size) if g not in out)
    return out


def zoom_area(box: tuple, panel_w: float, panel_h: float) -> tuple[tuple, float]:
    """The main-map area the inset shows (the crowd's ``box`` with room around, to the aspect of the panel's
    map, ``panel_w`` × ``panel_h``) and its zoom."""
    x0, y0, x1, y1 = box
    pad = max(PAD * max(x1 - x0, y1 - y0), 8.0)
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad
    w = max(w, h * panel_w / panel_h, panel_w / MAX_ZOOM)
    h = w * panel_h / panel_w
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    area = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
    return area, panel_w / w


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(point, box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def panel_candidates(area: tuple, points: dict, leg_points: list, keep_clear: list, size: tuple,
                     width: float, height: float, bottom: float) -> list[tuple[tuple, list[str], int]]:
    """The possible boxes (x0, y0, x1, y1) of a panel of ``size`` (w, h with its caption strip), in a fixed
    order (rows top to bottom, then left to right), each with the places it hides (dot under it, or within
    8 px) and the leg points under it; only boxes clear of the zoomed ``area`` (by a gap) and of
    ``keep_clear`` (legend, note)."""
    pw, ph = size
    gap = 10
    guard = (area[0] - gap, area[1] - gap, area[2] + gap, area[3] + gap)
    out = []
    for y in (12, (height - ph) / 2, bottom - ph):
        for x in (12, (width - pw) / 2, width - 12 - pw):
            panel = (x, y, x + pw, y + ph)
            if overlap(panel, guard) or any(overlap(panel, k) for k in keep_clear):
                continue
            near = (x - 8, y - 8, x + pw + 8, y + ph + 8)
            hidden = sorted(p for p, xy in points.items() if inside(xy, near))
            out.append((panel, hidden, sum(inside(xy, panel) for xy in leg_points)))
    return out


def connectors(area: tuple, panel: tuple) -> list[tuple]:
    """Lines from corners of the zoomed area to the same corners of the panel that cross neither box."""
    corners = lambda b: [(b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3])]  # noqa: E731
    out = []
    for a, p in zip(corners(area), corners(panel)):
        samples = [(a[0] + (p[0] - a[0]) * t / 20, a[1] + (p[1] - a[1]) * t / 20) for t in range(1, 20)]
        if not any(_strictly_inside(s, area) or _strictly_inside(s, panel) for s in samples):
            out.append((a[0], a[1], p[0], p[1]))
    return out[:2]


def _strictly_inside(point, box) -> bool:
    return box[0] < point[0] < box[2] and box[1] < point[1] < box[3]


DIRECTIONS = ((1, 0), (-1, 0), (0, -1), (0, 1), (0.7, -0.7), (-0.7, -0.7), (0.7, 0.7), (-0.7, 0.7))
DISTANCES = (7, 18, 30, 44, 60, 80)  # px from the dot to the label's near side; beyond the first, a leader


def label_size(text: str, font: float) -> tuple[float, float]:
    return len(text) * font * 0.6 + 4, font + 3


def place_labels(names: dict[str, str], points: dict[str, tuple[float, float]], order: list[str],
                 region: tuple, font: float) -> tuple[dict, list[str]]:
    """Label every place of ``order`` inside ``region``: {id: {"text", "x", "y", "anchor", "box",
    "leader"}} and the ids with no room. Boxes overlap no other box, dot or leader; leaders cross no box."""
    dots = {p: (x - 5, y - 5, x + 5, y + 5) for p, (x, y) in points.items()}
    taken, leaders, out, missed = [], [], {}, []
    for place in order:
        x, y = (float(v) for v in points[place])
        width, height = label_size(names[place], font)
        for r in DISTANCES:
            for ux, uy in DIRECTIONS:
                left = x + ux * r if ux > 0 else x + ux * r - width if ux < 0 else x - width / 2
                top = y + uy * r if uy > 0 else y + uy * r - height if uy < 0 else y - height / 2
                box = (left, top, left + width, top + height)
                if not (region[0] <= box[0] and box[2] <= region[2] and region[1] <= box[1] and
                        box[3] <= region[3]):
                    continue
                if any(overlap(box, b) for b in taken) or any(overlap(box, d) for d in dots.values()):
                    continue
                leader = None
                if r > DISTANCES[0]:
                    end = (min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3]))
                    leader = (x, y, end[0], end[1])
                    if any(_segment_hits(leader, b) for b in taken) or \
                            any(_segment_hits(leader, d) for p, d in dots.items() if p != place):
                        continue
                if any(_segment_hits(seg, box) for seg in leaders):
                    continue
                anchor = "start" if ux > 0 else "end" if ux < 0 else "middle"
                tx = box[0] + 2 if anchor == "start" else box[2] - 2 if anchor == "end" else (box[0] + box[2]) / 2
                taken.append(box)
                if leader:
                    leaders.append(leader)
                out[place] = {"text": names[place], "x": tx, "y": box[3] - 3, "anchor": anchor, "box": box,
                              "leader": leader}
                break
            if place in out:
                break
        else:
            missed.append(place)
    return out, missed


def _segment_hits(segment, box) -> bool:
    """Whether a segment passes through a box (sampled; the boxes are at least a few px wide)."""
    x1, y1, x2, y2 = segment
    steps = max(2, int(math.hypot(x2 - x1, y2 - y1) / 2))
    return any(_strictly_inside((x1 + (x2 - x1) * t / steps, y1 + (y2 - y1) * t / steps), box)
               for t in range(1, steps))
