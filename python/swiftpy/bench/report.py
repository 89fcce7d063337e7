"""Output: terminal tables, JSON, BENCHMARKS.md and an SVG chart (no display needed).

Regenerate the Markdown from a JSON file with:
    python -m swiftpy.bench.report results.json --markdown BENCHMARKS.md --chart bench-chart.svg
"""
import argparse
import html
import json
import math
import re
import textwrap

from . import chart


def _fmt(value, digits=3):
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


WIDTH = 100  # terminal tables fit a 100-column terminal
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def tables(results, width=WIDTH):
    """Plain-text tables, one per workload, no line wider than `width`: long labels wrap
    at spaces inside their column, anchors are columns A, B, ... named in full above."""
    repeat = results.get("options", {}).get("repeat")
    runs = f"median of {repeat} runs" if repeat else "median"
    out = _wrapped(f"Rates and times are the {runs} (min-max beside). speedup: over the same variant on 1 thread. "
                   "vs A, vs B...: ratio to that anchor at the same thread count (above 1 = faster). "
                   "Both ratios are medians of per-run ratios (each run times every thread count and "
                   "variant back to back), except the dask workload's speedup (a ratio of medians). "
                   "x base: time relative to the baseline (below 1 = faster).", width)
    for item in results["workloads"]:
        out.append("")
        out += _wrapped(f"## {item['name']}", width)
        if not item["rows"]:
            pass
        elif item["kind"] == "per_call":
            out += _per_call_table(item, width)
        else:
            out += _scaling_tables(item, width)
        for note in item.get("notes", []):
            out += _wrapped(f"note: {note}", width, indent="  ")
    return "\n".join(out)


def _wrapped(text, width, indent=""):
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False) or [""]


def _label_lines(text, width):
    """`text` in a column `width` wide: wrapped at spaces, continuation lines indented."""
    text = re.sub(r"\[[^\]]*\]", lambda m: m.group().replace(" ", "\xa0"), text)  # "[GIL held]" stays whole
    lines = textwrap.wrap(text, width, subsequent_indent="  ", break_long_words=False, break_on_hyphens=False)
    return [line.replace("\xa0", " ") for line in lines] or [""]


def _grid(head, rows, label_w, widths, width):
    """Lines of a table: first column left-aligned and wrapped, the others right-aligned.
    rows: [(label, [[cells of line 1], [cells of line 2], ...])]."""
    def line(label, cells):
        return (f"{label:<{label_w}}" + "".join(f" {c:>{w}}" for c, w in zip(cells, widths))).rstrip()
    out = [line(head[0], head[1:]), line("-" * label_w, ["-" * w for w in widths])]
    for label, lines in rows:
        text = _label_lines(label, label_w)
        for i in range(max(len(text), len(lines))):
            out.append(line(text[i] if i < len(text) else "", lines[i] if i < len(lines) else [""] * len(widths)))
    return out


def _label_width(labels, fixed, width, floor=24):
    longest_word = max((len(w) for label in labels for w in label.split()), default=0)
    longest = max((len(label) for label in labels), default=0)
    return max(longest_word + 2, floor if longest > floor else longest, min(longest, width - fixed))


def _per_call_table(item, width):
    labels = [row["label"] for row in item["rows"]]
    widths = [9, 17, 7]
    label_w = _label_width(labels, sum(w + 1 for w in widths), width)
    rows = []
    for row in item["rows"]:
        s = row["ns_per_call"]
        ratio = row["ratio_vs_baseline"]
        rows.append((row["label"], [[f"{s['median']:.1f}", f"{s['min']:.1f}-{s['max']:.1f}",
                                     f"{ratio:.2f}" if ratio is not None else "-"]]))
    out = _wrapped(f"ns per call; base = {item['baseline']}", width)
    return out + _grid(["implementation", "ns/call", "min-max", "x base"], rows, label_w, widths, width)


def _role_label(row):
    tag = {"released": "GIL released", "held": "GIL held", "anchor": "anchor"}.get(row["role"], row["role"])
    return row["label"] if tag.lower() in row["label"].lower() else f"{row['label']} [{tag}]"


def _scaling_tables(item, width):
    """One table, or several when the anchor columns do not fit: the first with the rates,
    the others with the remaining anchors."""
    unit = item.get("unit", "rate")
    anchors = sorted({a for r in item["rows"] for a in r["vs"]})
    variants = []
    for row in item["rows"]:
        if row["label"] not in variants:
            variants.append(row["label"])
    by_label = {label: sorted((r for r in item["rows"] if r["label"] == label), key=lambda r: r["threads"]) for label in variants}
    labels = [_role_label(rows[0]) for rows in by_label.values()]
    cells = {label: [_rate_cells(r) for r in by_label[label]] for label in variants}
    rate_w = [3, max(9, len(unit)), 15, 7]
    ratio_w = 6
    out = []
    legend = [f"{_LETTERS[i]} = {a}" for i, a in enumerate(anchors)]
    if legend and len("  " + "   ".join(legend)) <= width:
        out.append("  " + "   ".join(legend))
    else:
        for entry in legend:
            out += _wrapped(entry, width, indent="  ")
    fixed = sum(w + 1 for w in rate_w)
    fit = max(1, (width - fixed - 24) // (ratio_w + 1))
    chunks = [anchors[i:i + fit] for i in range(0, len(anchors), fit)] or [[]]
    for number, chunk in enumerate(chunks):
        letters = [_LETTERS[anchors.index(a)] for a in chunk]
        if number == 0:
            widths = rate_w + [ratio_w] * len(chunk)
            head = ["variant", "thr", unit, "min-max", "speedup"] + [f"vs {x}" for x in letters]
        else:
            widths = rate_w[:1] + [ratio_w] * len(chunk)
            head = ["variant", "thr"] + [f"vs {x}" for x in letters]
        label_w = _label_width(labels, sum(w + 1 for w in widths), width)
        rows = []
        for label, shown in zip(variants, labels):
            lines = []
            for r, base in zip(by_label[label], cells[label]):
                ratios = [f"{r['vs'][a]:.2f}" if a in r["vs"] else "-" for a in chunk]
                lines.append((base if number == 0 else base[:1]) + ratios)
            rows.append((shown, lines))
        if number:
            out.append("")
        out += _grid(head, rows, label_w, widths, width)
    return out


def _rate_cells(row):
    s = row["rate"]
    return [str(row["threads"]), _fmt(s["median"]), f"{_fmt(s['min'])}-{_fmt(s['max'])}",
            f"{row['speedup']:.2f}x" if row.get("speedup") else "-"]


def markdown(results, chart_path=None):
    m = results["machine"]
    lines = [
        "# SwiftPy benchmarks",
        "",
        "Generated by `python -m swiftpy.bench.report` from the JSON of one run; do not edit by hand.",
        "",
        f"- **Machine:** {m.get('cpu', '?')}, {m.get('cores', '?')} cores available; {m.get('platform', '')}",
        f"- **Python:** {m.get('python', '?')}; versions: " + ", ".join(f"{k} {v}" for k, v in sorted(results.get("versions", {}).items())),
        f"- **Command:** `{results.get('command', '?')}`",
        f"- **Method:** {results.get('method', '')}",
        "",
    ]
    if chart_path:
        lines += [f"![throughput and speedup vs threads, per workload]({chart_path})", ""]
    for item in results["workloads"]:
        lines.append(f"## {item['name']}")
        lines.append("")
        if item["kind"] == "per_call":
            lines.append(f"| implementation | ns/call (median) | min–max | vs {item['baseline']} |")
            lines.append("|---|---:|---:|---:|")
            for row in item["rows"]:
                s = row["ns_per_call"]
                lines.append(f"| {row['label']} | {s['median']:.1f} | {s['min']:.1f}–{s['max']:.1f} | {_fmt(row['ratio_vs_baseline'])}× |")
        else:
            anchors = sorted({a for r in item["rows"] for a in r["vs"]})
            lines.append(f"| variant | threads | {item['unit']} (median) | min–max | speedup vs 1 thread |" + "".join(f" vs {a} |" for a in anchors))
            lines.append("|---|---:|---:|---:|---:|" + "---:|" * len(anchors))
            for row in item["rows"]:
                s = row["rate"]
                lines.append(f"| {row['label']} ({row['role']}) | {row['threads']} | {_fmt(s['median'])} | {_fmt(s['min'])}–{_fmt(s['max'])} | {_fmt(row['speedup'])}× |"
                             + "".join(f" {_fmt(row['vs'].get(a))}× |" if row["vs"].get(a) else " – |" for a in anchors))
        for note in item.get("notes", []):
            lines.append(f"\n_Note: {note}_")
        lines.append("")
    behind = findings(results)
    lines += ["## Where SwiftPy is behind", ""] + ([f"- {b}" for b in behind] or ["- Nowhere in this run."]) + [""]
    return "\n".join(lines)


def findings(results):
    """Plain statements of every place SwiftPy's released builtin is slower than an anchor
    or than the C baseline by more than 5%."""
    out = []
    for item in results["workloads"]:
        if item["kind"] == "per_call":
            for row in item["rows"]:
                if not row["label"].startswith("swiftpy"):
                    continue  # an anchor slower than another anchor is not our finding
                if row["label"] != item["baseline"] and row["ratio_vs_baseline"] and row["ratio_vs_baseline"] > 1.05:
                    out.append(f"{item['name']}: {row['label']} takes {row['ratio_vs_baseline']:.2f}× the time of {item['baseline']}.")
        else:
            for row in item["rows"]:
                if row["role"] != "released":
                    continue
                for anchor, ratio in row["vs"].items():
                    if ratio < 0.95:
                        out.append(f"{item['name']}, {row['threads']} thread(s): {row['label']} runs at {ratio:.2f}× {anchor}.")
    return out


def svg_chart(results):
    """The SVG chart (see chart.py): throughput and speedup against threads per workload."""
    return chart.svg_chart(results)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m swiftpy.bench.report", description="Regenerate benchmark outputs from a JSON run.")
    parser.add_argument("json", help="JSON written by `python -m swiftpy.bench --json FILE`")
    parser.add_argument("--markdown", help="write Markdown here (e.g. BENCHMARKS.md)")
    parser.add_argument("--chart", help="write the SVG chart here (linked from the Markdown by relative path)")
    args = parser.parse_args(argv)
    with open(args.json) as handle:
        results = json.load(handle)
    if args.chart:
        with open(args.chart, "w") as handle:
            handle.write(svg_chart(results))
    if args.markdown:
        with open(args.markdown, "w") as handle:
            handle.write(markdown(results, chart_path=args.chart))
    if not args.chart and not args.markdown:
        print(tables(results))


if __name__ == "__main__":
    main()
