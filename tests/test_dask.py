"""Examples/dask_pipeline.py on a dask.distributed LocalCluster (threads, then worker
processes) gives the same results as a serial run in every mode it times (GIL released,
GIL held, stdlib + numpy), its report has every row, and SwiftPy builtins pickle by
reference, which is what lets Dask ship tasks that name them. Speedups are measured by the
example itself and by `python -m swiftpy.bench --workloads dask`, never asserted here."""
import importlib.util
import pathlib
import pickle
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "Examples" / "dask_pipeline.py"

distributed = pytest.importorskip("dask.distributed", reason='needs `pip install "dask[distributed]"`')
np = pytest.importorskip("numpy")
pytest.importorskip("threadpoolctl")

import swiftpy._native  # noqa: E402
import swiftpy.blas  # noqa: E402
import swiftpy.zlib  # noqa: E402

#: Small but real: the matrix products are above swiftpy.blas.GIL_RELEASE_FLOPS, so the
#: GIL-released and GIL-held runs take different paths.
SMALL = dict(chunks=5, chunk_size=1 << 16, blocks=3, rows=96, width=128, depth=3)


def load_pipeline():
    spec = importlib.util.spec_from_file_location("dask_pipeline", PIPELINE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["dask_pipeline"] = module  # so tasks name its functions by reference, as on a cluster
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pipeline():
    return load_pipeline()


@pytest.fixture(autouse=True)
def process_settings_restored():
    """The example changes process-wide settings while it runs; every test must leave
    them as it found them (and fails if the example does not)."""
    before = (swiftpy._native.get_release_gil(), swiftpy.blas.get_num_threads())
    yield
    after = (swiftpy._native.get_release_gil(), swiftpy.blas.get_num_threads())
    swiftpy._native.set_release_gil(before[0])
    swiftpy.blas.set_num_threads(before[1])
    assert after == before


def test_builtins_pickle_by_reference():
    for builtin in (swiftpy.zlib.compress, swiftpy.zlib.decompress, swiftpy.blas.matmul, swiftpy.blas.dgemm):
        assert pickle.loads(pickle.dumps(builtin)) is builtin
    import cloudpickle
    assert cloudpickle.loads(cloudpickle.dumps(swiftpy.zlib.compress)) is swiftpy.zlib.compress


def test_small_products_release_the_gil(pipeline):
    p = pipeline.Params(**SMALL)
    assert 2 * p.rows * p.width ** 2 >= swiftpy.blas.GIL_RELEASE_FLOPS


def test_serial_engines_agree(pipeline):
    """The stdlib + numpy pipeline computes what the SwiftPy one does."""
    p = pipeline.Params(**SMALL)
    _, swift = pipeline.run_serial(p, "swiftpy")
    _, stdlib = pipeline.run_serial(p, "stdlib")
    pipeline.check(stdlib, swift)
    import zlib
    assert [zlib.decompress(c) for c in swift[0]] == [pipeline.make_text(i, p.chunk_size, p.seed) for i in range(p.chunks)]


def test_check_rejects_wrong_results(pipeline):
    """check() is what every test below relies on: it must fail on a wrong stream or block."""
    _, (packed, outputs) = pipeline.run_serial(pipeline.Params(**SMALL))
    wrong_stream = [swiftpy.zlib.compress(b"other data")] + packed[1:]
    with pytest.raises(AssertionError):
        pipeline.check((wrong_stream, outputs), (packed, outputs))
    wrong_block = [outputs[0] * (1 + 1e-6)] + outputs[1:]
    with pytest.raises(AssertionError):
        pipeline.check((packed, wrong_block), (packed, outputs))
    with pytest.raises(AssertionError):
        pipeline.check((packed[:-1], outputs), (packed, outputs))


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_every_mode_matches_serial_run(pipeline, processes):
    """measure() runs GIL released, GIL held and stdlib + numpy on the cluster and checks
    each against the serial run; it raises if any differs."""
    params = pipeline.Params(**SMALL)
    with pipeline.one_blas_thread(), distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=processes,
                                                              dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        if processes:
            client.upload_file(str(PIPELINE))  # what a real cluster needs too: workers import the module
        timings = pipeline.measure({"many": client}, params, repeat=2, progress=lambda text: None)
        settings = client.run(lambda: (swiftpy._native.get_release_gil(), swiftpy.blas.get_num_threads()))
    many = {"SwiftPy, GIL released", "SwiftPy, GIL held", "stdlib zlib + numpy"}
    assert set(timings) == many | {pipeline.SERIAL_ROW}
    assert all(threads == (2 if label in many else 1) for label, (threads, _) in timings.items())
    assert all(len(seconds) == 2 for _, seconds in timings.values())
    # Workers are left as they were: GIL release back on.
    assert all(release for release, _ in settings.values())


def test_held_row_runs_with_the_gil_held(pipeline, monkeypatch):
    """The 'GIL held' row runs with SwiftPy's switch off on the workers, the others with
    it on (a spy on run_dask asks the workers while each row runs)."""
    params = pipeline.Params(**SMALL)
    seen = []
    real_run = pipeline.run_dask

    def spy(client, inputs, engine="swiftpy"):
        seen.append((engine, set(client.run(swiftpy._native.get_release_gil).values())))
        return real_run(client, inputs, engine)

    monkeypatch.setattr(pipeline, "run_dask", spy)
    with pipeline.one_blas_thread(), distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                                              dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        pipeline.measure({"many": client}, params, progress=lambda text: None)
    assert seen == [("swiftpy", {True}), ("swiftpy", {False}), ("stdlib", {True})]


def test_configure_limits_every_blas_to_one_thread(pipeline):
    """What makes the single-thread rows single-threaded: swiftpy.blas and every BLAS
    threadpoolctl finds use one thread per call; restore() puts them back."""
    from threadpoolctl import threadpool_info

    before = {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}
    with pipeline.one_blas_thread():
        assert swiftpy.blas.get_num_threads() == 1
        assert all(info["num_threads"] == 1 for info in threadpool_info() if info["user_api"] == "blas")
    assert {info["filepath"]: info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"} == before


def test_report_has_every_row(pipeline, capsys):
    pipeline.main(["--scale", "0.05", "--threads-per-worker", "2"])
    out = capsys.readouterr().out
    table = out[out.index("pipeline:"):]
    rows = {}
    for line in table.splitlines():
        match = re.fullmatch(r"(\S.*?)\s{2,}(\d+)\s+(\d+\.\d\d) s\s+(\d+\.\d\d)x", line)
        if match:
            rows[match[1]] = (int(match[2]), float(match[3]), float(match[4]))
    many = {"SwiftPy, GIL released", "SwiftPy, GIL held", "stdlib zlib + numpy"}
    assert set(rows) == {pipeline.SERIAL_ROW} | {row[0] for row in pipeline.ROWS}, table
    for label, (threads, seconds, speedup) in rows.items():
        assert threads == (2 if label in many else 1), label
        assert seconds > 0 and speedup > 0
    assert rows["SwiftPy, 1 thread"][2] == 1.0  # the baseline
    assert "speedup = time of 'SwiftPy, 1 thread' / time of the row" in table
    assert "scheduling cost" in table
    assert "results match the serial run" in table


def load_bench_workload():
    """python/swiftpy/bench/dask_workload.py from this tree, as a submodule of the
    installed swiftpy.bench (its siblings: corpus, timing, runner)."""
    import swiftpy.bench

    spec = importlib.util.spec_from_file_location(
        "swiftpy.bench.dask_workload", ROOT / "python" / "swiftpy" / "bench" / "dask_workload.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Options:
    quick = True
    threads = [1, 2]
    repeat = 1


class _Progress:
    def show(self, text):
        pass


def test_bench_workload_has_every_variant_at_every_thread_count():
    result = load_bench_workload().DaskPipeline().run(_Options(), _Progress())
    assert result["kind"] == "scaling" and result["unit"] == "tasks/s"
    rows = {(row["label"], row["threads"]): row for row in result["rows"]}
    labels = ["swiftpy.zlib + swiftpy.blas", "swiftpy.zlib + swiftpy.blas [GIL held]", "stdlib zlib + numpy.matmul"]
    assert set(rows) == {(label, threads) for label in labels for threads in (1, 2)}
    assert [rows[(label, 1)]["role"] for label in labels] == ["released", "held", "anchor"]
    for row in rows.values():
        assert row["rate"]["median"] > 0 and row["speedup"] > 0
        assert len(row["rate"]["samples"]) == 1
    assert rows[(labels[0], 2)]["vs"].keys() == {labels[2]}


def test_bench_workload_skips_with_a_note_without_dask(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    result = load_bench_workload().DaskPipeline().run(_Options(), _Progress())
    assert result["rows"] == []
    assert result["notes"][0].startswith("skipped: needs dask.distributed")
