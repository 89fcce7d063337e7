"""Scale out with Dask: a pipeline whose heavy steps are SwiftPy builtins.

Every block of a blocked matrix product runs through ``swiftpy.blas.matmul`` and every
chunk of bytes through ``swiftpy.zlib.compress``; both release the GIL, so the threads of
one Dask worker really run them in parallel, and several workers (processes or machines)
add up. The builtins pickle by reference (``pickle.loads(pickle.dumps(f)) is f``), so
tasks that name them ship nothing but their module and name.

    python Examples/dask_pipeline.py                          # LocalCluster on this machine
    python Examples/dask_pipeline.py --scheduler tcp://HOST:8786   # a running cluster

On a real cluster every worker needs swiftpy installed (``pip install swiftpy`` from your
wheel or source) and this file importable: the script sends it with
``client.upload_file``.
"""
import argparse
import os
import time

import numpy as np

import swiftpy.blas as blas
import swiftpy.zlib as zlib


def block_matmul(a, b):
    """One output block: a row panel times a column panel (GIL released in BLAS)."""
    return np.asarray(blas.matmul(np.ascontiguousarray(a), np.ascontiguousarray(b)))


def compress_block(block, level=6):
    """Compresses one array block's bytes (GIL released in zlib)."""
    return zlib.compress(np.ascontiguousarray(block).tobytes(), level)


def block_data(seed, i, j, block):
    """Block (i, j) of a random matrix: generated where it is used (on a worker), the way
    a real pipeline loads its chunks, instead of shipping one big array in the graph."""
    return np.random.default_rng([seed, i, j]).standard_normal((block, block))


def chunk_data(index, size):
    """One chunk of compressible bytes."""
    words = [b"swift ", b"python ", b"dask ", b"gil ", b"released "]
    return b"".join(words[(index * 7 + k) % 5] for k in range(size // 6)) + bytes([index % 256]) * 64


def run_dask(n=1024, block=128, chunk_count=24, chunk_size=1 << 18, level=6, seed=0):
    """The pipeline as Dask graphs; returns (product, compressed product blocks, compressed chunks)."""
    import dask
    import dask.array as da
    import dask.bag as db

    if n % block:
        raise ValueError("n must be a multiple of block")
    count = n // block

    def matrix(which):
        return da.block([[da.from_delayed(dask.delayed(block_data)(seed + which, i, j, block), (block, block),
                                          dtype=np.float64) for j in range(count)] for i in range(count)])

    x, y = matrix(0), matrix(1)
    # Blocked matrix product: the contracted index j is concatenated, so each task gets a
    # full row panel of x and column panel of y and calls swiftpy.blas once.
    product = da.blockwise(block_matmul, "ik", x, "ij", y, "jk", dtype=np.float64, concatenate=True)
    # Compress every block of the product.
    compressed_blocks = [dask.delayed(compress_block)(b, level) for b in product.to_delayed().ravel().tolist()]
    # And a bag of byte chunks, made and compressed on the workers by swiftpy.zlib directly.
    chunks = db.range(chunk_count, npartitions=max(1, chunk_count // 4)).map(chunk_data, chunk_size)
    compressed_chunks = chunks.map(zlib.compress, level)
    return dask.compute(product, compressed_blocks, compressed_chunks)


def run_serial(n=1024, block=128, chunk_count=24, chunk_size=1 << 18, level=6, seed=0):
    """The same computation in one thread, without Dask: the reference."""
    count = n // block

    def matrix(which):
        return np.block([[block_data(seed + which, i, j, block) for j in range(count)] for i in range(count)])

    product = np.asarray(blas.matmul(matrix(0), matrix(1)))
    compressed_blocks = [compress_block(product[i:i + block, j:j + block], level)
                         for i in range(0, n, block) for j in range(0, n, block)]
    return product, compressed_blocks, [zlib.compress(chunk_data(i, chunk_size), level) for i in range(chunk_count)]


def check(dask_result, serial_result):
    """Raises AssertionError unless the Dask run equals the serial run."""
    d_product, d_blocks, d_chunks = dask_result
    s_product, s_blocks, s_chunks = serial_result
    np.testing.assert_allclose(d_product, s_product, rtol=1e-10, atol=1e-10)
    assert len(d_blocks) == len(s_blocks)
    for d, s in zip(d_blocks, s_blocks):
        np.testing.assert_allclose(np.frombuffer(zlib.decompress(d)), np.frombuffer(zlib.decompress(s)),
                                   rtol=1e-10, atol=1e-10)
    assert list(d_chunks) == list(s_chunks)  # deflate is deterministic: byte-identical streams


def main(argv=None):
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheduler", help="address of a running scheduler (default: a LocalCluster)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads-per-worker", type=int, default=2)
    parser.add_argument("--processes", action="store_true", help="LocalCluster workers as processes")
    parser.add_argument("-n", type=int, default=1024, help="matrix size (a multiple of 128)")
    args = parser.parse_args(argv)

    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=args.threads_per_worker,
                               processes=args.processes, dashboard_address=None)
        client = Client(cluster)
    with client:
        client.upload_file(os.path.abspath(__file__))  # workers import this module by name
        start = time.perf_counter()
        result = run_dask(n=args.n)
        elapsed = time.perf_counter() - start
    start = time.perf_counter()
    reference = run_serial(n=args.n)
    serial = time.perf_counter() - start
    check(result, reference)
    print(f"dask: {elapsed:.2f} s, serial: {serial:.2f} s; results match")


if __name__ == "__main__":
    main()
