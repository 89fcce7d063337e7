"""Examples/dask_pipeline.py on a dask.distributed LocalCluster (threads, then worker
processes) gives the same results as a serial run, and SwiftPy builtins pickle by
reference, which is what lets Dask ship tasks that name them."""
import importlib.util
import pathlib
import pickle
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PIPELINE = ROOT / "Examples" / "dask_pipeline.py"

distributed = pytest.importorskip("dask.distributed", reason='needs `pip install "dask[distributed]"`')
pytest.importorskip("numpy")


def load_pipeline():
    spec = importlib.util.spec_from_file_location("dask_pipeline", PIPELINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["dask_pipeline"] = module  # so tasks name its functions by reference, as on a cluster
    return module


def test_builtins_pickle_by_reference():
    import swiftpy.blas
    import swiftpy.zlib

    for builtin in (swiftpy.zlib.compress, swiftpy.zlib.decompress, swiftpy.blas.matmul, swiftpy.blas.dgemm):
        assert pickle.loads(pickle.dumps(builtin)) is builtin
    import cloudpickle
    assert cloudpickle.loads(cloudpickle.dumps(swiftpy.zlib.compress)) is swiftpy.zlib.compress


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_pipeline_matches_serial_run(processes):
    pipeline = load_pipeline()
    params = dict(n=384, block=128, chunk_count=12, chunk_size=1 << 16)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=processes,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        if processes:
            client.upload_file(str(PIPELINE))  # what a real cluster needs too: workers import the module
        result = pipeline.run_dask(**params)
    pipeline.check(result, pipeline.run_serial(**params))
