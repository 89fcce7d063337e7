"""The `dask` workload: the pipeline of Examples/dask_pipeline.py (with the benchmark's
own text corpus) on a dask.distributed LocalCluster (one worker, threads, in this
process) at each thread count of the run.

Each run compresses text chunks with zlib level 6 and pushes row blocks through dense
layers (a chain of 512x512 matrix products), as one batch of 16 tasks of ~100 ms, so
Dask's own cost per task (~3 ms on a busy 2-core VM) stays under 5%. Variants: swiftpy.zlib + swiftpy.blas (GIL released),
the same with the GIL held (swiftpy._native.set_release_gil(False)), and stdlib zlib +
numpy.matmul (the anchor). Every BLAS call uses one thread, so 1 thread means one core.
The rate is tasks per second; speedups are against the same variant on 1 thread."""
import time

from .corpus import text_corpus
from .timing import summarize

#: (chunks, chunk bytes, blocks, rows, width, depth) per run; --quick uses the second.
FULL = (8, 4_000_000, 8, 512, 512, 12)
QUICK = (4, 1_000_000, 4, 256, 256, 4)


class DaskPipeline:
    """A workload with its own runner: `run(options, progress)` returns the same result
    dict as runner.run_scaling, so the report treats it like any scaling workload."""
    name = "dask pipeline: zlib compress + dense layers on a LocalCluster (threads)"
    group = "dask"

    def run(self, options, progress):
        result = {"kind": "scaling", "name": self.name, "group": self.group, "unit": "tasks/s", "rows": [], "notes": []}
        try:
            import dask
            import distributed
            import numpy
        except Exception as error:  # noqa: BLE001 - any import failure means "skip"
            result["notes"].append(f'skipped: needs dask.distributed and numpy (pip install "dask[distributed]"); '
                                   f'{type(error).__name__}: {error}')
            return result
        from .runner import _add_ratios

        chunks, chunk_size, blocks, rows, width, depth = QUICK if options.quick else FULL
        result["notes"].append(
            f"per run: {chunks} chunks x {chunk_size / 1e6:g} MB of Python source through compress(level 6), "
            f"{blocks} blocks of {rows}x{width} through {depth} layers of {width}x{width} (matmul); "
            f"{chunks + blocks} tasks; dask {dask.__version__}, distributed {distributed.__version__}")
        inputs = _Inputs(numpy, chunks, chunk_size, blocks, rows, width, depth)
        threads_limit = _OneBlasThread()
        if threads_limit.note:
            result["notes"].append(threads_limit.note)
        variants = _variants(numpy)
        with threads_limit:  # once, from this thread: see Examples/dask_pipeline.py's configure()
            for threads in options.threads:
                result["rows"] += self._run_threads(distributed, inputs, variants, threads, options, progress)
        # Thread counts run one after another here (a cluster each): speedups are ratios
        # of medians; vs-anchor ratios pair runs of the same repetition.
        _add_ratios(result["rows"], paired_threads=False)
        for row in result["rows"]:
            if row["threads"] == 1 and row["role"] == "released":
                result["notes"].append(f"one run on 1 thread, GIL released: {inputs.tasks / row['rate']['median']:.2f} s")
        return result

    @staticmethod
    def _run_threads(distributed, inputs, variants, threads, options, progress):
        """Every variant on a LocalCluster with `threads` threads: a warm-up run each, then
        options.repeat rounds, the order rotating each round. Returns the rows."""
        with distributed.LocalCluster(n_workers=1, threads_per_worker=threads, processes=False,
                                      dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
            held = _held_inputs(client, inputs)
            seconds = {label: [] for label, _, _ in variants}
            for label, role, kernels in variants:
                progress.show(f"dask: {label}, {threads} thread(s), warm-up")
                _timed_run(client, held, kernels, role, distributed.wait)
            for rep in range(options.repeat):
                shift = rep % len(variants)
                for label, role, kernels in variants[shift:] + variants[:shift]:
                    progress.show(f"dask: {label}, {threads} thread(s), rep {rep + 1}/{options.repeat}")
                    seconds[label].append(_timed_run(client, held, kernels, role, distributed.wait))
        return [{"label": label, "role": role, "threads": threads, "rate": summarize([inputs.tasks / s for s in seconds[label]])}
                for label, role, _ in variants]


def dask_workloads(options):
    return [DaskPipeline()]


class _Inputs:
    """The pipeline's inputs, made once in this process."""

    def __init__(self, numpy, chunks, chunk_size, blocks, rows, width, depth):
        self.chunks = [text_corpus(chunk_size, seed=100 + i) for i in range(chunks)]
        rng = numpy.random.default_rng(15)
        self.blocks = [rng.standard_normal((rows, width)) for _ in range(blocks)]
        self.layers = [rng.standard_normal((width, width)) / numpy.sqrt(width) for _ in range(depth)]
        self.tasks = chunks + blocks


def _held_inputs(client, inputs):
    """The inputs scattered to the cluster's worker (in this process: no copy)."""
    return {"chunks": client.scatter(inputs.chunks), "blocks": client.scatter(inputs.blocks),
            "layers": client.scatter(inputs.layers, broadcast=True)}


def _variants(numpy):
    import zlib as stdlib_zlib

    from .. import blas as sb
    from .. import zlib as sz

    swiftpy = (sz.compress, sb.matmul)
    return [("swiftpy.zlib + swiftpy.blas", "released", swiftpy),
            ("swiftpy.zlib + swiftpy.blas [GIL held]", "held", swiftpy),
            ("stdlib zlib + numpy.matmul", "anchor", (stdlib_zlib.compress, numpy.matmul))]


def _compress(chunk, compress):
    return compress(chunk, 6)


def _layers(block, *layers, matmul):
    import numpy
    for weights in layers:
        block = numpy.asarray(matmul(block, weights))
    return block


def _timed_run(client, held, kernels, role, wait):
    """One run; seconds from submitting the first task until the last one is done."""
    from .. import _native

    compress, matmul = kernels
    _native.set_release_gil(role != "held")
    try:
        start = time.perf_counter()
        futures = client.map(_compress, held["chunks"], compress=compress, pure=False)
        futures += [client.submit(_layers, block, *held["layers"], matmul=matmul, pure=False) for block in held["blocks"]]
        wait(futures)
        return time.perf_counter() - start
    finally:
        _native.set_release_gil(True)


class _OneBlasThread:
    """Context: one BLAS thread per call for swiftpy.blas and numpy's OpenBLAS."""

    def __init__(self):
        try:
            import threadpoolctl
        except Exception:  # noqa: BLE001
            threadpoolctl = None
        self.threadpoolctl = threadpoolctl
        self.note = None if threadpoolctl else "threadpoolctl not importable: numpy ran with its default BLAS threads"

    def __enter__(self):
        from .. import blas as sb

        self.count = sb.get_num_threads()
        sb.set_num_threads(1)
        self.limits = self.threadpoolctl.threadpool_limits(limits=1, user_api="blas") if self.threadpoolctl else None
        return self

    def __exit__(self, *exc):
        from .. import blas as sb

        if self.limits is not None:
            self.limits.restore_original_limits()
        sb.set_num_threads(self.count)
