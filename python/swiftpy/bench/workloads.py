"""The benchmark's workloads: per-call overhead, and native work at 1..N threads in two
modes (GIL released = the normal builtin; GIL held = the same builtin told not to
detach), next to the alternatives users have today whenever they are importable."""
import importlib
from dataclasses import dataclass, field

from .corpus import text_corpus


@dataclass
class Variant:
    label: str
    role: str  # "released", "held" or "anchor"
    run: object  # run(data) -> None
    work: object  # work(data) -> units of work done by one run (bytes or flops)
    setup: object = None  # called (GIL held) before each timed run of this variant
    teardown: object = None  # and after it


@dataclass
class Scaling:
    name: str
    group: str
    unit: str  # "MB/s" or "GFLOP/s"
    make_data: object  # make_data(thread_index) -> per-thread data
    variants: list
    notes: list = field(default_factory=list)
    threads: list = None  # thread counts for this workload only (default: the run's)


@dataclass
class SingleCall:
    """One Python thread, one call; the builtin itself uses `threads` threads."""
    name: str
    group: str
    unit: str
    make_data: object
    variants: list  # Variant.run(data, threads)
    notes: list = field(default_factory=list)


@dataclass
class PerCall:
    name: str
    group: str
    implementations: list  # (label, function, args)
    baseline: str  # label the ratios are taken against
    notes: list = field(default_factory=list)


def _optional(name):
    try:
        return importlib.import_module(name), None
    except Exception as error:  # noqa: BLE001 - any import failure means "skip"
        return None, f"{name} not importable ({type(error).__name__})"


def per_call_workloads(options):
    """noop/add: swiftpy vs a hand-written C extension, pybind11 and nanobind; small-input
    crc32 vs the stdlib; tiny matrix products vs numpy and scipy."""
    import zlib as stdlib_zlib

    from .. import demo
    from .. import zlib as sz
    from . import bindings, cext

    notes = []
    c_module, reason = cext.build()
    anchors = []
    if c_module is not None:
        anchors.append(("C METH_FASTCALL", c_module))
    else:
        notes.append(f"C extension skipped: {reason}")
    found, binding_notes = bindings.build_all()
    anchors += found
    notes += binding_notes
    baseline_noop = "C METH_FASTCALL noop" if c_module is not None else "swiftpy.demo.noop"
    baseline_add = "C METH_FASTCALL add" if c_module is not None else "swiftpy.demo.add"
    items = [
        PerCall("noop()", "calls", [(f"{label} noop", m.noop, ()) for label, m in anchors]
                + [("swiftpy.demo.noop", demo.noop, ())], baseline_noop, list(notes)),
        PerCall("add(1, 2)", "calls", [(f"{label} add", m.add, (1, 2)) for label, m in anchors]
                + [("swiftpy.demo.add", demo.add, (1, 2))], baseline_add, list(notes)),
    ]
    small = b"swiftpy benchmark"[:16]
    items.append(PerCall("crc32(16 bytes)", "calls", [("stdlib zlib.crc32", stdlib_zlib.crc32, (small,)),
                                                      ("swiftpy.zlib.crc32", sz.crc32, (small,))], "stdlib zlib.crc32"))
    items += _tiny_matmul_workloads()
    return items


def _tiny_matmul_workloads():
    numpy, reason = _optional("numpy")
    if numpy is None:
        return [PerCall("tiny matmul", "calls", [], "", [f"skipped: {reason}"])]
    from .. import blas as sb
    scipy_blas, _ = _optional("scipy.linalg.blas")
    items = []
    for n in (2, 4, 8):
        rng = numpy.random.default_rng(n)
        a, b, out = rng.random((n, n)), rng.random((n, n)), numpy.empty((n, n))
        impls = [("numpy a @ b", numpy.matmul, (a, b)), ("numpy matmul(a, b, out=o)", numpy.matmul, (a, b), {"out": out})]
        if scipy_blas is not None:
            impls.append(("scipy dgemm(1.0, a, b)", scipy_blas.dgemm, (1.0, a, b)))
        impls += [("swiftpy.blas.dgemm(1.0, a, b)", sb.dgemm, (1.0, a, b)),
                  ("swiftpy.blas.matmul(a, b)", sb.matmul, (a, b)),
                  ("swiftpy.blas.matmul(a, b, out=o)", sb.matmul, (a, b), {"out": out})]
        baseline = "scipy dgemm(1.0, a, b)" if scipy_blas is not None else "numpy a @ b"
        items.append(PerCall(f"dgemm/matmul n={n}", "calls", impls, baseline))
    return items


def _held(label, run, work):
    """The same SwiftPy builtin with every detach turned off (swiftpy._native switch)."""
    from .. import _native

    return Variant(label + " [GIL held]", "held", run, work,
                   setup=lambda: _native.set_release_gil(False), teardown=lambda: _native.set_release_gil(True))


def scaling_workloads(options):
    size = options.size
    items = []

    def corpus_for(index):
        return text_corpus(size, seed=index)

    if "demo" in options.groups:
        from .. import demo
        items.append(Scaling(
            "checksum (pure Swift FNV-1a)", "demo", "MB/s", corpus_for,
            [
                Variant("swiftpy.demo.checksum", "released", lambda d: demo.checksum(d), len),
                Variant("swiftpy.demo.checksum(release_gil=False)", "held", lambda d: demo.checksum(d, release_gil=False), len),
            ],
        ))
    if "zlib" in options.groups:
        items += _zlib_workloads(options, corpus_for)
    if "blas" in options.groups:
        items += _blas_workloads(options)
    if "dask" in options.groups:
        from .dask_workload import dask_workloads
        items += dask_workloads(options)
    return items


def _zlib_anchors():
    """(label, module) for each zlib-compatible module importable here."""
    import zlib as stdlib_zlib

    anchors = [("stdlib zlib", stdlib_zlib)]
    notes = []
    for label, name in (("zlib-ng", "zlib_ng.zlib_ng"), ("isal", "isal.isal_zlib")):
        module, reason = _optional(name)
        if module is not None:
            anchors.append((label, module))
        else:
            notes.append(f"{label} skipped: {reason}")
    return anchors, notes


def _stream(stream, method, data, piece=1 << 20):
    """Feeds `data` to a compressor or decompressor object in `piece`-byte slices, then
    flushes it."""
    view = memoryview(data)
    step = getattr(stream, method)
    for start in range(0, len(view), piece):
        step(view[start:start + piece])
    stream.flush()


def _zlib_workloads(options, corpus_for):
    from .. import zlib as sz

    anchors, notes = _zlib_anchors()
    items = []
    for level in (1, 6, 9):
        variants = [
            Variant(f"swiftpy.zlib.compress level {level}", "released", lambda d, l=level: sz.compress(d, l), len),
            _held(f"swiftpy.zlib.compress level {level}", lambda d, l=level: sz.compress(d, l), len),
            # engine="fast": ISA-L at level 1, libdeflate at 2-9 (see swiftpy.zlib.ENGINES).
            Variant(f"swiftpy.zlib.compress level {level} engine=fast", "released",
                    lambda d, l=level: sz.compress(d, l, engine="fast"), len),
        ]
        for label, m in anchors:
            # isal implements levels 0-3 only (3 is its densest); compare at the closest.
            their = min(level, 3) if label == "isal" else level
            variants.append(Variant(f"{label} compress level {their}", "anchor", lambda d, m=m, l=their: m.compress(d, l), len))
        if level == 9:
            # Level 9 is ~4x slower than 6 and says nothing new about threads: one thread,
            # a quarter of the data, for the single-thread comparison with the anchors.
            quarter = lambda i: corpus_for(i)[: max(options.size // 4, 1)]
            items.append(Scaling("zlib compress, level 9 (1 thread)", "zlib", "MB/s", quarter, variants, list(notes), threads=[1]))
        else:
            items.append(Scaling(f"zlib compress, level {level}", "zlib", "MB/s", corpus_for, variants, list(notes)))

    compressed = {}

    def compressed_for(index):
        if index not in compressed:
            import zlib as stdlib_zlib
            compressed[index] = stdlib_zlib.compress(corpus_for(index), 6)
        return compressed[index]

    def out_len(d):
        return options.size  # throughput in MB/s of decompressed output

    variants = [
        Variant("swiftpy.zlib.decompress", "released", sz.decompress, out_len),
        _held("swiftpy.zlib.decompress", sz.decompress, out_len),
    ] + [Variant(f"{label} decompress", "anchor", m.decompress, out_len) for label, m in anchors]
    items.append(Scaling("zlib decompress", "zlib", "MB/s (output)", compressed_for, variants, list(notes)))

    # Streaming objects, fed 1 MiB pieces (one thread: the threads story is the one-shot
    # calls'): what a user reading a file in chunks gets.
    variants = [Variant("swiftpy.zlib decompressobj", "released", lambda d: _stream(sz.decompressobj(), "decompress", d),
                        out_len)]
    variants += [Variant(f"{label} decompressobj", "anchor", lambda d, m=m: _stream(m.decompressobj(), "decompress", d),
                         out_len) for label, m in anchors]
    items.append(Scaling("zlib decompressobj, 1 MiB pieces (1 thread)", "zlib", "MB/s (output)", compressed_for,
                         variants, list(notes), threads=[1]))
    variants = [
        Variant("swiftpy.zlib compressobj level 1", "released", lambda d: _stream(sz.compressobj(1), "compress", d), len),
        Variant("swiftpy.zlib compressobj level 1 engine=fast", "released",
                lambda d: _stream(sz.compressobj(1, engine="fast"), "compress", d), len),
    ]
    variants += [Variant(f"{label} compressobj level 1", "anchor", lambda d, m=m: _stream(m.compressobj(1), "compress", d),
                         len) for label, m in anchors]
    items.append(Scaling("zlib compressobj level 1, 1 MiB pieces (1 thread)", "zlib", "MB/s", corpus_for, variants,
                         list(notes), threads=[1]))

    variants = [
        Variant("swiftpy.zlib.parallel_compress level 6", "released", lambda d, t: sz.parallel_compress(d, 6, threads=t), len),
        Variant("stdlib zlib.compress level 6 (1 thread)", "anchor", lambda d, t: anchors[0][1].compress(d, 6), len),
    ]
    items.append(SingleCall("parallel_compress, level 6 (one call, N threads inside)", "zlib", "MB/s",
                            lambda i: corpus_for(0), variants, list(notes)))

    variants = [
        Variant("swiftpy.zlib.parallel_compress level 1 engine=fast", "released",
                lambda d, t: sz.parallel_compress(d, 1, threads=t, engine="fast"), len),
        Variant("stdlib zlib.compress level 1 (1 thread)", "anchor", lambda d, t: anchors[0][1].compress(d, 1), len),
    ] + [Variant(f"{label} compress level 1 (1 thread)", "anchor", lambda d, t, m=m: m.compress(d, 1), len)
         for label, m in anchors if label == "isal"]
    items.append(SingleCall("parallel_compress, level 1, engine=fast (one call, N threads inside)", "zlib", "MB/s",
                            lambda i: corpus_for(0), variants, list(notes)))

    # Checksums run at GB/s: one pass over the data takes a few ms, too short to time two
    # threads fairly, so each run makes CHECKSUM_PASSES passes.
    def passes(f):
        def run(d):
            for _ in range(CHECKSUM_PASSES):
                f(d)
        return run

    work = lambda d: CHECKSUM_PASSES * len(d)
    variants = [
        Variant("swiftpy.zlib.crc32", "released", passes(sz.crc32), work),
        _held("swiftpy.zlib.crc32", passes(sz.crc32), work),
    ] + [Variant(f"{label} crc32", "anchor", passes(m.crc32), work) for label, m in anchors]
    items.append(Scaling("crc32", "zlib", "MB/s", corpus_for, variants, list(notes)))

    variants = [
        Variant("swiftpy.zlib.adler32", "released", passes(sz.adler32), work),
        _held("swiftpy.zlib.adler32", passes(sz.adler32), work),
    ] + [Variant(f"{label} adler32", "anchor", passes(m.adler32), work) for label, m in anchors]
    items.append(Scaling("adler32", "zlib", "MB/s", corpus_for, variants, list(notes)))
    return items


def _blas_workloads(options):
    import array

    from .. import blas as sb

    numpy, reason = _optional("numpy")
    scipy_blas, scipy_reason = _optional("scipy.linalg.blas")
    threadpoolctl, tp_reason = _optional("threadpoolctl")
    items = []
    sizes = (256, 512) if options.quick else (256, 1024)
    for n in sizes:
        for dtype, prefix in (("float64", "d"), ("float32", "s")):
            notes = []

            def make(index, n=n, dtype=dtype):
                if numpy is not None:
                    rng = numpy.random.default_rng(index)
                    return (rng.random((n, n), dtype=dtype), rng.random((n, n), dtype=dtype),
                            numpy.empty((n, n), dtype=dtype))
                values = array.array("d" if dtype == "float64" else "f", (float(i % 7) for i in range(n * n)))
                return (values, values, None)

            flops = lambda d, n=n: 2 * n ** 3
            gemm = getattr(sb, prefix + "gemm")
            one_thread = lambda: sb.set_num_threads(1)
            default_threads = _DefaultThreads(sb)
            variants = [
                Variant(f"swiftpy.blas.{prefix}gemm, 1 BLAS thread/call", "released", lambda d, g=gemm: g(1.0, d[0], d[1]), flops,
                        setup=one_thread, teardown=default_threads.restore),
                _held(f"swiftpy.blas.{prefix}gemm, 1 BLAS thread/call", lambda d, g=gemm: g(1.0, d[0], d[1]), flops),
                Variant(f"swiftpy.blas.{prefix}gemm, default threads", "released", lambda d, g=gemm: g(1.0, d[0], d[1]), flops,
                        setup=default_threads.restore),
                # What the thread budget prevents: concurrent callers with default threads
                # and no guard oversubscribe the cores.
                Variant(f"swiftpy.blas.{prefix}gemm, default threads, guard off", "released",
                        lambda d, g=gemm: g(1.0, d[0], d[1]), flops,
                        setup=_chain(default_threads.restore, lambda: sb.set_oversubscription_guard(False)),
                        teardown=lambda: sb.set_oversubscription_guard(True)),
            ]
            variants[1].setup = _chain(one_thread, variants[1].setup)
            variants[1].teardown = _chain(variants[1].teardown, default_threads.restore)
            if numpy is not None:
                limit = _NumpyThreads(threadpoolctl)
                variants.append(Variant(f"numpy matmul, 1 BLAS thread/call", "anchor",
                                        lambda d: numpy.matmul(d[0], d[1], out=d[2]), flops,
                                        setup=limit.one, teardown=limit.restore))
                if limit.note:
                    notes.append(limit.note)
            else:
                notes.append(f"numpy skipped: {reason}")
            if scipy_blas is not None:
                f = getattr(scipy_blas, prefix + "gemm")
                limit = _NumpyThreads(threadpoolctl)
                variants.append(Variant(f"scipy.linalg.blas.{prefix}gemm, 1 BLAS thread/call", "anchor",
                                        lambda d, f=f: f(1.0, d[0], d[1]), flops, setup=limit.one, teardown=limit.restore))
            else:
                notes.append(f"scipy skipped: {scipy_reason}")
            items.append(Scaling(f"{prefix}gemm n={n}", "blas", "GFLOP/s", make, variants, notes))
    if numpy is not None:
        items += _batched_matmul_workloads(options, numpy, sb, threadpoolctl)
    return items


def _batched_matmul_workloads(options, numpy, sb, threadpoolctl):
    """A stack of small products, numpy.matmul's batched case: OpenBLAS runs each 64x64
    product on one thread, so only spreading the batch over threads uses several cores.
    swiftpy.blas.matmul does that with default settings; numpy.matmul loops on one core.
    Each Python thread multiplies its own stack."""
    batch = 200 if options.quick else 1000
    items = []
    for dtype in ("float64", "complex128"):
        def make(index, dtype=dtype):
            rng = numpy.random.default_rng(index)
            shape = (batch, 64, 64)
            a, b = rng.standard_normal(shape), rng.standard_normal(shape)
            if dtype == "complex128":
                a, b = a + 1j * rng.standard_normal(shape), b + 1j * rng.standard_normal(shape)
            return a, b
        real_flops = 8 if dtype == "complex128" else 2  # per multiply-add
        flops = lambda d, k=real_flops: k * batch * 64 ** 3
        default_threads = _DefaultThreads(sb)
        limit = _NumpyThreads(threadpoolctl)
        variants = [
            Variant("swiftpy.blas.matmul, default threads", "released", lambda d: sb.matmul(d[0], d[1]), flops,
                    setup=default_threads.restore),
            _held("swiftpy.blas.matmul", lambda d: sb.matmul(d[0], d[1]), flops),
            Variant("numpy.matmul", "anchor", lambda d: numpy.matmul(d[0], d[1]), flops,
                    setup=limit.one, teardown=limit.restore),
        ]
        notes = [f"({batch}, 64, 64) @ ({batch}, 64, 64), {dtype}; numpy limited to 1 BLAS thread (it does not thread "
                 "64x64 products anyway)"] + ([limit.note] if limit.note else [])
        items.append(Scaling(f"matmul stack ({batch}, 64, 64) {dtype}", "blas", "GFLOP/s", make, variants, notes))
    return items


def _chain(*steps):
    steps = [s for s in steps if s is not None]
    return lambda: [s() for s in steps] and None


class _DefaultThreads:
    """Remembers swiftpy.blas's thread count at start and restores it."""

    def __init__(self, sb):
        self.sb = sb
        self.count = sb.get_num_threads()

    def restore(self):
        self.sb.set_num_threads(self.count)


class _NumpyThreads:
    """Limits every BLAS threadpoolctl sees (numpy's and scipy's bundled OpenBLAS) to 1."""

    def __init__(self, threadpoolctl):
        self.threadpoolctl = threadpoolctl
        self.controller = None
        self.note = None if threadpoolctl else "threadpoolctl not importable: numpy/scipy ran with their default BLAS threads"

    def one(self):
        if self.threadpoolctl is not None:
            self.controller = self.threadpoolctl.threadpool_limits(limits=1, user_api="blas")

    def restore(self):
        if self.controller is not None:
            self.controller.restore_original_limits()
            self.controller = None


ALL_GROUPS = ("calls", "demo", "zlib", "blas", "dask")

#: Passes over the data per timed checksum run (see _zlib_workloads).
CHECKSUM_PASSES = 10
