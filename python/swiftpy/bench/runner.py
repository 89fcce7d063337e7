"""Runs workloads: warm-up, interleaved repetitions, medians; ratios within one run."""
import math
import statistics
import shutil
import sys
import time

from .timing import ThreadTeam, per_call_ns, summarize


class Progress:
    """Where the run is. On a terminal: one status line, rewritten in place with \\r, and
    cut to the terminal's width ("[3/12] 41s zlib compress, level 6: isal compress level 3,
    2 threads, rep 3/5"). Otherwise (a log, a pipe, CI): one line per workload as it
    starts, so a log shows what ran and how long the run had taken, without hundreds of
    lines."""

    def __init__(self, enabled=True, stream=None, tty=None, columns=None):
        self.enabled = enabled
        self.stream = sys.stderr if stream is None else stream
        self.tty = _isatty(self.stream) if tty is None else tty
        self.columns = columns
        self.start = time.perf_counter()
        self.prefix = self.name = ""
        self.shown = False

    def workload(self, index, total, name):
        """Workload `index` (1-based) of `total` starts."""
        if not self.enabled:
            return
        self.prefix = f"[{index}/{total}]"
        self.name = name
        if self.tty:
            self._draw()
        else:
            print(f"{self.prefix} {self._elapsed()} {name}", file=self.stream, flush=True)

    def show(self, text):
        """A step inside the current workload: shown on a terminal only."""
        if self.enabled and self.tty:
            self._draw(text)

    def done(self):
        if self.enabled and self.tty and self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _elapsed(self):
        return f"{time.perf_counter() - self.start:.0f}s"

    def _draw(self, detail=""):
        """`[i/n] 41s name: detail`, no wider than the terminal (a line that wraps cannot be
        rewritten with \\r): the workload's name is shortened first, the step last."""
        columns = self.columns or shutil.get_terminal_size((100, 24)).columns
        head = " ".join(part for part in (self.prefix, self._elapsed()) if part)
        name, tail = self.name, f": {detail}" if detail and self.name else detail
        room = columns - 1 - len(head) - 1 - len(tail)
        if len(name) > room:
            name = name[:max(room - 1, 8)] + "…"
        line = f"{head} {name}{tail}"
        if len(line) > columns - 1:
            line = line[:columns - 2] + "…"
        self.stream.write("\r\033[K" + line)
        self.stream.flush()
        self.shown = True


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def run_per_call(item, options, progress):
    impls = [tuple(i) + ({},) * (4 - len(i)) for i in item.implementations]  # (label, f, args, kwargs)
    samples = {label: [] for label, _, _, _ in impls}
    for label, function, args, kwargs in impls:  # warm-up
        per_call_ns(function, args, max(options.calls // 10, 1000), kwargs=kwargs)
    for rep in range(options.repeat):
        order = impls[rep % len(impls):] + impls[: rep % len(impls)]
        for label, function, args, kwargs in order:
            progress.show(f"{label}, rep {rep + 1}/{options.repeat}")
            samples[label].append(per_call_ns(function, args, options.calls, kwargs=kwargs))
    base = summarize(samples[item.baseline])["median"] if item.baseline in samples else None
    rows = []
    for label, _, _, _ in impls:
        stats = summarize(samples[label])
        rows.append({"label": label, "ns_per_call": stats, "ratio_vs_baseline": (stats["median"] / base) if base else None})
    return {"kind": "per_call", "name": item.name, "group": item.group, "baseline": item.baseline, "rows": rows, "notes": item.notes}


def run_scaling(item, options, progress):
    """Every thread count of `item`, each variant, `options.repeat` times. The repetitions
    are the outer loop, so each one runs every thread count and variant within seconds of
    the others, and ratios (speedup, vs an anchor) are medians of per-repetition ratios:
    on a shared machine whose speed drifts by tens of percent over minutes, pairs measured
    together are far steadier than ratios of medians taken minutes apart."""
    scale = 1e6 if item.unit.startswith("MB/s") else 1e9
    counts = list(item.threads or options.threads)
    # The same data as one thread count at a time made: thread i works on make_data(i).
    pool = [item.make_data(i) for i in range(max(counts))]
    datas = {threads: pool[:threads] for threads in counts}
    rates = {(threads, v.label): [] for threads in counts for v in item.variants}
    teams = {}
    try:
        calls = {}
        for threads in counts:
            teams[threads] = ThreadTeam(threads)
            for variant in item.variants:  # warm-up (also faults in the data), and how many calls make a run
                progress.show(f"{variant.label}, {_threads(threads)}, warm-up")
                calls[threads, variant.label] = _calibrated_calls(teams[threads], variant, datas[threads])
        for rep in range(options.repeat):
            shift = rep % len(item.variants)
            for threads in counts:
                for variant in item.variants[shift:] + item.variants[:shift]:
                    progress.show(f"{variant.label}, {_threads(threads)}, rep {rep + 1}/{options.repeat}")
                    count = calls[threads, variant.label]
                    elapsed = _timed(teams[threads], variant, datas[threads], count)
                    work = sum(variant.work(d) for d in datas[threads])
                    rates[threads, variant.label].append(work * count / elapsed / scale)
    finally:
        for team in teams.values():
            team.close()
    rows = [{"label": v.label, "role": v.role, "threads": threads, "rate": summarize(rates[threads, v.label])}
            for threads in counts for v in item.variants]
    _add_ratios(rows)
    return {"kind": "scaling", "name": item.name, "group": item.group, "unit": item.unit, "rows": rows, "notes": item.notes}


def run_single_call(item, options, progress):
    """One Python thread; the builtin is asked to use `threads` threads internally. As in
    run_scaling, each repetition runs every thread count and variant back to back."""
    scale = 1e6 if item.unit.startswith("MB/s") else 1e9
    data = item.make_data(0)
    counts = list(options.threads)
    rates = {(threads, v.label): [] for threads in counts for v in item.variants}
    for threads in counts:
        for variant in item.variants:
            variant.run(data, threads)  # warm-up
    for rep in range(options.repeat):
        for threads in counts:
            for variant in item.variants:
                progress.show(f"{variant.label}, threads={threads} inside, rep {rep + 1}/{options.repeat}")
                start = time.perf_counter()
                variant.run(data, threads)
                rates[threads, variant.label].append(variant.work(data) / (time.perf_counter() - start) / scale)
    rows = [{"label": v.label, "role": v.role, "threads": threads, "rate": summarize(rates[threads, v.label])}
            for threads in counts for v in item.variants]
    _add_ratios(rows)
    return {"kind": "scaling", "name": item.name, "group": item.group, "unit": item.unit, "rows": rows, "notes": item.notes}


def _threads(n):
    return "1 thread" if n == 1 else f"{n} threads"


#: Each timed run lasts at least this long: each thread repeats its call as often as the
#: warm-up says it takes. A run of one short call per thread (a 0.2 ms gemm) would time the
#: threads' start and join rather than the calls, and concurrent callers' hand-offs only
#: show in repeated calls.
MIN_RUN_SECONDS = 0.05


def calls_per_run(seconds, calls=1, cap=1000):
    """How many calls per thread make a timed run of at least MIN_RUN_SECONDS, given that
    `calls` calls took `seconds` (at most `cap`)."""
    per_call = max(seconds, 1e-9) / calls
    return max(calls, min(cap, math.ceil(MIN_RUN_SECONDS / per_call)))


def _calibrated_calls(team, variant, datas):
    """Calls per run for `variant`: from a first (cold: faults, thread start) run of one
    call, then checked with a second run of that many, which sets the count again."""
    count = calls_per_run(_timed(team, variant, datas))
    if count == 1:
        return 1
    return calls_per_run(_timed(team, variant, datas, count), count)


def _repeat(run, data, count):
    for _ in range(count):
        run(data)


def _timed(team, variant, datas, count=1):
    if variant.setup is not None:
        variant.setup()
    try:
        return team.run([lambda d=d, v=variant: _repeat(v.run, d, count) for d in datas])
    finally:
        if variant.teardown is not None:
            variant.teardown()


def _add_ratios(rows, paired_threads=True):
    """Speedup vs the same variant on 1 thread, and ratio vs each anchor at equal threads:
    the median of per-repetition ratios where both rows have one sample per repetition
    (measured together, see run_scaling), else the ratio of medians. With
    `paired_threads=False` (thread counts measured one after another, as the dask workload
    does) the speedup is always a ratio of medians."""
    by_key = {(r["label"], r["threads"]): r["rate"] for r in rows}
    anchors = sorted({r["label"] for r in rows if r["role"] == "anchor"})

    def ratio(rate, base, paired=True):
        if base is None or base["median"] <= 0:
            return None
        a, b = rate.get("samples", []), base.get("samples", [])
        if paired and a and len(a) == len(b) and all(x > 0 for x in b):
            return statistics.median(x / y for x, y in zip(a, b))
        return rate["median"] / base["median"]

    for row in rows:
        row["speedup"] = ratio(row["rate"], by_key.get((row["label"], 1)), paired=paired_threads)
        row["vs"] = {}
        for a in anchors:
            if a != row["label"] and (a, row["threads"]) in by_key:
                value = ratio(row["rate"], by_key[(a, row["threads"])])
                if value is not None:
                    row["vs"][a] = value
