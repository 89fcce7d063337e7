"""The benchmark chart: plain SVG written by hand, so it needs no plotting library and
comes out the same on every machine.

One block per scaling workload: absolute throughput (the workload's unit: MB/s, GFLOP/s,
tasks/s) against threads, beside the speedup over the same variant on one thread, and a
legend in its own box to the right. Absolute values come first because speedup alone hides
where each line is: an anchor five times faster per core scales the same as a slow one.
Released lines are solid, GIL-held lines dashed, anchors (other libraries) dotted; one
anchor library keeps its colour across blocks.

Every piece of text sits in a region (`<g class="region">` holding a `<rect class="bounds">`)
that it must fit, measured with DejaVu Sans widths (a wide font: narrower fonts fit too);
labels are wrapped at spaces, never cut."""
import html
import math

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"

# Advance widths of DejaVu Sans (Book and Bold) for ASCII 32..126, in 1/200 em: facts about
# the font, measured from its hmtx table, so text can be laid out without the font at hand.
_REGULAR = bytes((64, 80, 92, 168, 127, 190, 156, 55, 78, 78, 100, 168, 64, 72, 64, 67, 127, 127, 127, 127, 127,
                  127, 127, 127, 127, 127, 67, 67, 168, 168, 168, 106, 200, 137, 137, 140, 154, 126, 115, 155, 150,
                  59, 59, 131, 111, 173, 150, 157, 121, 157, 139, 127, 122, 146, 137, 198, 137, 122, 137, 78, 67,
                  78, 168, 100, 100, 123, 127, 110, 127, 123, 70, 127, 127, 56, 56, 116, 56, 195, 127, 122, 127,
                  127, 82, 104, 78, 127, 118, 164, 118, 118, 105, 127, 67, 127, 168))
_BOLD = bytes((70, 91, 104, 168, 139, 200, 174, 61, 91, 91, 105, 168, 76, 83, 76, 73, 139, 139, 139, 139, 139, 139,
               139, 139, 139, 139, 80, 80, 168, 168, 168, 116, 200, 155, 152, 147, 166, 137, 137, 164, 167, 74, 74,
               155, 127, 199, 167, 170, 147, 170, 154, 144, 136, 162, 155, 221, 154, 145, 145, 91, 73, 91, 168, 100,
               100, 135, 143, 119, 143, 136, 87, 143, 142, 69, 69, 133, 69, 208, 142, 137, 143, 143, 99, 119, 96, 142,
               130, 185, 129, 130, 116, 142, 73, 142, 168))

WIDTH = 1000
MARGIN = 10
TITLE_SIZE, TEXT_SIZE, SMALL_SIZE = 13, 11, 10
LINE = 14  # line height of 11 px text
PANEL_H = 210
ABS_X, ABS_W = MARGIN, 350
SPEED_X, SPEED_W = ABS_X + ABS_W + 12, 250
LEGEND_X = SPEED_X + SPEED_W + 14
LEGEND_W = WIDTH - MARGIN - LEGEND_X
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 56, 14, 24, 36  # plot area inside a panel

STYLE = {"released": "", "held": ' stroke-dasharray="7,4"', "anchor": ' stroke-dasharray="1.5,3.5" stroke-linecap="round"'}
ROLE_TAG = {"released": "GIL released", "held": "GIL held", "anchor": "anchor"}
OURS = ["#1f5fbf", "#00a0b0", "#5a3fc0", "#0b3d91"]      # released lines: blues
HELD = ["#d62728", "#e6550d", "#a50f15", "#fd8d3c"]      # GIL held: reds
ANCHORS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f", "#17becf", "#ff7f0e"]


def text_width(text, size, bold=False):
    """Width in px of `text` set in DejaVu Sans at `size` px (characters outside ASCII
    count as 1 em, wider than any that occur here)."""
    table = _BOLD if bold else _REGULAR
    units = sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else 200 for c in text)
    return units * size / 200


def wrap(text, width, size, bold=False):
    """Lines of `text` no wider than `width` px, broken at spaces; a word too long for a
    line on its own is broken after a '.', '/' or ',' inside it, and only failing that
    anywhere."""
    lines, current = [], ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size, bold) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while text_width(word, size, bold) > width:
            head = _longest_prefix(word, width, size, bold)
            lines.append(head)
            word = word[len(head):]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _longest_prefix(word, width, size, bold):
    fits = 1
    while fits < len(word) and text_width(word[:fits + 1], size, bold) <= width:
        fits += 1
    for n in range(fits, 0, -1):
        if word[n - 1] in "./,-_":
            return word[:n]
    return word[:fits]


def _fmt(value):
    if value >= 10_000:
        return f"{value / 1000:,.0f}k"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


class _Svg:
    def __init__(self):
        self.parts = []

    def text(self, x, y, text, size=TEXT_SIZE, anchor="start", bold=False, fill="#222"):
        weight = ' font-weight="bold"' if bold else ""
        align = f' text-anchor="{anchor}"' if anchor != "start" else ""
        color = f' fill="{fill}"' if fill != "#222" else ""
        self.parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}"{align}{weight}{color}>{html.escape(text)}</text>')

    def line(self, x1, y1, x2, y2, stroke="#000", width=1, extra=""):
        self.parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{extra}/>')

    def open_region(self, kind, x, y, w, h):
        self.parts.append(f'<g class="region" data-kind="{kind}">')
        self.parts.append(f'<rect class="bounds" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none"/>')

    def close(self):
        self.parts.append("</g>")


def _series(item):
    """[(label, role, [(threads, median, speedup)])] in the order of first appearance."""
    order, points, roles = [], {}, {}
    for row in item["rows"]:
        label = row["label"]
        if label not in points:
            order.append(label)
            points[label], roles[label] = [], row["role"]
        points[label].append((row["threads"], row["rate"]["median"], row.get("speedup")))
    return [(label, roles[label], sorted(points[label])) for label in order]


def _library(label):
    """The anchor's library, for a colour that stays the same across blocks: the first
    word, up to its first dot ('scipy.linalg.blas.dgemm' -> 'scipy')."""
    return label.split()[0].split(".")[0] if label.split() else label


def _colors(series, library_colors):
    out, counts = {}, {"released": 0, "held": 0}
    for label, role, _ in series:
        if role == "anchor":
            library = _library(label)
            if library not in library_colors:
                library_colors[library] = ANCHORS[len(library_colors) % len(ANCHORS)]
            out[label] = library_colors[library]
        else:
            palette = OURS if role == "released" else HELD
            out[label] = palette[counts[role] % len(palette)]
            counts[role] += 1
    return out


def _legend_text(label, role):
    tag = ROLE_TAG.get(role, role)
    return label if tag.lower() in label.lower() else f"{label} [{tag}]"


def _value_text(points, unit):
    (t0, v0, _), (t1, v1, s1) = points[0], points[-1]
    if len(points) == 1:
        return f"{_fmt(v0)} {unit}"
    speed = f", speedup {s1:.2f}×" if s1 else ""
    return f"{_fmt(v0)} → {_fmt(v1)} {unit} from {t0} to {t1} threads{speed}"


def _linear_ticks(top):
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    count = math.ceil(top / step - 1e-9)
    return [step * i for i in range(count + 1)]


def _log_ticks(low, high):
    """1-2-5 ticks from the last at or below `low` to the first at or above `high`."""
    candidates = [m * 10.0 ** e for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
                  for m in (1, 2, 5)]
    start = max(c for c in candidates if c <= low * 1.0001)
    end = min(c for c in candidates if c >= high / 1.0001)
    ticks = [c for c in candidates if start <= c <= end]
    if len(ticks) > 7:  # a wide range: powers of ten only, so the labels do not crowd
        ticks = [10.0 ** e for e in range(math.floor(math.log10(low * 1.0001)), math.ceil(math.log10(high / 1.0001)) + 1)]
    return ticks


def _scale(values, from_zero):
    """(ticks, to_fraction, log?) for the y axis."""
    positive = [v for v in values if v > 0] or [1.0]
    low, high = min(positive), max(positive)
    if not from_zero and high / low > 8:
        ticks = _log_ticks(low, high)
        lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])
        return ticks, (lambda v: (math.log10(max(v, ticks[0])) - lo) / (hi - lo)), True
    ticks = _linear_ticks(high * 1.05)
    return ticks, (lambda v: v / ticks[-1]), False


def _axes(svg, x, y, w, h, ticks, to_fraction, threads, tick_text, title, thread_axis=True):
    """Frame, grid, tick labels and title of one panel; returns the point mapper."""
    left, top = x + PLOT_LEFT, y + PLOT_TOP
    plot_w, plot_h = w - PLOT_LEFT - PLOT_RIGHT, h - PLOT_TOP - PLOT_BOTTOM
    svg.text(x + 4, y + 14, title, size=TEXT_SIZE, bold=True)
    for tick in ticks:
        ty = top + plot_h - to_fraction(tick) * plot_h
        svg.line(left, ty, left + plot_w, ty, stroke="#e4e4e4")
        svg.text(left - 5, ty + 4, tick_text(tick), size=SMALL_SIZE, anchor="end")
    low_t, high_t = threads[0], threads[-1]

    def xy(t, v):
        fx = (t - low_t) / (high_t - low_t) if high_t > low_t else 0.5
        return left + fx * plot_w, top + plot_h - to_fraction(v) * plot_h

    for t in threads if thread_axis else []:
        tx, _ = xy(t, ticks[0])
        svg.line(tx, top + plot_h, tx, top + plot_h + 4, stroke="#666")
        svg.text(tx, top + plot_h + 15, str(t), size=SMALL_SIZE, anchor="middle")
    svg.line(left, top + plot_h, left + plot_w, top + plot_h, stroke="#666")
    svg.line(left, top, left, top + plot_h, stroke="#666")
    if thread_axis:
        svg.text(left + plot_w / 2, top + plot_h + 29, "threads", size=SMALL_SIZE, anchor="middle", fill="#555")
    return xy


def _plot(svg, series, colors, xy, value_index):
    """Anchors first and SwiftPy's released lines last, so ours stay visible on top."""
    order = {"anchor": 0, "held": 1, "released": 2}
    for label, role, points in sorted(series, key=lambda s: order.get(s[1], 0)):
        pts = [(point[0], point[value_index]) for point in points if point[value_index] is not None]
        if not pts:
            continue
        color = colors[label]
        d = " ".join(f"{'M' if i == 0 else 'L'}{xy(t, v)[0]:.1f},{xy(t, v)[1]:.1f}" for i, (t, v) in enumerate(pts))
        svg.parts.append(f'<path d="{d}" fill="none" stroke="{color}" stroke-width="2.2"{STYLE.get(role, "")}/>')
        for t, v in pts:
            px, py = xy(t, v)
            svg.parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.6" fill="{color}"/>')


def _bars(svg, x, y, w, h, series, colors, unit):
    """One thread count only: a bar per variant, linear from zero, value on top."""
    values = [points[0][1] for _, _, points in series]
    ticks, to_fraction, _ = _scale(values, from_zero=True)
    xy = _axes(svg, x, y, w, h, ticks, to_fraction, [1], _fmt, f"{unit}, median, 1 thread (colours as in the legend)",
               thread_axis=False)
    left, plot_w = x + PLOT_LEFT, w - PLOT_LEFT - PLOT_RIGHT
    slot = plot_w / len(series)
    bar = min(34, slot * 0.6)
    for index, (label, role, points) in enumerate(series):
        value = points[0][1]
        cx = left + slot * (index + 0.5)
        _, top = xy(1, value)
        _, base = xy(1, 0)
        svg.parts.append(f'<rect x="{cx - bar / 2:.1f}" y="{top:.1f}" width="{bar:.1f}" height="{max(base - top, 0.5):.1f}" '
                         f'fill="{colors[label]}" fill-opacity="{0.35 if role == "anchor" else 0.8}" stroke="{colors[label]}"/>')
        svg.text(cx, top - 3, _fmt(value), size=SMALL_SIZE, anchor="middle")


def _legend(svg, x, y, series, colors, unit):
    """Swatch + full label (wrapped) + the values at the ends; returns the height used."""
    text_x, text_w = x + 32, LEGEND_W - 34
    cy = y + 12
    for label, role, points in series:
        color = colors[label]
        svg.line(x + 2, cy - 4, x + 26, cy - 4, stroke=color, width=2.2, extra=STYLE.get(role, ""))
        svg.parts.append(f'<circle cx="{x + 14:.1f}" cy="{cy - 4:.1f}" r="2.6" fill="{color}"/>')
        for line in wrap(_legend_text(label, role), text_w, TEXT_SIZE):
            svg.text(text_x, cy, line)
            cy += LINE
        for line in wrap(_value_text(points, unit), text_w, SMALL_SIZE):
            svg.text(text_x, cy - 1, line, size=SMALL_SIZE, fill="#666")
            cy += LINE - 1
        cy += 5
    return cy - y


def _block(svg, item, y, library_colors):
    """One workload; returns its height."""
    series = _series(item)
    colors = _colors(series, library_colors)
    unit = item.get("unit", "")
    title_lines = wrap(item["name"], WIDTH - 2 * MARGIN, TITLE_SIZE, bold=True)
    svg.parts.append('<g class="workload">')
    svg.open_region("title", MARGIN, y, WIDTH - 2 * MARGIN, LINE * len(title_lines) + 6)
    for i, line in enumerate(title_lines):
        svg.text(MARGIN, y + 14 + i * (LINE + 2), line, size=TITLE_SIZE, bold=True)
    svg.close()
    y += LINE * len(title_lines) + 10

    # the legend first: its height decides the block's
    legend_parts, svg.parts = svg.parts, []
    legend_h = _legend(svg, LEGEND_X, y, series, colors, unit)
    legend_body, svg.parts = svg.parts, legend_parts
    height = max(PANEL_H, legend_h)
    svg.open_region("legend", LEGEND_X, y, LEGEND_W, height)
    svg.parts += legend_body
    svg.close()

    threads = sorted({t for _, _, points in series for t, _, _ in points})
    if len(threads) == 1:
        svg.open_region("panel", ABS_X, y, ABS_W + 12 + SPEED_W, PANEL_H)
        _bars(svg, ABS_X, y, ABS_W + 12 + SPEED_W, PANEL_H, series, colors, unit)
        svg.close()
    else:
        values = [v for _, _, points in series for _, v, _ in points]
        ticks, to_fraction, log = _scale(values, from_zero=False)
        svg.open_region("panel", ABS_X, y, ABS_W, PANEL_H)
        title = f"{unit}, median{' (log scale)' if log else ''}"
        xy = _axes(svg, ABS_X, y, ABS_W, PANEL_H, ticks, to_fraction, threads, _fmt, title)
        _plot(svg, series, colors, xy, 1)
        svg.close()

        speedups = [s for _, _, points in series for _, _, s in points if s]
        top = max(2.0, math.ceil(max(speedups + [1.0]) * 1.1 * 2) / 2)
        ticks = _linear_ticks(top)
        svg.open_region("panel", SPEED_X, y, SPEED_W, PANEL_H)
        xy = _axes(svg, SPEED_X, y, SPEED_W, PANEL_H, ticks, lambda v: v / ticks[-1], threads,
                   lambda v: f"{v:g}×", "speedup over its own 1 thread")
        ideal_t = min(threads[-1], ticks[-1])
        (x0, y0), (x1, y1) = xy(threads[0], threads[0]), xy(ideal_t, ideal_t)
        svg.line(x0, y0, x1, y1, stroke="#aaa", extra=' stroke-dasharray="3,3"')
        _plot(svg, series, colors, xy, 2)
        svg.close()
    svg.close()
    return y + height + 18


def svg_chart(results):
    """The whole chart as SVG text."""
    items = [i for i in results["workloads"] if i["kind"] == "scaling" and i["rows"]]
    svg = _Svg()
    key = ("Each workload: throughput (left) and speedup over one thread (middle) against Python threads. "
           "Solid: SwiftPy, GIL released. Dashed: the same with the GIL held. Dotted: anchors (other libraries). "
           "Grey dashed: speedup equal to the thread count.")
    key_lines = wrap(key, WIDTH - 2 * MARGIN, TEXT_SIZE)
    machine = results.get("machine", {})
    if machine:
        key_lines += wrap(f"Machine: {machine.get('cpu', '?')}, {machine.get('cores', '?')} cores available.",
                          WIDTH - 2 * MARGIN, TEXT_SIZE)
    svg.open_region("key", MARGIN, 4, WIDTH - 2 * MARGIN, LINE * len(key_lines) + 6)
    for i, line in enumerate(key_lines):
        svg.text(MARGIN, 18 + i * LINE, line, fill="#444")
    svg.close()
    y = 18 + LINE * len(key_lines)
    library_colors = {}
    for item in items:
        y = _block(svg, item, y, library_colors)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y:.0f}" '
            f'viewBox="0 0 {WIDTH} {y:.0f}" font-family="{FONT}" font-size="{TEXT_SIZE}">')
    return "\n".join([head, f'<rect width="{WIDTH}" height="{y:.0f}" fill="white"/>'] + svg.parts + ["</svg>"])
