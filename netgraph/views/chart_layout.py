"""The court chart's geometry: nodes on a grid, lines routed orthogonally in the channels between cells.

Why this layout: a court chart must not suggest a tie no record asserts, so a line may never pass over a
person it does not join, and no label may sit on another. Straight lines between grid cells cannot promise
that (a segment between two people runs through whoever stands between them). Here every node sits in a cell
of a grid (Kamada–Kawai positions snapped to the nearest free cell, a dense group as one block of cells); the
space between rows and columns is kept free of nodes and labels, and every line runs in it: up from its node
(a short fan from the marker to the cell's top edge), along the channel above the row, down or up the channel
between columns, and into the other node from above, the way wiring diagrams and i2-style charts are drawn.
Each line has its own track in every channel it uses (tracks are assigned like intervals on a line, so two
lines never run on top of each other), and its label (``12 · E7``) sits on one of its horizontal runs, in a
lane as tall as the label. So, by construction:

- no line passes over a node or a node's label (nodes and labels are in cells, lines in channels, and the fan
  into a node stays above its own label);
- no two labels overlap (node labels are wrapped to their cell; line labels sit in their own lane);
- a line into a group box ends at the member it joins; a line standing for ties to several members ends on
  the box's top edge.

Graphviz (``dot`` with clusters, or ``neato`` with spline routing) would route around nodes too, but needs a
system binary that no maintained PyPI wheel ships, so ``make demo`` would need apt; this router is ~300 lines
of plain Python and fast for the sizes a court chart has (a few hundred entities at most).

>>> geometry = chart_geometry({"a": {"kind": "person", "label": "An", "suspect": True},
...                            "b": {"kind": "person", "label": "Bình", "suspect": False}},
...                           [("E1", "a", "b", "12 · E1")], {}, ["a"], seed=0)
>>> len(geometry.paths["E1"]) >= 4, geometry.size[0] > 0
(True, True)
"""
from __future__ import annotations

import heapq
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import igraph as ig

from ..analysis.communities import _seeded

COLUMN = 1.45  # a cell's width, inches at full size
TOP = 0.17  # a cell's top edge to its marker's centre (the fan of lines into the node is drawn here)
BELOW = 0.11  # the marker's centre to the top of its label
LINE = 0.125  # a line of a node's label (7.2 pt)
PAD = 0.05  # under a node's label
NODE_FONT, LINK_FONT = 7.2, 5.8  # points at full size
LANE, THIN = 0.125, 0.045  # a track's height in a horizontal channel: with a line label on it, without one
V_TRACK = 0.05  # a track's width in a vertical channel
MIN_CHANNEL = 0.09
PORT_GAP = 0.08  # between neighbouring lines where they meet a node
MAX_LABEL_LINES = 3
MARKER_AREA = {True: 150, False: 80}  # scatter sizes (points²): suspects, others
CHAR = 0.62  # a character column's width, in ems (a generous estimate for DejaVu Sans)
STEP_COST = {"H": 0.75, "V": 0.62}
BEND_COST, BUSY_COST = 0.8, 0.2
ASPECT = 0.6  # columns per row of the grid: a landscape page of cells much wider than tall


def _columns(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def text_width(value: str) -> int:
    """Columns ``value`` takes: a wide East Asian character counts two."""
    return sum(map(_columns, value))


def wrap(value: str, width: float) -> list[str]:
    """``value`` in lines of at most ``width`` columns (a wide East Asian character counts two), broken at
    spaces where it can be, inside a word only where the word is longer than a line.

    >>> wrap("Công ty TNHH Xuất nhập khẩu Hải Hà", 16), wrap("2019-01-05", 10)
    (['Công ty TNHH', 'Xuất nhập khẩu', 'Hải Hà'], ['2019-01-05'])
    """
    lines, line = [], ""
    for word in str(value).split(" "):
        while text_width(word) > width:  # a word longer than a line: cut it where the line is full
            room = width - text_width(line) - (1 if line else 0)
            head = ""
            for ch in word:
                if text_width(head + ch) > room:
                    break
                head += ch
            if not head:
                lines.append(line)
                line = ""
                continue
            lines.append(f"{line} {head}" if line else head)
            line, word = "", word[len(head):]
        if line and text_width(line) + 1 + text_width(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + [line] if line or not lines else lines


def fit(value: str, width: float) -> str:
    """``value`` cut to ``width`` columns, with … if cut.

    >>> fit("Nguyễn Văn Hùng", 8), fit("阮文雄", 5)
    ('Nguyễn …', '阮文…')
    """
    if text_width(value) <= width:
        return value
    out, used = [], 0
    for ch in value:
        if used + _columns(ch) > width - 1:
            break
        out.append(ch)
        used += _columns(ch)
    return "".join(out) + "…"


def label_lines(value: str, width: float) -> list[str]:
    """A node's label wrapped to ``width`` columns, at most MAX_LABEL_LINES lines (the last cut with … only
    for a name longer than that)."""
    lines = wrap(value, width)
    if len(lines) > MAX_LABEL_LINES:
        lines = lines[:MAX_LABEL_LINES - 1] + [fit(" ".join(lines[MAX_LABEL_LINES - 1:]), width)]
    return lines


def inches(columns: float, font: float) -> float:
    """Width in inches of ``columns`` character columns at ``font`` points."""
    return columns * CHAR * font / 72


@dataclass
class Geometry:
    """The chart in inches at full size, y upwards from the drawing's bottom edge; ``scale`` shrinks it to
    the page. Paths are polylines from one entity's marker to the other's (or to a group box's edge)."""
    size: tuple[float, float]
    nodes: dict[str, tuple[float, float]]  # entity → marker centre
    labels: dict[str, tuple[list[str], float, float]]  # entity → (lines, x centre, y top)
    boxes: dict[str, tuple[float, float, float, float]]  # group → (x0, y0, x1, y1)
    titles: dict[str, tuple[list[str], float, float]]  # group → (lines, x left, y top)
    paths: dict[str, list[tuple[float, float]]] = field(default_factory=dict)  # link ref → polyline
    link_labels: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)  # ref → box
    scale: float = 1.0
    page: str = "A4"  # the paper the chart page is drawn on


# --- cells: Kamada–Kawai, then each node (or group block) to the nearest free cell of a grid -----------------

def grid_cells(entities, pairs, groups, suspects, seed, cells_wanted=1.8):
    """Cell (column, row) of every entity and block (column, row, columns, rows) of every group, on a grid with
    about ``cells_wanted`` cells per unit; empty rows and columns removed: (cells, blocks, (cols, rows))."""
    member_of = {m: g for g, members in groups.items() for m in members}
    units = [e for e in entities if e not in member_of] + list(groups)
    index = {u: i for i, u in enumerate(units)}
    edges = {tuple(sorted((index[member_of.get(a, a)], index[member_of.get(b, b)]))) for a, b in pairs}
    graph = ig.Graph(n=len(units), edges=sorted(p for p in edges if p[0] != p[1]))
    with _seeded(seed):
        coords = graph.layout_kamada_kawai().coords if len(units) > 1 else [(0.0, 0.0)] * len(units)
    shapes = {g: max(1, math.ceil(math.sqrt(len(m) * 0.75))) for g, m in groups.items()}
    shapes = {g: (c, math.ceil(len(groups[g]) / c) + 1) for g, c in shapes.items()}  # + a title row
    needed = len(units) - len(groups) + sum((c + 2) * (r + 2) for c, r in shapes.values())
    cols = max([math.ceil(math.sqrt(cells_wanted * needed * ASPECT))] + [c + 2 for c, _ in shapes.values()])
    rows = max([math.ceil(cells_wanted * needed / cols)] + [r + 2 for _, r in shapes.values()])
    xs, ys = [c[0] for c in coords] or [0.0], [c[1] for c in coords] or [0.0]
    degree = Counter(u for a, b in pairs for u in (member_of.get(a, a), member_of.get(b, b)))
    order = sorted((u for u in units if u not in groups), key=lambda u: (u not in suspects, -degree[u], u))
    while True:  # a grid too small for the groups' blocks and the rest grows
        targets = [(fx * (cols - 1), fy * (rows - 1)) for fx, fy in zip(_unit(xs), _unit(ys))]
        placed = _place(entities, groups, shapes, order, dict(zip(units, targets)), cols, rows)
        if placed is not None:
            return _compress(*placed)
        cols, rows = cols + 1, rows + 1


def _unit(values: list[float]) -> list[float]:
    """``values`` scaled to 0–1 (all 0.5 when they are equal)."""
    low, high = min(values), max(values)
    return [(v - low) / (high - low) if high > low else 0.5 for v in values]


def _place(entities, groups, shapes, order, target, cols, rows):
    """Each group's block (with a free ring around it), then each other unit, in the free cell nearest its
    target: (cells, blocks), or None if the grid has no room."""
    taken: set = set()
    blocks = {}
    for g in sorted(groups, key=lambda g: -len(groups[g])):
        c, r = shapes[g]
        tx, ty = target[g]
        options = [(x, y) for x in range(cols - c + 1) for y in range(rows - r + 1)
                   if not any((x + i, y + j) in taken for i in range(c) for j in range(r))]
        if not options:
            return None
        x, y = min(options, key=lambda o: ((o[0] + (c - 1) / 2 - tx) ** 2 + ((o[1] + (r - 1) / 2 - ty) * 2) ** 2, o))
        blocks[g] = (x, y, c, r)
        taken |= {(x + i, y + j) for i in range(-1, c + 1) for j in range(-1, r + 1)}  # and a free ring around
    cells = {}
    for g, (x, y, c, r) in blocks.items():
        for k, m in enumerate(sorted(groups[g], key=lambda m: entities[m]["label"].casefold())):
            cells[m] = (x + k % c, y + 1 + k // c)
    free = [(x, y) for x in range(cols) for y in range(rows) if (x, y) not in taken]
    if len(free) < len(order):
        return None
    for u in order:
        tx, ty = target[u]
        best = min(free, key=lambda o: ((o[0] - tx) ** 2 + ((o[1] - ty) * 2) ** 2, o))
        free.remove(best)
        cells[u] = best
    return cells, blocks


def _compress(cells, blocks):
    """The grid without its empty columns and rows."""
    used_x = {x for x, _ in cells.values()} | {x + i for x, _, c, _ in blocks.values() for i in range(c)}
    used_y = {y for _, y in cells.values()} | {y + j for _, y, _, r in blocks.values() for j in range(r)}
    new_x = {x: i for i, x in enumerate(sorted(used_x))}
    new_y = {y: j for j, y in enumerate(sorted(used_y))}
    cells = {k: (new_x[x], new_y[y]) for k, (x, y) in cells.items()}
    blocks = {g: (new_x[x], new_y[y], c, r) for g, (x, y, c, r) in blocks.items()}
    return cells, blocks, (max(len(new_x), 1), max(len(new_y), 1))


# --- routing: shortest paths on the channels' grid, then a track for each run ---------------------------------

class _Channels:
    """The channels as a grid of points (q, p). Even q: horizontal channel q/2 (0 above the first row … rows
    below the last); odd q: the height of row (q-1)/2's side ports. Even p: vertical channel p/2 (0 left of the
    first column); odd p: above column (p-1)/2. Lines move along q only at even p, along p only at even q.
    Inside a group's box only the lines of its members may run; none crosses its title row."""

    def __init__(self, cols, rows, blocks):
        self.cols, self.rows = cols, rows
        self.inside: dict[tuple, str] = {}  # ("H", j, p_low) or ("V", i, q_low) → group; "" = closed to all
        for g, (x, y, c, r) in blocks.items():
            for j in range(y + 1, y + r):
                for p in range(2 * x, 2 * (x + c)):
                    self.inside[("H", j, p)] = g
            for i in range(x + 1, x + c):
                for q in range(2 * y, 2 * (y + r)):
                    self.inside[("V", i, q)] = "" if q < 2 * y + 2 else g
        self.busy: Counter = Counter()

    def moves(self, point):
        q, p = point
        if q % 2 == 0:
            for n in (p - 1, p + 1):
                if 0 <= n <= 2 * self.cols:
                    yield (q, n), "H", ("H", q // 2, min(p, n))
        if p % 2 == 0:
            for n in (q - 1, q + 1):
                if 0 <= n <= 2 * self.rows:
                    yield (n, p), "V", ("V", p // 2, min(q, n))

    def route(self, starts, targets, groups) -> list[tuple[int, int]]:
        """The cheapest path from any of ``starts`` to any of ``targets`` (length, bends, busy segments) with
        at least one horizontal run (where its label goes); ``groups``: the boxes this line may enter."""
        targets = set(targets)
        tq = sum(t[0] for t in targets) / len(targets)
        tp = sum(t[1] for t in targets) / len(targets)

        def guess(point):
            return (abs(point[1] - tp) * STEP_COST["H"] + abs(point[0] - tq) * STEP_COST["V"]) * 0.4

        queue = [(guess(s), 0.0, n, (s, "", False)) for n, s in enumerate(sorted(starts))]
        heapq.heapify(queue)
        best = {state: 0.0 for *_, state in queue}
        came: dict = {}
        counter = len(queue)
        while queue:
            _, cost, _, state = heapq.heappop(queue)
            point, axis, level = state
            if point in targets and level:
                path = [point]
                while state in came:
                    state = came[state]
                    path.append(state[0])
                return path[::-1]
            if cost > best.get(state, math.inf):
                continue
            for nxt, move, segment in self.moves(point):
                owner = self.inside.get(segment)
                if owner is not None and owner not in groups:
                    continue
                total = cost + STEP_COST[move] + BUSY_COST * self.busy[segment] + \
                    (BEND_COST if axis and axis != move else 0)
                after = (nxt, move, level or move == "H")
                if total < best.get(after, math.inf):
                    best[after] = total
                    came[after] = state
                    counter += 1
                    heapq.heappush(queue, (total + guess(nxt), total, counter, after))
        raise RuntimeError("no route between two cells of the chart")  # the channels are connected: cannot happen

    def claim(self, path):
        for a, b in zip(path, path[1:]):
            if a[0] == b[0]:
                self.busy[("H", a[0] // 2, min(a[1], b[1]))] += 1
            else:
                self.busy[("V", a[1] // 2, min(a[0], b[0]))] += 1


def _runs(path):
    """A path's maximal straight runs: ("H", channel j, p0, p1) or ("V", channel i, q0, q1), in path order."""
    runs = []
    for a, b in zip(path, path[1:]):
        axis = "H" if a[0] == b[0] else "V"
        if runs and runs[-1][0] == axis:
            runs[-1][3] = b[1] if axis == "H" else b[0]
        else:
            runs.append([axis, a[0] // 2, a[1], b[1]] if axis == "H" else [axis, a[1] // 2, a[0], b[0]])
    return [tuple(r) for r in runs]


def _tracks(runs_by_channel):
    """Track of every run: runs in one channel that overlap or touch get different tracks (interval
    colouring, lowest free track first, in order of start). Returns (run key → track, channel → tracks)."""
    track, count = {}, {}
    for channel, runs in runs_by_channel.items():
        ends: list[float] = []
        for key, low, high in sorted(runs, key=lambda r: (r[1], r[2], r[0])):
            free = next((t for t, end in enumerate(ends) if end < low), None)
            if free is None:
                free = len(ends)
                ends.append(high)
            else:
                ends[free] = high
            track[key] = free
        count[channel] = len(ends)
    return track, count


def _ends(key, cells, blocks):
    """Where a node's (or a box's) lines may start: the top edge, and the left and right edges above the
    label, as (q, p) points."""
    if key in blocks:
        x, y, c, r = blocks[key]
        return [(2 * y, 2 * (x + k) + 1) for k in range(c)] + \
            [(2 * (y + k) + 1, side) for k in range(r) for side in (2 * x, 2 * (x + c))]
    x, y = cells[key]
    return [(2 * y, 2 * x + 1), (2 * y + 1, 2 * x), (2 * y + 1, 2 * x + 2)]


def chart_geometry(entities, links, groups, suspects, seed=0, titles=None) -> Geometry:
    """Where everything on the chart goes, at full size. ``links``: (ref, a, b, label text), ``b`` an entity or
    a group (a line to the box's edge); ``titles``: group → its title (wrapped to the box's width)."""
    titles = titles or {}
    cells, blocks, (cols, rows) = grid_cells(entities, [(a, b) for _, a, b, _ in links], groups, suspects, seed)
    member_of = {m: g for g, members in groups.items() for m in members}
    channels = _Channels(cols, rows, blocks)

    def span(link):
        (qa, pa), (qb, pb) = _ends(link[1], cells, blocks)[0], _ends(link[2], cells, blocks)[0]
        return abs(pa - pb) + abs(qa - qb)

    paths = {}
    for ref, a, b, _ in sorted(links, key=lambda x: (-span(x), x[0])):  # the longest lines first
        paths[ref] = channels.route(_ends(a, cells, blocks), _ends(b, cells, blocks),
                                    {member_of.get(a), member_of.get(b)} - {None})
        channels.claim(paths[ref])
    runs = {ref: _runs(path) for ref, path in paths.items()}
    by_channel: dict[tuple, list] = {}
    for ref, parts in runs.items():
        for n, (axis, channel, low, high) in enumerate(parts):
            by_channel.setdefault((axis, channel), []).append(((ref, n), min(low, high), max(low, high)))
    track, count = _tracks(by_channel)
    carrier = {ref: max((n for n, r in enumerate(parts) if r[0] == "H"),
                        key=lambda n: (abs(parts[n][3] - parts[n][2]), -n))
               for ref, parts in runs.items()}  # the run that carries the line's label: its longest horizontal one
    labelled = {(runs[ref][n][1], track[(ref, n)]) for ref, n in carrier.items()}
    lanes = {j: [LANE if (j, t) in labelled else THIN for t in range(count.get(("H", j), 0))] for j in range(rows + 1)}
    # sizes: columns and vertical channels across, rows and horizontal channels down (inches, top-down)
    chars = (COLUMN - 0.12) * 72 / (CHAR * NODE_FONT)
    texts = {k: label_lines(e["label"], chars) for k, e in entities.items() if k in cells}
    row_height = [TOP + BELOW + LINE + PAD] * rows
    for k, (x, y) in cells.items():
        row_height[y] = max(row_height[y], TOP + BELOW + LINE * len(texts[k]) + PAD)
    v_width = [max(MIN_CHANNEL, V_TRACK * (count.get(("V", i), 0) + 1)) for i in range(cols + 1)]
    h_height = [max(MIN_CHANNEL, sum(lanes[j]) + 0.03) for j in range(rows + 1)]
    x_channel, x_column = _starts(v_width, [COLUMN] * cols)
    title_lines = {}
    for g, (x, y, c, r) in blocks.items():
        box_width = x_column[x + c - 1] + COLUMN - x_column[x]
        title_lines[g] = wrap(titles.get(g, ""), (box_width - 0.16) * 72 / (CHAR * 1.1 * NODE_FONT))
        row_height[y] = max(row_height[y], 0.1 + LINE * len(title_lines[g]))
    y_channel, y_row = _starts(h_height, row_height)
    width, height = x_channel[-1] + v_width[-1], y_channel[-1] + h_height[-1]

    def up(y):  # top-down inches → the drawing's y, upwards from its bottom edge
        return height - y

    def h_track(j, t):
        spare = (h_height[j] - sum(lanes[j])) / 2
        return up(y_channel[j] + h_height[j] - spare - sum(lanes[j][:t]) - lanes[j][t] / 2)

    def v_track(i, t):
        spare = (v_width[i] - V_TRACK * count.get(("V", i), 0)) / 2
        return x_channel[i] + spare + V_TRACK * (t + 0.5)

    nodes = {k: (x_column[x] + COLUMN / 2, up(y_row[y] + TOP)) for k, (x, y) in cells.items()}
    labels = {k: (texts[k], nodes[k][0], up(y_row[cells[k][1]] + TOP + BELOW)) for k in cells}
    boxes = {g: (x_column[x], up(y_row[y + r - 1] + row_height[y + r - 1]), x_column[x + c - 1] + COLUMN,
                 up(y_row[y])) for g, (x, y, c, r) in blocks.items()}
    geometry = Geometry((width, height), nodes, labels, boxes,
                        {g: (title_lines[g], boxes[g][0] + 0.08, boxes[g][3] - 0.05) for g in blocks})
    link_ends = {ref: (a, b) for ref, a, b, _ in links}

    def edge_of(ref, end):  # the x of the side edge where a line's end meets its node or box
        key = link_ends[ref][end]
        column, columns = (cells[key][0], 1) if key in cells else (blocks[key][0], blocks[key][2])
        point = paths[ref][0] if end == 0 else paths[ref][-1]
        return x_column[column] if point[1] == 2 * column else x_column[column + columns - 1] + COLUMN

    port = _ports(runs, track, x_column, y_row, up, edge_of)
    lanes_used: dict[tuple, list] = {}  # (channel, track) → the horizontal runs on it: (x0, x1, ref, n, y)
    for ref, a, b, _ in links:
        parts = runs[ref]
        at = [h_track(c, track[(ref, n)]) if axis == "H" else v_track(c, track[(ref, n)])
              for n, (axis, c, _, _) in enumerate(parts)]
        first, last = port[(ref, 0)], port[(ref, 1)]
        for n, (axis, c, _, _) in enumerate(parts):  # the horizontal runs' extents, for the labels
            if axis == "H":
                x0 = first[0] if n == 0 else at[n - 1]
                x1 = last[0] if n == len(parts) - 1 else at[n + 1]
                lanes_used.setdefault((c, track[(ref, n)]), []).append((min(x0, x1), max(x0, x1), ref, n, at[n]))
        points = [nodes[a], first, _onto(first, parts[0], at[0])]
        for n in range(len(parts) - 1):  # a bend where a run meets the next
            points.append((at[n + 1], at[n]) if parts[n][0] == "H" else (at[n], at[n + 1]))
        points += [_onto(last, parts[-1], at[-1]), last]
        if b in nodes:
            points.append(nodes[b])
        geometry.paths[ref] = _clean(points)
    _link_labels(geometry, links, carrier, lanes_used)
    return geometry


def _onto(point, run, at):
    """Where a port's stub meets its run: straight up or down onto a horizontal run, across onto a vertical."""
    return (point[0], at) if run[0] == "H" else (at, point[1])


def _starts(gaps, spans):
    """Where each gap and each span starts when they alternate (gap, span, gap, …, gap)."""
    gap_at, span_at, at = [], [], 0.0
    for i, gap in enumerate(gaps):
        gap_at.append(at)
        at += gap
        if i < len(spans):
            span_at.append(at)
            at += spans[i]
    return gap_at, span_at


def _ports(runs, track, x_column, y_row, up, edge_of):
    """Where every line meets its node's (or box's) edge, (ref, 0 start | 1 end) → (x, y): the lines at one
    edge spread apart in the order that keeps their stubs from crossing (on a top edge, lines leaving left on
    the left, the lower track further out; on a side, lines leaving upwards above, the track nearer the node
    higher). ``edge_of(ref, end)``: the x of the side edge a line's end meets."""
    users: dict[tuple, list] = {}
    for ref, parts in runs.items():
        last = len(parts) - 1
        for end, n, here, there in ((0, 0, parts[0][2], parts[0][3]), (1, last, parts[last][3], parts[last][2])):
            point = (2 * parts[n][1], here) if parts[n][0] == "H" else (here, 2 * parts[n][1])
            edge = None if parts[n][0] == "H" else edge_of(ref, end)
            users.setdefault(point, []).append((ref, end, there - here, track[(ref, n)], edge))
    port = {}
    for (q, p), found in users.items():
        if q % 2 == 0:  # the top edge of the cell (or box column) under channel q/2, above column (p-1)/2
            ordered = sorted((u for u in found if u[2] < 0), key=lambda u: (u[3], u[0])) + \
                sorted((u for u in found if u[2] > 0), key=lambda u: (-u[3], u[0]))
            centre, top = x_column[(p - 1) // 2] + COLUMN / 2, up(y_row[q // 2])
            spread = min(PORT_GAP * (len(ordered) - 1), COLUMN - 0.16)
            for k, (ref, end, *_) in enumerate(ordered):
                offset = spread * (k / (len(ordered) - 1) - 0.5) if len(ordered) > 1 else 0.0
                port[(ref, end)] = (centre + offset, top)
            continue
        # side edges beside vertical channel p/2 at row (q-1)/2's height: the node right of the channel (its
        # left edge) first, then the one left of it; each one's lines in its own run of heights
        row, ordered = (q - 1) // 2, []
        for edge in sorted({u[4] for u in found}, reverse=True):
            mine = [u for u in found if u[4] == edge]
            node_right = p // 2 < len(x_column) and abs(edge - x_column[p // 2]) < 1e-9
            closer = {(u[0], u[1]): (u[3] if node_right else -u[3]) for u in mine}
            ordered += sorted((u for u in mine if u[2] < 0), key=lambda u: (-closer[(u[0], u[1])], u[0])) + \
                sorted((u for u in mine if u[2] > 0), key=lambda u: (closer[(u[0], u[1])], u[0]))
        top, bottom = up(y_row[row] + 0.04), up(y_row[row] + TOP + BELOW - 0.03)
        gap = min(PORT_GAP * 0.6, (top - bottom) / max(len(ordered) - 1, 1))
        for k, (ref, end, _, _, edge) in enumerate(ordered):
            port[(ref, end)] = (edge, top - gap * k)
    return port


def link_label_size(text: str) -> tuple[float, float]:
    """A line label's box (width, height), inches at full size."""
    return inches(text_width(text) + 1.6, LINK_FONT), LANE - 0.02


def _link_labels(geometry, links, carrier, lanes_used):
    """Each line's label on its longest horizontal run, where it covers the fewest other lines' vertical
    segments, inside the run (or, when the run is shorter than the label, where no other line's run or
    label is on its lane)."""
    vertical = [(ref, a[0], min(a[1], b[1]), max(a[1], b[1])) for ref, path in geometry.paths.items()
                for a, b in zip(path, path[1:]) if abs(a[0] - b[0]) < 1e-9]
    where = {(ref, n): lane for lane, found in lanes_used.items() for _, _, ref, n, _ in found}
    placed: list[tuple] = []
    for ref, _, _, text in links:
        w, h = link_label_size(text)
        lane = lanes_used[where[(ref, carrier[ref])]]
        x0, x1, _, _, y = next(u for u in lane if u[2] == ref and u[3] == carrier[ref])
        inside = x1 - x0 >= w + 0.04
        options = []
        for f in (0.5, 0.35, 0.65, 0.2, 0.8) if inside else (0.5,):
            cx = min(max(x0 + (x1 - x0) * f, x0 + w / 2 + 0.02), x1 - w / 2 - 0.02) if inside else (x0 + x1) / 2
            box = (cx - w / 2, y - h / 2, cx + w / 2, y + h / 2)
            if any(u[2] != ref and u[0] < box[2] and box[0] < u[1] for u in lane) or \
                    any(_overlap(box, other) for other in placed):
                continue
            covered = sum(1 for r, x, lo, hi in vertical if r != ref and box[0] < x < box[2] and lo < box[3] and box[1] < hi)
            options.append((covered, box))
        box = min(options, key=lambda o: o[0])[1] if options else ((x0 + x1 - w) / 2, y - h / 2, (x0 + x1 + w) / 2, y + h / 2)
        placed.append(box)
        geometry.link_labels[ref] = box


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _clean(points):
    """The polyline without repeated points."""
    out = [points[0]]
    for p in points[1:]:
        if abs(p[0] - out[-1][0]) > 1e-9 or abs(p[1] - out[-1][1]) > 1e-9:
            out.append(p)
    return out
