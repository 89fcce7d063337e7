"""Thread stress: 8 threads on 2 cores mixing every zlib and BLAS operation for ~12 s.

Each thread runs a random mix of: one-shot compress/decompress, parallel_compress,
crc32/adler32, private compressobj/decompressobj streams (random chunking, flush modes,
max_length, copy), turns on a SHARED compressobj and a SHARED decompressobj (the calls
come from different threads, while other threads read the shared objects' attributes and
copy() them concurrently), matmul/dgemm/sgemm/dgemv/level-1 calls (sizes on both sides of
the GIL-release and OpenBLAS-threading thresholds, out=, transposes, float32), and
thread-count / oversubscription-guard changes. Every result is checked (stdlib zlib,
numpy). A deadlock fails the test: thread joins and the shared objects' turn waits have
timeouts, and faulthandler kills the process with all tracebacks as a last resort.
"""
import faulthandler
import random
import sys
import threading
import time
import zlib as stdzlib

import numpy as np

import swiftpy.blas as blas
import swiftpy.zlib as zlib

THREADS = 8
DURATION = 12.0
TURN_TIMEOUT = 60.0


def make_text(size, seed):
    rng = random.Random(seed)
    words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(500)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) + (b"\n" if rng.random() < 0.1 else b" ")
    return bytes(out[:size])


DATA = make_text(3 << 20, 1)
SHARED_INPUT = make_text(1 << 20, 2)
SHARED_PACKED = stdzlib.compress(SHARED_INPUT, 6)


class Deadlock(AssertionError):
    pass


class Turns:
    """Makes the calls on a shared stream object happen in ticket order (so the stream is
    checkable) while they still come from different threads; the call itself runs
    outside the Python lock, so other threads use the object concurrently."""

    def __init__(self):
        self.cond = threading.Condition()
        self.next_ticket = 0
        self.turn = 0

    def run(self, call):
        with self.cond:
            ticket = self.next_ticket
            self.next_ticket += 1
            if not self.cond.wait_for(lambda: self.turn == ticket, timeout=TURN_TIMEOUT):
                raise Deadlock(f"turn {ticket} never came (turn is {self.turn})")
        try:
            result = call()
        finally:
            with self.cond:
                self.turn += 1
                self.cond.notify_all()
        return result


class SharedCompress:
    def __init__(self):
        self.c = zlib.compressobj(6)
        self.turns = Turns()
        self.inputs, self.outputs = [], []

    def step(self, rng):
        start = rng.randrange(0, len(DATA) - 70_000)
        piece = DATA[start:start + rng.choice([100, 3000, 70_000])]
        mode = rng.choice([None, None, zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH])

        def call():
            out = self.c.compress(piece)
            if mode is not None:
                out += self.c.flush(mode)
            self.inputs.append(piece)
            self.outputs.append(out)

        self.turns.run(call)

    def observe(self):
        copy = self.c.copy()  # concurrently with another thread's compress()
        assert isinstance(copy.flush(), bytes)

    def check(self):
        assert stdzlib.decompress(b"".join(self.outputs) + self.c.flush()) == b"".join(self.inputs)


class SharedDecompress:
    def __init__(self):
        self.d = zlib.decompressobj()
        self.turns = Turns()
        self.position = 0
        self.outputs = []

    def step(self, rng):
        size = rng.choice([10, 1000, 50_000])
        max_length = rng.choice([0, 0, 5000, 100_000])

        def call():
            chunk = self.d.unconsumed_tail + SHARED_PACKED[self.position:self.position + size]
            self.position += size
            self.outputs.append(self.d.decompress(chunk, max_length))

        self.turns.run(call)

    def observe(self):
        d = self.d
        assert isinstance(d.eof, bool) and isinstance(d.unused_data, bytes) and isinstance(d.unconsumed_tail, bytes)
        piece = d.copy().flush()  # the copy goes on from wherever the shared stream was
        assert piece in SHARED_INPUT

    def check(self):
        d = self.d
        rest = d.decompress(d.unconsumed_tail + SHARED_PACKED[self.position:]) + d.flush()
        assert b"".join(self.outputs) + rest == SHARED_INPUT
        assert d.eof and d.unused_data == b""


def slice_of(rng, sizes):
    size = rng.choice(sizes)
    start = rng.randrange(0, len(DATA) - size)
    return DATA[start:start + size]


def op_compress(rng, shared):
    piece = slice_of(rng, [0, 50, 2000, 100_000, 1 << 20])
    level = rng.choice([-1, 0, 1, 6, 9])
    wbits = rng.choice([15, -15, 31])
    packed = zlib.compress(piece, level, wbits)
    assert stdzlib.decompress(packed, wbits) == piece
    assert zlib.decompress(packed, wbits, rng.choice([1, 16384, 1 << 20])) == piece
    theirs = stdzlib.compressobj(level, stdzlib.DEFLATED, wbits)  # stdzlib.compress takes wbits from 3.11 only
    assert zlib.decompress(theirs.compress(piece) + theirs.flush(), wbits) == piece


def op_parallel(rng, shared):
    piece = slice_of(rng, [10_000, 300_000, 1 << 20])
    wbits = rng.choice([15, -15, 31])
    packed = zlib.parallel_compress(piece, rng.choice([1, 6]), wbits, threads=rng.choice([None, 1, 2, 3]),
                                    block_size=rng.choice([32768, 100_000]))
    assert stdzlib.decompress(packed, wbits) == piece


def op_checksums(rng, shared):
    piece = slice_of(rng, [100, 10_000, 1 << 20])
    start = rng.randrange(0, 1 << 32)
    assert zlib.crc32(piece, start) == stdzlib.crc32(piece, start)
    assert zlib.adler32(piece, start) == stdzlib.adler32(piece, start)


def op_streams(rng, shared):
    piece = slice_of(rng, [1000, 200_000, 1 << 20])
    wbits = rng.choice([15, -15, 31])
    c = zlib.compressobj(rng.choice([1, 6, 9]), zlib.DEFLATED, wbits)
    out, pos = [], 0
    while pos < len(piece):
        n = rng.choice([1, 100, 5000, 100_000])
        out.append(c.compress(piece[pos:pos + n]))
        pos += n
        if rng.random() < 0.2:
            out.append(c.flush(rng.choice([zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_NO_FLUSH])))
        if rng.random() < 0.05:
            c = c.copy()
    out.append(c.flush())
    packed = b"".join(out)
    assert stdzlib.decompress(packed, wbits) == piece
    d = zlib.decompressobj(wbits)
    result, pos = [], 0
    while pos < len(packed) or d.unconsumed_tail:
        n = rng.choice([7, 1000, 50_000])
        chunk = d.unconsumed_tail + packed[pos:pos + n]
        pos += n
        result.append(d.decompress(chunk, rng.choice([0, 1000, 100_000])))
        if rng.random() < 0.05:
            d = d.copy()
    result.append(d.flush())
    assert b"".join(result) == piece and d.eof


def op_shared_compress(rng, shared):
    shared["c"].step(rng)


def op_shared_decompress(rng, shared):
    shared["d"].step(rng)


def op_observe(rng, shared):
    shared["c"].observe()
    shared["d"].observe()


def rand(rng, shape, dtype=np.float64):
    return np.random.default_rng(rng.randrange(1 << 30)).standard_normal(shape).astype(dtype)


def close(got, want, dtype=np.float64):
    tol = 1e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(np.asarray(got), want, rtol=tol, atol=tol * max(1.0, float(np.abs(want).max(initial=0))))


def op_matmul(rng, shared):
    m, k, n = (rng.choice([1, 5, 40, 90, 130]) for _ in range(3))
    dtype = rng.choice([np.float64, np.float32])
    a, b = rand(rng, (m, k), dtype), rand(rng, (k, n), dtype)
    if rng.random() < 0.3:
        a = np.asfortranarray(a)
    if rng.random() < 0.3:
        b = rand(rng, (n, k), dtype).T
    want = a.astype(np.float64) @ b.astype(np.float64)
    if rng.random() < 0.3:
        out = np.empty((m, n), dtype)
        assert blas.matmul(a, b, out=out) is out
        close(out, want, dtype)
    else:
        close(blas.matmul(a, b), want, dtype)
    v = rand(rng, (k,), dtype)
    close(blas.matmul(a, v), a.astype(np.float64) @ v, dtype)


def op_gemm(rng, shared):
    m, k, n = (rng.choice([2, 30, 70, 120]) for _ in range(3))
    name, dtype = rng.choice([("dgemm", np.float64), ("sgemm", np.float32)])
    ta, tb = rng.choice([0, 1]), rng.choice([0, 1])
    a = rand(rng, (k, m) if ta else (m, k), dtype)
    b = rand(rng, (n, k) if tb else (k, n), dtype)
    c = np.asfortranarray(rand(rng, (m, n), dtype))
    alpha, beta = rng.choice([1.0, -0.5]), rng.choice([0.0, 2.0])
    want = alpha * ((a.T if ta else a).astype(np.float64) @ (b.T if tb else b)) + beta * c
    overwrite = rng.choice([0, 1])
    got = getattr(blas, name)(alpha, a, b, beta, c, trans_a=ta, trans_b=tb, overwrite_c=overwrite)
    close(got, want, dtype)
    if overwrite:
        assert got is c


def op_level12(rng, shared):
    m, n = rng.choice([3, 100, 400]), rng.choice([3, 100, 400])
    a, x, y = rand(rng, (m, n)), rand(rng, (n,)), rand(rng, (m,))
    close(blas.dgemv(1.5, a, x, 0.5, y), 1.5 * a @ x + 0.5 * y)
    close(blas.dgemv(1.0, a, y, trans=1), a.T @ y)
    size = rng.choice([10, 60_000, 300_000])
    u, w = rand(rng, (size,)), rand(rng, (size,))
    close(blas.ddot(u, w), np.dot(u, w))
    close(blas.dnrm2(u), np.linalg.norm(u))
    close(blas.dasum(u), np.abs(u).sum())
    assert blas.idamax(u) == int(np.argmax(np.abs(u)))
    z = w.copy()
    close(blas.daxpy(u, z, a=2.0), w + 2.0 * u)
    close(blas.dscal(3.0, u.copy()), 3.0 * u)
    close(blas.sdot(u.astype(np.float32), w.astype(np.float32)), np.dot(u, w), np.float32)


def op_thread_settings(rng, shared):
    blas.set_num_threads(rng.choice([1, 2]))
    blas.set_oversubscription_guard(rng.random() < 0.8)
    assert blas.get_num_threads() >= 1
    assert blas.calls_in_flight() >= 0


OPS = [op_compress, op_parallel, op_checksums, op_streams, op_shared_compress, op_shared_decompress,
       op_observe, op_matmul, op_gemm, op_level12, op_thread_settings]
WEIGHTS = [3, 1, 2, 2, 2, 2, 2, 3, 3, 2, 1]


def test_threads_mix_every_operation_and_verify():
    shared = {"c": SharedCompress(), "d": SharedDecompress()}
    threads_before, guard_before = blas.get_num_threads(), blas.get_oversubscription_guard()
    errors, counts = [], [0] * THREADS
    deadline = time.monotonic() + DURATION

    def worker(index):
        rng = random.Random(index)
        try:
            while time.monotonic() < deadline:
                op = rng.choices(OPS, WEIGHTS)[0]
                if op is op_shared_decompress and shared["d"].position >= len(SHARED_PACKED):
                    continue
                op(rng, shared)
                counts[index] += 1
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append((index, op.__name__, error))

    # Last resort: if a thread hangs inside native code, dump every stack and exit.
    faulthandler.dump_traceback_later(DURATION + 120, exit=True)
    try:
        workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(THREADS)]
        for t in workers:
            t.start()
        for t in workers:
            t.join(timeout=DURATION + 60)
        stuck = [t for t in workers if t.is_alive()]
        if stuck:
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            raise Deadlock(f"{len(stuck)} threads still running {DURATION + 60:.0f}s after the deadline")
    finally:
        faulthandler.cancel_dump_traceback_later()
        blas.set_num_threads(threads_before)
        blas.set_oversubscription_guard(guard_before)
    assert not errors, errors[:3]
    shared["c"].check()
    shared["d"].check()
    assert blas.calls_in_flight() == 0
    assert min(counts) > 0, counts
    print(f"{sum(counts)} operations, per thread {counts}")
