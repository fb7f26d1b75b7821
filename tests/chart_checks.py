"""Geometry of a drawn court chart, read from the figure's artists as matplotlib renders them (not from the
layout's own bookkeeping): what issue 30 asks a chart to guarantee."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

SLACK = 0.5  # pixels: touching is not overlapping


def drawn(figure, dpi: float = 100) -> dict:
    """Markers (centre, radius), text boxes, line polylines and box rectangles of the chart, in pixels."""
    figure.set_dpi(dpi)
    renderer = FigureCanvasAgg(figure).get_renderer()  # text extents need a renderer, not a rasterised page
    ax = figure.axes[0]
    out = {"nodes": {}, "labels": {}, "link_labels": {}, "titles": {}, "lines": {}, "boxes": {}}
    for artist in ax.collections:
        gid = artist.get_gid() or ""
        if gid.startswith("ng-node-"):
            (x, y), = artist.get_offset_transform().transform(artist.get_offsets())
            radius = math.sqrt(artist.get_sizes()[0]) / 2 * dpi / 72
            out["nodes"][int(gid.removeprefix("ng-node-"))] = (x, y, radius)
    for text in ax.texts:
        gid = text.get_gid() or ""
        if gid.startswith("ng-label-"):
            out["labels"][int(gid.removeprefix("ng-label-"))] = tuple(text.get_window_extent(renderer).extents)
        elif gid.startswith("ng-link-"):
            patch = text.get_bbox_patch()
            if patch is not None:
                text.update_bbox_position_size(renderer)  # the patch follows its text only when drawn
            box = patch.get_window_extent(renderer) if patch is not None else text.get_window_extent(renderer)
            out["link_labels"][gid.removeprefix("ng-link-")] = tuple(box.extents)
        elif gid.startswith("ng-group-title-"):
            out["titles"][gid.removeprefix("ng-group-title-")] = tuple(text.get_window_extent(renderer).extents)
    for line in ax.lines:
        gid = line.get_gid() or ""
        if gid.startswith("ng-line-"):
            out["lines"][gid.removeprefix("ng-line-")] = ax.transData.transform(line.get_xydata())
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("ng-group-") and not gid.startswith("ng-group-title-"):
            out["boxes"][gid.removeprefix("ng-group-")] = tuple(patch.get_window_extent(renderer).extents)
    return out


def _overlap(a, b) -> bool:
    return a[0] < b[2] - SLACK and b[0] < a[2] - SLACK and a[1] < b[3] - SLACK and b[1] < a[3] - SLACK


def _segment_distance(point, a, b) -> float:
    p, a, b = np.asarray(point), np.asarray(a), np.asarray(b)
    ab = b - a
    t = 0.0 if not ab.any() else float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0, 1))
    return float(np.linalg.norm(p - (a + t * ab)))


def _crosses_box(a, b, box) -> bool:
    """Whether the segment a–b enters the rectangle's interior (Liang–Barsky clipping, SLACK inside)."""
    x0, y0, x1, y1 = box[0] + SLACK, box[1] + SLACK, box[2] - SLACK, box[3] - SLACK
    if x0 >= x1 or y0 >= y1:
        return False
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def problems(figure, links) -> list[str]:
    """Every broken guarantee of a drawn chart (empty when it keeps them all): a line within a node's radius
    or over a node's label or a group's title, when the node is not one of its ends; two labels overlapping;
    a line's label on a node; a line into a group's box not ending at the member it joins or on the box's
    edge; a label outside the drawing. ``links``: objects with ref, a, b and kind (the chart's links,
e.g. ``result.links.itertuples()``)."""
    found = drawn(figure)
    keys = sorted(figure.geometry.nodes)
    index = {key: i for i, key in enumerate(keys)}
    out = []
    for link in links:
        if link.kind == "group":
            continue
        points = found["lines"][link.ref]
        ends = {index[k] for k in (link.a, link.b) if k in index}
        for i, (x, y, radius) in found["nodes"].items():
            if i in ends:
                continue
            near = min(_segment_distance((x, y), a, b) for a, b in zip(points, points[1:]))
            if near < radius:
                out.append(f"line {link.ref} passes {near:.1f} px from node {keys[i]} (radius {radius:.1f})")
        for i, box in found["labels"].items():
            if i not in ends and any(_crosses_box(a, b, box) for a, b in zip(points, points[1:])):
                out.append(f"line {link.ref} crosses the label of {keys[i]}")
        for g, box in found["titles"].items():
            if any(_crosses_box(a, b, box) for a, b in zip(points, points[1:])):
                out.append(f"line {link.ref} crosses group {g}'s title")
        start = found["nodes"][index[link.a]]
        if np.hypot(*(points[0] - start[:2])) > 1:
            out.append(f"line {link.ref} does not start at {link.a}")
        if link.b in index:
            end = found["nodes"][index[link.b]]
            if np.hypot(*(points[-1] - end[:2])) > 1:
                out.append(f"line {link.ref} does not end at {link.b}")
        else:
            x0, y0, x1, y1 = found["boxes"][link.b]
            x, y = points[-1]
            on_edge = (x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1 and
                       min(abs(x - x0), abs(x - x1), abs(y - y0), abs(y - y1)) <= 1)
            if not on_edge:
                out.append(f"line {link.ref} to group {link.b} does not end on its box's edge")
    texts = [(f"label {keys[i]}", box) for i, box in found["labels"].items()] + \
        [(f"line label {ref}", box) for ref, box in found["link_labels"].items()] + \
        [(f"group {g}'s title", box) for g, box in found["titles"].items()]
    for n, (name, box) in enumerate(texts):
        for other, second in texts[n + 1:]:
            if _overlap(box, second):
                out.append(f"{name} overlaps {other}")
    for ref, box in found["link_labels"].items():
        for i, (x, y, radius) in found["nodes"].items():
            if _overlap(box, (x - radius, y - radius, x + radius, y + radius)):
                out.append(f"line label {ref} sits on node {keys[i]}")
    area = figure.axes[0].get_window_extent().extents
    for name, box in texts:
        if box[0] < area[0] - 2 or box[2] > area[2] + 2 or box[1] < area[1] - 2 or box[3] > area[3] + 2:
            out.append(f"{name} is outside the drawing")
    return out
