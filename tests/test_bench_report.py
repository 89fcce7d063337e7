"""Benchmark output people can read: terminal tables within 100 columns with every heading
and anchor name whole, one progress line per workload off a terminal, and an SVG chart
whose text stays inside its own box (measured with the real DejaVu Sans metrics when the
font is installed).

The bench's reporting code is pure Python; it is loaded from this tree (as its own
package, like test_dask's workload) so these tests need no Swift build."""
import importlib
import importlib.util
import io
import pathlib
import random
import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "python" / "swiftpy" / "bench"
PACKAGE = "swiftpy_bench_from_tree"
FONT = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = pathlib.Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def bench(module):
    if PACKAGE not in sys.modules:
        spec = importlib.util.spec_from_file_location(PACKAGE, BENCH / "__init__.py", submodule_search_locations=[str(BENCH)])
        package = importlib.util.module_from_spec(spec)
        sys.modules[PACKAGE] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"{PACKAGE}.{module}")


# --- synthetic results: long labels, many anchors, 1..8 threads, a 1-thread workload ----

ANCHORS = ["isal compress level 1 (python-isal, igzip)", "stdlib zlib compress level 1", "zlib-ng compress level 1",
           "numpy matmul, 1 BLAS thread/call", "scipy.linalg.blas.dgemm, 1 BLAS thread/call",
           "dask.array blockwise with the threaded scheduler", "libdeflate level 1 via ctypes", "pyzstd level 1 anchor"]


def _rows(labels_roles, threads, base_rates):
    rows = []
    for t in threads:
        for (label, role), base in zip(labels_roles, base_rates):
            rate = base * (t if role != "held" else 1) ** 0.9
            samples = [rate * (1 + 0.01 * k) for k in range(3)]
            rows.append({"label": label, "role": role, "threads": t,
                         "rate": {"median": samples[1], "min": samples[0], "max": samples[2], "samples": samples}})
    bench("runner")._add_ratios(rows)
    return rows


def synthetic(anchor_count=8):
    random.seed(1)
    ours = [("swiftpy.zlib.compress level 1, a rather long variant label", "released"),
            ("swiftpy.zlib.compress level 1, a rather long variant label [GIL held]", "held")]
    anchors = [(a, "anchor") for a in ANCHORS[:anchor_count]]
    scaling = {"kind": "scaling", "name": "zlib compress, level 1: " + "a long workload name " * 4, "group": "zlib",
               "unit": "MB/s", "rows": _rows(ours + anchors, [1, 2, 3, 4, 5, 6, 7, 8], [100, 100] + [500 * (i + 1) for i in range(len(anchors))]),
               "notes": ["a note that is long enough to need wrapping on a terminal " * 3]}
    blas = {"kind": "scaling", "name": "dgemm n=256", "group": "blas", "unit": "GFLOP/s",
            "rows": _rows(ours[:1] + anchors[3:5], [1, 2, 4], [40, 45, 31]), "notes": []}
    single = {"kind": "scaling", "name": "zlib compress, level 9 (1 thread)", "group": "zlib", "unit": "MB/s",
              "rows": _rows(ours + anchors[:3], [1], [9, 9, 265, 9, 34]), "notes": []}
    per_call = {"kind": "per_call", "name": "dgemm/matmul n=2", "group": "calls", "baseline": "scipy dgemm(1.0, a, b) with a long baseline name",
                "rows": [{"label": label, "ns_per_call": {"median": m, "min": m * 0.99, "max": m * 1.02},
                          "ratio_vs_baseline": m / 512.0} for label, m in
                         [("scipy dgemm(1.0, a, b) with a long baseline name", 512.0), ("swiftpy.blas.matmul(a, b, out=o)", 551.3)]],
                "notes": []}
    skipped = {"kind": "scaling", "name": "dask pipeline", "group": "dask", "unit": "tasks/s", "rows": [],
               "notes": ["skipped: needs dask.distributed"]}
    return {"command": "python -m swiftpy.bench", "method": "wall clock", "options": {"repeat": 3},
            "machine": {"cpu": "Test CPU", "cores": 2, "platform": "Linux", "python": "3.11"},
            "versions": {"swiftpy": "0"}, "workloads": [per_call, scaling, blas, single, skipped]}


def all_labels(results):
    return {row["label"] for item in results["workloads"] for row in item["rows"]}


def anchor_labels(results):
    return {row["label"] for item in results["workloads"] for row in item["rows"] if row.get("role") == "anchor"}


# --- terminal tables ----------------------------------------------------------------------

@pytest.mark.parametrize("anchor_count", [0, 1, 3, 8])
def test_no_table_line_is_wider_than_100_columns(anchor_count):
    text = bench("report").tables(synthetic(anchor_count))
    too_wide = [line for line in text.splitlines() if len(line) > 100]
    assert not too_wide, too_wide


def test_every_anchor_is_named_in_full_on_one_line():
    results = synthetic()
    lines = bench("report").tables(results).splitlines()
    for anchor in anchor_labels(results):
        assert any(anchor in line for line in lines), anchor


@pytest.mark.parametrize("anchor_count", [3, 8])
def test_label_column_holds_each_label_whole(anchor_count):
    """Read the first column back (its width is the first run of dashes): the lines of
    each variant, joined, are its full label, in every table (also the second table a
    workload with many anchors is split into)."""
    results = synthetic(anchor_count)
    expected = {r["label"] for r in all_rows(results)}
    found, tables_seen = set(), 0
    lines = bench("report").tables(results).splitlines()
    for i, line in enumerate(lines):
        if not re.fullmatch(r"-+( -+)+", line):
            continue
        tables_seen += 1
        width = len(line.split()[0])
        labels = []
        for row in lines[i + 1:]:
            if not row.strip() or row.startswith("##") or row.startswith("note:") or row.startswith("  note:"):
                break
            cell = row[:width].rstrip()
            if cell and not cell.startswith("  "):
                labels.append(cell)
            elif cell:
                labels[-1] += " " + cell.strip()
        for label in labels:
            found.add(re.sub(r" \[(GIL released|GIL held|anchor)\]$", "", label) if "[GIL held]" not in label else label)
    assert tables_seen >= 4 + (anchor_count > 5)
    assert found == expected


def all_rows(results):
    return [row for item in results["workloads"] for row in item["rows"]]


def test_table_headings_are_whole_words():
    text = bench("report").tables(synthetic())
    for line in text.splitlines():
        if line.startswith("variant") or line.startswith("implementation"):
            for heading in line.split()[1:]:
                assert heading in {"thr", "MB/s", "GFLOP/s", "tasks/s", "min-max", "speedup", "ns/call", "x", "base", "vs"} \
                    or re.fullmatch(r"[A-Z]", heading), line


def test_anchor_letters_point_at_the_legend():
    results = synthetic()
    text = bench("report").tables(results)
    named = set()
    for block in text.split("\n## ")[1:]:  # one workload each: letters restart at A
        legend = dict(re.findall(r"\b([A-Z]) = (.+?)(?=   [A-Z] = |$)", block, flags=re.M))
        used = set(re.findall(r"vs ([A-Z])\b", block))
        assert used == set(legend), block
        named |= set(legend.values())
    assert named == anchor_labels(results)


def test_markdown_headings_name_each_anchor_in_full():
    results = synthetic()
    md = bench("report").markdown(results, chart_path="chart.svg")
    headers = [line for line in md.splitlines() if line.startswith("| variant")]
    for item in results["workloads"]:
        anchors = {r["label"] for r in item["rows"] if r["role"] == "anchor"} if item["kind"] == "scaling" else set()
        for anchor in anchors:
            assert any(f"vs {anchor} |" in h for h in headers), anchor


# --- progress ---------------------------------------------------------------------------

class _Item:
    """A workload with its own runner (the path dask_workload uses)."""

    def __init__(self, name, steps):
        self.name, self.steps = name, steps

    def run(self, options, progress):
        for step in range(self.steps):
            progress.show(f"step {step + 1}/{self.steps}, 2 threads, released")
        return {"kind": "scaling", "name": self.name, "group": "fake", "unit": "MB/s", "notes": [],
                "rows": _rows([("fake", "released")], [1, 2], [10])}


def _run_main(monkeypatch, stream, tty, items):
    main = bench("__main__")
    runner = bench("runner")
    monkeypatch.setattr(main.workloads, "per_call_workloads", lambda options: [])
    monkeypatch.setattr(main.workloads, "scaling_workloads", lambda options: items)
    monkeypatch.setattr(main.machine, "versions", lambda: {})
    monkeypatch.setattr(main, "Progress", lambda enabled: runner.Progress(enabled, stream=stream, tty=tty, columns=60))
    main.main(["--threads", "1,2"])


def test_off_a_terminal_progress_is_one_line_per_workload(monkeypatch, capsys):
    stream = io.StringIO()
    items = [_Item(f"workload {i}", steps=50) for i in range(4)]
    _run_main(monkeypatch, stream, False, items)
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(items), lines
    for index, (line, item) in enumerate(zip(lines, items), 1):
        assert line.startswith(f"[{index}/{len(items)}] ") and line.endswith(item.name)
    assert "\r" not in stream.getvalue()
    assert "## workload 3" in capsys.readouterr().out  # the tables still go to stdout


def test_on_a_terminal_progress_is_one_line_rewritten_in_place(monkeypatch, capsys):
    stream = io.StringIO()
    items = [_Item("a workload with a name long enough to be cut at sixty columns", steps=5)]
    _run_main(monkeypatch, stream, True, items)
    out = stream.getvalue()
    assert "\n" not in out
    frames = out.split("\r\033[K")[1:]
    assert len(frames) >= 6 and frames[-1] == ""  # cleared at the end
    assert all(frame.startswith("[1/1] ") for frame in frames[:-1])
    assert any(frame.endswith(": step 2/5, 2 threads, released") for frame in frames)  # the name is cut, not the step
    assert all(len(frame) <= 59 for frame in frames)


# --- SVG chart ----------------------------------------------------------------------------

def _ttf_widths(path):
    """Advance width (em) of each character, from the font's cmap (format 4) and hmtx."""
    data = path.read_bytes()
    tables = {}
    for i in range(struct.unpack(">H", data[4:6])[0]):
        tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * i: 28 + 16 * i])
        tables[tag.decode()] = offset
    units = struct.unpack(">H", data[tables["head"] + 18: tables["head"] + 20])[0]
    count = struct.unpack(">H", data[tables["hhea"] + 34: tables["hhea"] + 36])[0]
    advances = [struct.unpack(">H", data[tables["hmtx"] + 4 * i: tables["hmtx"] + 4 * i + 2])[0] for i in range(count)]
    cmap = tables["cmap"]
    for i in range(struct.unpack(">H", data[cmap + 2: cmap + 4])[0]):
        platform, _, offset = struct.unpack(">HHI", data[cmap + 4 + 8 * i: cmap + 12 + 8 * i])
        sub = cmap + offset
        if platform in (0, 3) and struct.unpack(">H", data[sub: sub + 2])[0] == 4:
            break
    segments = struct.unpack(">H", data[sub + 6: sub + 8])[0] // 2
    at = [sub + 14, sub + 16 + 2 * segments, sub + 16 + 4 * segments, sub + 16 + 6 * segments]
    ends, starts, ranges = (struct.unpack(f">{segments}H", data[i: i + 2 * segments]) for i in (at[0], at[1], at[3]))
    deltas = struct.unpack(f">{segments}h", data[at[2]: at[2] + 2 * segments])
    ranges_at = at[3]

    def width(char):
        code, glyph = ord(char), 0
        for k in range(segments):
            if starts[k] <= code <= ends[k]:
                if ranges[k] == 0:
                    glyph = (code + deltas[k]) & 0xFFFF
                else:
                    at = ranges_at + 2 * k + ranges[k] + 2 * (code - starts[k])
                    raw = struct.unpack(">H", data[at: at + 2])[0]
                    glyph = (raw + deltas[k]) & 0xFFFF if raw else 0
                break
        return advances[min(glyph, count - 1)] / units
    return width


@pytest.fixture(scope="module")
def measure():
    """text -> width in px: the real DejaVu Sans (which the chart names first) when
    installed, else the chart's own table."""
    if FONT.exists() and FONT_BOLD.exists():
        regular, bold = _ttf_widths(FONT), _ttf_widths(FONT_BOLD)
        return lambda text, size, is_bold: sum((bold if is_bold else regular)(c) for c in text) * size
    chart = bench("chart")
    return lambda text, size, is_bold: chart.text_width(text, size, is_bold)


def _regions(svg_text):
    root = ET.fromstring(svg_text)
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    for group in root.iter(f"{ns}g"):
        if group.get("class") != "region":
            continue
        rect = group.find(f"{ns}rect[@class='bounds']")
        box = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
        texts = [(float(t.get("x")), float(t.get("y")), float(t.get("font-size", 11)), t.get("text-anchor", "start"),
                  t.get("font-weight") == "bold", t.text or "") for t in group.iter(f"{ns}text")]
        out.append((group.get("data-kind"), box, texts))
    return root, out


@pytest.mark.parametrize("anchor_count", [1, 3, 8])
def test_every_chart_text_fits_inside_its_own_box(anchor_count, measure):
    root, regions = _regions(bench("chart").svg_chart(synthetic(anchor_count)))
    width = float(root.get("width"))
    assert regions
    for kind, (x, y, w, h), texts in regions:
        assert x >= 0 and x + w <= width + 0.5, (kind, x, w)
        for tx, ty, size, anchor, bold, text in texts:
            extent = measure(text, size, bold)
            left = {"start": tx, "middle": tx - extent / 2, "end": tx - extent}[anchor]
            assert x - 0.5 <= left and left + extent <= x + w + 0.5, (kind, text, left, left + extent, x, x + w)
            assert y <= ty - 0.75 * size and ty + 0.25 * size <= y + h, (kind, text, ty, y, y + h)


def test_chart_boxes_never_overlap(measure):
    _, regions = _regions(bench("chart").svg_chart(synthetic()))
    boxes = [box for _, box, _ in regions]
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            overlap = min(x1 + w1, x2 + w2) - max(x1, x2) > 0.5 and min(y1 + h1, y2 + h2) - max(y1, y2) > 0.5
            assert not overlap, ((x1, y1, w1, h1), (x2, y2, w2, h2))


def test_chart_legend_names_every_series_in_full():
    results = synthetic()
    _, regions = _regions(bench("chart").svg_chart(results))
    legends = " ".join(" ".join(t[-1] for t in texts) for kind, _, texts in regions if kind == "legend")
    labels = {r["label"] for i in results["workloads"] if i["kind"] == "scaling" for r in i["rows"]}
    assert labels
    for label in labels:
        assert label in legends, label


def test_throughput_axis_reaches_the_fastest_anchor():
    """The left panel is absolute: its top tick is at least the fastest median, so the
    anchors are drawn where they are, not normalised to their own 1-thread rate."""
    results = synthetic()
    _, regions = _regions(bench("chart").svg_chart(results))
    panels = [texts for kind, _, texts in regions if kind == "panel"]
    for item in [i for i in results["workloads"] if i["kind"] == "scaling" and i["rows"]]:
        texts = panels.pop(0)
        if len({r["threads"] for r in item["rows"]}) > 1:
            panels.pop(0)  # the speedup panel beside it
        ticks = [_number(t[-1]) for t in texts if t[3] == "end" and _number(t[-1]) is not None]
        assert max(ticks) >= max(r["rate"]["median"] for r in item["rows"]), (item["name"], ticks)
    assert not panels


def _number(text):
    match = re.fullmatch(r"([\d,.]+)(k?)", text)
    if not match:
        return None
    return float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1)


def test_short_calls_are_repeated_until_a_run_lasts_long_enough(monkeypatch):
    from swiftpy.bench import runner
    from swiftpy.bench.workloads import Scaling, Variant
    assert runner.calls_per_run(0.2) == 1                     # a 32 MB zlib call: one per run
    assert runner.calls_per_run(runner.MIN_RUN_SECONDS) == 1
    assert runner.calls_per_run(0.0004) == 125                 # a 0.4 ms gemm: 125 calls = 50 ms
    assert runner.calls_per_run(0.025, calls=125) == 250       # the check run was too short: more
    assert runner.calls_per_run(0.0) == 1000                   # capped
    # Each timed run repeats the call `count` times per thread, and the rate counts them all.
    seen = []

    def timed(team, variant, datas, count=1):
        seen.append(count)
        return {1: 0.0004, 125: 0.025}.get(count, 0.05)   # warm-up, check, then timed runs

    monkeypatch.setattr(runner, "_timed", timed)
    variant = Variant("v", "released", lambda d: None, lambda d: 1_000_000)
    item = Scaling("w", "blas", "GFLOP/s", lambda i: i, [variant], threads=[1])

    class Options:
        threads, repeat = [1], 3

    class Quiet:
        def show(self, text):
            pass

    result = runner.run_scaling(item, Options(), Quiet())
    assert seen == [1, 125, 250, 250, 250]
    # 250 calls of 1 Mflop in 0.05 s: 5 GFLOP/s.
    assert result["rows"][0]["rate"]["median"] == pytest.approx(5.0)
    calls = []

    class Team:
        def run(self, jobs):
            for job in jobs:
                job()
            return 1.0

    monkeypatch.undo()
    runner._timed(Team(), Variant("v", "released", lambda d: calls.append(d), lambda d: 1), ["a", "b"], 3)
    assert calls == ["a"] * 3 + ["b"] * 3


def test_speedups_pair_repetitions_only_when_thread_counts_ran_together():
    """Paired (the default): the median of per-repetition ratios; paired_threads=False (the
    dask workload, thread counts run one after another): the ratio of medians. Anchor
    ratios pair repetitions either way."""
    def rows():
        def rate(samples):
            return {"median": sorted(samples)[1], "min": min(samples), "max": max(samples), "samples": samples}
        return [{"label": "ours", "role": "released", "threads": 1, "rate": rate([1.0, 2.0, 4.0])},
                {"label": "ours", "role": "released", "threads": 2, "rate": rate([4.0, 3.0, 5.0])},
                {"label": "peer", "role": "anchor", "threads": 2, "rate": rate([4.0, 1.0, 2.0])}]
    paired, unpaired = rows(), rows()
    bench("runner")._add_ratios(paired)
    bench("runner")._add_ratios(unpaired, paired_threads=False)
    # per repetition: 4/1, 3/2, 5/4 -> median 1.5; medians: 4/2 = 2.
    assert paired[1]["speedup"] == 1.5 and unpaired[1]["speedup"] == 2.0
    # vs the anchor, per repetition: 4/4, 3/1, 5/2 -> median 2.5 (the ratio of medians would be 2).
    assert paired[1]["vs"]["peer"] == unpaired[1]["vs"]["peer"] == 2.5
