"""python -m swiftpy.bench: native workloads × threads × {GIL released, GIL held}, with
the alternatives side by side, in one run.

  python -m swiftpy.bench                    # full suite (a few minutes on 2 cores)
  python -m swiftpy.bench --quick            # smoke run, under a minute
  python -m swiftpy.bench --workloads calls,demo --threads 1,2 --json out.json --chart out.svg
"""
import argparse
import json
import shlex
import sys

from . import machine, report, runner, workloads
from .runner import Progress, run_per_call, run_scaling, run_single_call


def parse(argv):
    cores = machine.available_cores()
    parser = argparse.ArgumentParser(prog="python -m swiftpy.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(workloads.ALL_GROUPS),
                        help=f"comma-separated groups: {', '.join(workloads.ALL_GROUPS)} (default: all)")
    parser.add_argument("--threads", default=None, help=f"comma-separated thread counts (default 1..{2 * cores}, i.e. 1..2×cores)")
    parser.add_argument("--size", type=float, default=None, help="MB of data per thread for byte workloads (default 32, quick 4)")
    parser.add_argument("--repeat", type=int, default=None, help="timed repetitions per point (default 5, quick 2)")
    parser.add_argument("--calls", type=int, default=None, help="calls per per-call sample (default 1,000,000, quick 100,000)")
    parser.add_argument("--quick", action="store_true", help="small sizes and few repetitions: a smoke test, not figures")
    parser.add_argument("--json", help="write every raw sample, the machine and versions here")
    parser.add_argument("--chart", help="write an SVG chart of speedup vs threads here")
    parser.add_argument("--markdown", help="write a BENCHMARKS.md-style report here")
    parser.add_argument("--no-progress", action="store_true", help="no progress line (on a terminal one live line; otherwise one line per workload)")
    args = parser.parse_args(argv)
    args.groups = [g.strip() for g in args.workloads.split(",") if g.strip()]
    unknown = set(args.groups) - set(workloads.ALL_GROUPS)
    if unknown:
        parser.error(f"unknown workload group(s): {', '.join(sorted(unknown))}")
    if args.threads:
        try:
            args.threads = sorted({int(t) for t in args.threads.split(",")})
        except ValueError:
            parser.error("--threads takes comma-separated integers")
        if args.threads[0] < 1:
            parser.error("--threads must be positive")
    else:
        args.threads = [1, 2] if args.quick else list(range(1, 2 * cores + 1))
    if 1 not in args.threads:
        args.threads = [1] + args.threads  # speedups are relative to 1 thread
    args.size = int((args.size or (4 if args.quick else 32)) * 1_000_000)
    args.repeat = args.repeat or (2 if args.quick else 5)
    args.calls = args.calls or (100_000 if args.quick else 1_000_000)
    return args


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    options = parse(argv)
    progress = Progress(enabled=not options.no_progress)
    results = {
        "command": "python -m swiftpy.bench " + " ".join(shlex.quote(a) for a in argv),
        "method": (f"wall clock; {options.repeat} timed repetitions after a warm-up, each running every thread "
                   f"count and variant back to back (variants in rotated order); medians with min–max; speedup and "
                   f"vs-anchor ratios are medians of per-repetition ratios (the dask workload's speedup: a ratio of "
                   f"medians, its thread counts run one after another); threads started before timing; each "
                   f"thread repeats its call so that a "
                   f"run lasts about {runner.MIN_RUN_SECONDS * 1000:g} ms or more (count set by two warm-up runs, "
                   f"at most 1000 calls); {options.size / 1e6:g} MB per thread "
                   "of Python stdlib source (seeded order) for byte workloads"),
        "machine": machine.describe(),
        "versions": machine.versions(),
        "options": {"threads": options.threads, "size": options.size, "repeat": options.repeat, "calls": options.calls, "quick": options.quick},
        "workloads": [],
    }
    items = []
    if "calls" in options.groups:
        items += workloads.per_call_workloads(options)
    items += workloads.scaling_workloads(options)
    for index, item in enumerate(items, 1):
        progress.workload(index, len(items), item.name)
        if isinstance(item, workloads.PerCall):
            results["workloads"].append(run_per_call(item, options, progress))
        elif isinstance(item, workloads.SingleCall):
            results["workloads"].append(run_single_call(item, options, progress))
        elif hasattr(item, "run"):  # a workload with its own runner (dask_workload)
            results["workloads"].append(item.run(options, progress))
        else:
            results["workloads"].append(run_scaling(item, options, progress))
    progress.done()
    print(report.tables(results))
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(results, handle, indent=1)
    if options.chart:
        with open(options.chart, "w") as handle:
            handle.write(report.svg_chart(results))
    if options.markdown:
        with open(options.markdown, "w") as handle:
            handle.write(report.markdown(results, chart_path=options.chart))
    return 0


if __name__ == "__main__":
    sys.exit(main())
