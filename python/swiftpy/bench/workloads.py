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


@dataclass
class Scaling:
    name: str
    group: str
    unit: str  # "MB/s" or "GFLOP/s"
    make_data: object  # make_data(thread_index) -> per-thread data
    variants: list
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
    from .. import demo
    from . import cext

    items = []
    c_module, reason = cext.build()
    impls_noop = [("swiftpy.demo.noop", demo.noop, ())]
    impls_add = [("swiftpy.demo.add", demo.add, (1, 2))]
    notes = []
    if c_module is not None:
        impls_noop.insert(0, ("C METH_FASTCALL", c_module.noop, ()))
        impls_add.insert(0, ("C METH_FASTCALL", c_module.add, (1, 2)))
    else:
        notes.append(f"C extension skipped: {reason}")
    baseline = "C METH_FASTCALL" if c_module is not None else "swiftpy.demo.noop"
    items.append(PerCall("noop()", "calls", impls_noop, baseline, notes))
    items.append(PerCall("add(1, 2)", "calls", impls_add, baseline if c_module else "swiftpy.demo.add", list(notes)))
    items.append(PerCall("checksum(16 bytes)", "calls", [("swiftpy.demo.checksum", demo.checksum, (b"x" * 16,))], "swiftpy.demo.checksum"))
    return items


def scaling_workloads(options):
    from .. import demo

    size = options.size
    items = []

    def corpus_for(index):
        return text_corpus(size, seed=index)

    items.append(Scaling(
        "checksum (pure Swift FNV-1a)", "demo", "MB/s", corpus_for,
        [
            Variant("swiftpy.demo.checksum", "released", lambda d: demo.checksum(d), len),
            Variant("swiftpy.demo.checksum release_gil=False", "held", lambda d: demo.checksum(d, release_gil=False), len),
        ],
    ))
    return items


ALL_GROUPS = ("calls", "demo", "zlib", "blas")
