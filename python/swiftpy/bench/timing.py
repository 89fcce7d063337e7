"""Timing primitives: medians of repeated wall-clock runs, taken side by side.

The machine is shared and noisy, so every comparison is a ratio of runs interleaved in
one process (A, B, A, B, ...), summarised by medians with min-max.
"""
import statistics
import threading
import time


def summarize(samples):
    """Median, min and max of a list of numbers (seconds or rates)."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "samples": list(samples)}


def per_call_ns(function, args, calls, rounds=5, kwargs=None):
    """Nanoseconds per call of `function(*args)` in a tight loop, minus the loop itself.

    The loop and an empty loop alternate `rounds` times and the fastest of each is kept:
    on a shared machine interference only ever adds time, so minima are the stable
    estimate of the cost itself."""
    loop = _make_loop(function, args, kwargs)
    empty = _make_loop(None, ())
    chunk = max(calls // rounds, 1)
    best_loop = best_empty = None
    for _ in range(rounds):
        start = time.perf_counter_ns()
        loop(chunk)
        elapsed = time.perf_counter_ns() - start
        best_loop = elapsed if best_loop is None else min(best_loop, elapsed)
        start = time.perf_counter_ns()
        empty(chunk)
        elapsed = time.perf_counter_ns() - start
        best_empty = elapsed if best_empty is None else min(best_empty, elapsed)
    return max(best_loop - best_empty, 0) / chunk


def _make_loop(function, args, kwargs=None):
    # A specialised loop per arity keeps argument unpacking out of the measurement.
    if kwargs:
        (key, value), = kwargs.items()
        if len(args) == 2 and key == "out":
            def loop(n):
                f, a, b, o = function, args[0], args[1], value
                for _ in range(n):
                    f(a, b, out=o)
        else:
            def loop(n):
                f = function
                for _ in range(n):
                    f(*args, **kwargs)
    elif function is None:
        def loop(n):
            for _ in range(n):
                pass
    elif len(args) == 0:
        def loop(n):
            f = function
            for _ in range(n):
                f()
    elif len(args) == 1:
        def loop(n):
            f, a = function, args[0]
            for _ in range(n):
                f(a)
    elif len(args) == 2:
        def loop(n):
            f, a, b = function, args[0], args[1]
            for _ in range(n):
                f(a, b)
    else:
        def loop(n):
            f = function
            for _ in range(n):
                f(*args)
    return loop


class ThreadTeam:
    """N threads started BEFORE timing; each run releases them together and measures
    the wall-clock time until the last one finishes its own share of work."""

    def __init__(self, count):
        self.count = count
        self._start = threading.Barrier(count + 1)
        self._done = threading.Barrier(count + 1)
        self._jobs = [None] * count
        self._errors = []
        self._stop = False
        self._threads = [threading.Thread(target=self._worker, args=(i,), daemon=True) for i in range(count)]
        for thread in self._threads:
            thread.start()

    def _worker(self, index):
        while True:
            self._start.wait()
            if self._stop:
                return
            try:
                self._jobs[index]()
            except BaseException as error:  # reported by run()
                self._errors.append(error)
            self._done.wait()

    def run(self, jobs):
        """Runs jobs[i] on thread i; returns elapsed wall-clock seconds."""
        self._jobs = list(jobs)
        # Start the clock BEFORE releasing the workers: once released, a worker that
        # holds the GIL would keep this thread from reading the clock until it is done.
        start = time.perf_counter()
        self._start.wait()
        self._done.wait()
        elapsed = time.perf_counter() - start
        if self._errors:
            raise self._errors.pop()
        return elapsed

    def close(self):
        self._stop = True
        self._start.wait()
        for thread in self._threads:
            thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
