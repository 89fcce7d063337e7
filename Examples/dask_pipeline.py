"""Scale out with Dask: a pipeline of SwiftPy builtins, timed on one thread and on N.

The pipeline compresses many chunks of text with ``swiftpy.zlib.compress`` and pushes
blocks of rows through a stack of dense layers with ``swiftpy.blas.matmul``. Both builtins
release the GIL, so the N threads of one Dask worker run N tasks at once. The script runs
the same pipeline, on the same inputs, several ways and prints them side by side:

    serial loop, no Dask      the work in a plain loop in this thread (results are checked
                              against it, and it shows what Dask's scheduling costs)
    SwiftPy, 1 thread         a LocalCluster whose worker has one thread: the baseline
    SwiftPy, GIL released     N threads (the normal builtins)
    SwiftPy, GIL held         N threads, builtins told to keep the GIL
                              (``swiftpy._native.set_release_gil(False)``)
    stdlib zlib + numpy       the same pipeline with ``zlib.compress`` and ``numpy.matmul``,
                              on 1 thread and on N

Every run uses one BLAS thread per call (``swiftpy.blas.set_num_threads(1)`` and
threadpoolctl for numpy's OpenBLAS), so "1 thread" means one core and N threads use N.

    python Examples/dask_pipeline.py                               # LocalCluster, threads
    python Examples/dask_pipeline.py --scale 0.25                  # a quicker, smaller run
    python Examples/dask_pipeline.py --scheduler tcp://HOST:8786   # a running cluster

On a running cluster the thread count is the cluster's and the serial loop (here) is the
baseline. Every worker needs swiftpy, numpy and threadpoolctl installed for its own
Python; the script sends this file with ``client.upload_file`` so workers can import it.
The builtins pickle by reference (``pickle.loads(pickle.dumps(f)) is f``), so a task that
names one ships only its module and name.
"""
import argparse
import contextlib
import os
import statistics
import time
import zlib as stdlib_zlib
from dataclasses import dataclass

import numpy as np

import swiftpy.blas as blas
import swiftpy.zlib as zlib

#: What each engine calls: (compress(data, level), matmul(a, b)).
ENGINES = {
    "swiftpy": (zlib.compress, blas.matmul),
    "stdlib": (stdlib_zlib.compress, np.matmul),
}


@dataclass(frozen=True)
class Params:
    """The pipeline's size. The defaults take ~3.5 s on one core of a 2020s server CPU,
    in 72 tasks of 40-60 ms each, so Dask's per-task cost (well under a millisecond)
    stays under 5% of the run."""
    chunks: int = 40  # text chunks to compress
    chunk_size: int = 2 << 20  # bytes per chunk
    level: int = 6  # zlib level
    blocks: int = 32  # row blocks through the layers
    rows: int = 512  # rows per block
    width: int = 512  # layer width (each layer is a width x width matrix)
    depth: int = 6  # layers
    seed: int = 0

    def scaled(self, factor):
        """The same task sizes, `factor` times as many tasks (at least 2 of each)."""
        return Params(max(2, round(self.chunks * factor)), self.chunk_size, self.level,
                      max(2, round(self.blocks * factor)), self.rows, self.width, self.depth, self.seed)

    def describe(self):
        return (f"{self.chunks} chunks x {self.chunk_size / 2**20:g} MiB of text through zlib compress "
                f"(level {self.level}), {self.blocks} blocks of {self.rows}x{self.width} through "
                f"{self.depth} dense layers (matmul)")


# --- Inputs: made on the workers, the way a real pipeline loads its chunks ---

def make_text(index, size, seed=0):
    """Chunk `index`: `size` bytes of compressible word salad (a skewed choice from a
    fixed vocabulary), built with numpy so it is fast and the same on every machine."""
    vocabulary = np.random.default_rng([seed, 0])
    lengths = vocabulary.integers(2, 12, 4096).astype(np.int32)
    letters = vocabulary.integers(ord("a"), ord("z") + 1, int(lengths.sum()) + 1, dtype=np.uint8)
    starts = (np.cumsum(lengths) - lengths).astype(np.int32)  # word w is letters[starts[w]:][:lengths[w]]
    rng = np.random.default_rng([seed, 1, index])
    words = (len(lengths) * rng.random(max(size // 6, 1)) ** 3).astype(np.int32)  # frequent words first
    spans = lengths[words] + 1  # each word and the separator after it
    ends = np.cumsum(spans, dtype=np.int32)
    # Byte k of the text is letter (starts[word] + k - start of that word in the text).
    text = letters[np.arange(ends[-1], dtype=np.int32) + np.repeat(starts[words] - (ends - spans), spans)]
    text[ends - 1] = np.where(rng.random(len(words)) < 0.1, ord("\n"), ord(" "))
    return np.resize(text, size).tobytes()  # ~1.25x size was made: cut to size


def make_block(index, rows, width, seed=0):
    """Row block `index` of the input."""
    return np.random.default_rng([seed, 2, index]).standard_normal((rows, width))


def make_layers(width, depth, seed=0):
    """The layers' weights, scaled so values stay of order 1 through the stack."""
    rng = np.random.default_rng([seed, 3])
    return [rng.standard_normal((width, width)) / np.sqrt(width) for _ in range(depth)]


# --- The tasks: all their heavy work is in the builtin they are given ---

def compress_chunk(chunk, compress, level):
    """One chunk through `compress` (swiftpy.zlib.compress or zlib.compress)."""
    return compress(chunk, level)


def dense_layers(block, layers, matmul):
    """One row block through every layer: block @ W1 @ W2 @ ... (swiftpy.blas.matmul or
    numpy.matmul; one BLAS call of 2*rows*width^2 flops per layer)."""
    for weights in layers:
        block = np.asarray(matmul(block, weights))
    return block


# --- Per-process settings ---

def configure():
    """One BLAS thread per call in this process: for swiftpy.blas (its own OpenBLAS
    setting) and for every BLAS threadpoolctl finds (numpy's bundled OpenBLAS). Returns
    the previous settings for restore().

    Set this once per process and leave it: OpenBLAS's thread count is not safe to
    raise and lower again from different threads (seen with 0.3.21 and numpy's bundled
    build: after a raise from one thread, a lower from another does not take, and the
    "single-threaded" calls run 2-3x slower on a busy machine)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    previous = {"swiftpy_blas_threads": blas.get_num_threads(),
                "blas": {info["filepath"]: info["num_threads"] for info in threadpool_info()
                         if info["user_api"] == "blas"}}
    blas.set_num_threads(1)
    threadpool_limits(limits=1, user_api="blas")
    return previous


def restore(previous):
    """Undoes configure() (for code that goes on running in this process, e.g. tests)."""
    from threadpoolctl import ThreadpoolController

    for controller in ThreadpoolController().lib_controllers:
        if controller.filepath in previous["blas"]:
            controller.set_num_threads(previous["blas"][controller.filepath])
    blas.set_num_threads(previous["swiftpy_blas_threads"])


@contextlib.contextmanager
def one_blas_thread():
    """configure() for the duration of a `with` block, in this process."""
    previous = configure()
    try:
        yield
    finally:
        restore(previous)


# --- Running it ---

class Inputs:
    """The pipeline's inputs as futures held on the cluster's workers."""

    def __init__(self, client, params):
        from dask.distributed import wait

        p = params
        self.params = p
        self.chunks = client.map(make_text, range(p.chunks), size=p.chunk_size, seed=p.seed)
        self.blocks = client.map(make_block, range(p.blocks), rows=p.rows, width=p.width, seed=p.seed)
        self.layers = client.submit(make_layers, p.width, p.depth, p.seed)
        wait(self.chunks + self.blocks + [self.layers])


def run_dask(client, inputs, engine="swiftpy"):
    """One timed run of the pipeline on the cluster. Returns (seconds, results): the
    clock stops when every task is done; gathering the results is not timed."""
    from dask.distributed import wait

    compress, matmul = ENGINES[engine]
    p = inputs.params
    start = time.perf_counter()
    # pure=False: a fresh key per run, so no run reuses another's results.
    packed = client.map(compress_chunk, inputs.chunks, compress=compress, level=p.level, pure=False)
    outputs = client.map(dense_layers, inputs.blocks, layers=inputs.layers, matmul=matmul, pure=False)
    wait(packed + outputs)
    elapsed = time.perf_counter() - start
    return elapsed, (client.gather(packed), client.gather(outputs))


def run_serial(params, engine="swiftpy"):
    """The same pipeline in a plain loop in this thread. Returns (seconds, results)."""
    compress, matmul = ENGINES[engine]
    p = params
    chunks = [make_text(i, p.chunk_size, p.seed) for i in range(p.chunks)]
    blocks = [make_block(i, p.rows, p.width, p.seed) for i in range(p.blocks)]
    layers = make_layers(p.width, p.depth, p.seed)
    start = time.perf_counter()
    result = ([compress_chunk(c, compress, p.level) for c in chunks], [dense_layers(b, layers, matmul) for b in blocks])
    return time.perf_counter() - start, result


def check(result, reference):
    """Raises AssertionError unless a run's results equal the serial run's."""
    packed, outputs = result
    ref_packed, ref_outputs = reference
    assert len(packed) == len(ref_packed) and len(outputs) == len(ref_outputs)
    for got, want in zip(packed, ref_packed):
        # Same zlib, same level: byte-identical streams; another zlib build may differ
        # in its bytes but must decompress to the same data.
        assert got == want or stdlib_zlib.decompress(got) == stdlib_zlib.decompress(want)
    for got, want in zip(outputs, ref_outputs):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


#: The report's rows: (label, engine, which cluster: "one" thread or "many", GIL released).
ROWS = [
    ("SwiftPy, 1 thread", "swiftpy", "one", True),
    ("SwiftPy, GIL released", "swiftpy", "many", True),
    ("SwiftPy, GIL held", "swiftpy", "many", False),
    ("stdlib zlib + numpy, 1 thread", "stdlib", "one", True),
    ("stdlib zlib + numpy", "stdlib", "many", True),
]
SERIAL_ROW = "serial loop, no Dask (SwiftPy)"


def measure(clients, params, repeat=1, progress=print):
    """Times the serial loop and every row whose cluster is in `clients` ({"one": a
    Client of a 1-thread cluster, "many": of the N-thread one}; either may be missing),
    `repeat` rounds with the order rotating each round, so a busy machine slows every row
    alike. Every run's results are checked against the first serial run's. Returns
    {label: (threads, [seconds])}.

    The "GIL held" row flips SwiftPy's switch on the workers of its cluster (the switch is
    a builtin, so client.run ships it by reference) and flips it back."""
    import swiftpy._native

    inputs, threads = {}, {}
    for where, client in clients.items():
        threads[where] = sum(client.nthreads().values())
        client.run(configure)  # workers in other processes; in this one, already done
        progress(f"making the inputs on {threads[where]} thread(s)")
        inputs[where] = Inputs(client, params)
    rows = [(SERIAL_ROW, "swiftpy", None, True)] + [row for row in ROWS if row[2] in clients]
    timings = {label: (threads.get(where, 1), []) for label, _, where, _ in rows}
    reference = None
    for round_ in range(repeat):
        shift = round_ % len(rows)  # round 0 starts with the serial loop: the reference
        for label, engine, where, release_gil in rows[shift:] + rows[:shift]:
            progress(f"{label} ({timings[label][0]} thread(s)), round {round_ + 1}/{repeat}")
            if where is None:
                seconds, result = run_serial(params, engine)
                if reference is None:
                    reference = result
            else:
                client = clients[where]
                client.run(swiftpy._native.set_release_gil, release_gil)
                try:
                    seconds, result = run_dask(client, inputs[where], engine)
                finally:
                    client.run(swiftpy._native.set_release_gil, True)
            check(result, reference)
            del result
            timings[label][1].append(seconds)
    return timings


def report(timings, params, baseline):
    """The side-by-side table, as text."""
    base = statistics.median(timings[baseline][1])
    rounds = len(timings[baseline][1])
    lines = [f"pipeline: {params.describe()}",
             f"speedup = time of '{baseline}' / time of the row; "
             + (f"medians of {rounds} interleaved rounds" if rounds > 1 else "one round (--repeat N: medians of N)"),
             f"{'run':<34} {'threads':>7} {'time':>9} {'speedup':>8}"]
    order = [SERIAL_ROW] + [row[0] for row in ROWS]
    for label in sorted(timings, key=order.index):
        threads, times = timings[label]
        seconds = statistics.median(times)
        lines.append(f"{label:<34} {threads:>7} {seconds:>7.2f} s {base / seconds:>7.2f}x")
    if SERIAL_ROW in timings and "SwiftPy, 1 thread" in timings:
        cost = statistics.median(timings["SwiftPy, 1 thread"][1]) / statistics.median(timings[SERIAL_ROW][1]) - 1
        lines.append(f"Dask's scheduling cost (1-thread run vs serial loop): {100 * cost:+.1f}%")
    lines.append("results match the serial run")
    return "\n".join(lines)


def run_all(args, params, progress):
    """Every row, on LocalClusters here or on a running cluster. Returns (timings, baseline)."""
    from dask.distributed import Client, LocalCluster

    if args.scheduler:
        with Client(args.scheduler) as client:
            client.upload_file(os.path.abspath(__file__))  # workers import this module by name
            return measure({"many": client}, params, args.repeat, progress), SERIAL_ROW
    threads = args.threads_per_worker or len(os.sched_getaffinity(0))
    with contextlib.ExitStack() as stack:
        clients = {}
        for where, workers, per_worker in (("one", 1, 1), ("many", args.workers, threads)):
            cluster = stack.enter_context(LocalCluster(n_workers=workers, threads_per_worker=per_worker,
                                                       processes=args.processes,
                                                       dashboard_address=":0"))  # any free port
            clients[where] = stack.enter_context(Client(cluster))
            if args.processes:
                clients[where].upload_file(os.path.abspath(__file__))
        return measure(clients, params, args.repeat, progress), "SwiftPy, 1 thread"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running scheduler (default: LocalClusters here)")
    parser.add_argument("--workers", type=int, default=1, help="LocalCluster workers (default 1)")
    parser.add_argument("--threads-per-worker", type=int, default=None,
                        help="threads per LocalCluster worker (default: the cores available)")
    parser.add_argument("--processes", action="store_true", help="LocalCluster workers as processes")
    parser.add_argument("--scale", type=float, default=1.0, help="tasks x this factor (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs per row; the table shows medians")
    args = parser.parse_args(argv)
    params = Params().scaled(args.scale)
    progress = lambda text: print(f"  ... {text}", flush=True)

    start = time.perf_counter()
    with one_blas_thread():  # this process: the serial loop and LocalCluster workers in it
        timings, baseline = run_all(args, params, progress)
    print(report(timings, params, baseline))
    print(f"whole example: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
