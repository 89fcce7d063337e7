"""How to test that a call releases the GIL so that the test FAILS when it does not.

A counter thread spins in Python while the main thread makes the call. The same call is
made twice: with SwiftPy's GIL release on, and with it off
(`swiftpy._native.set_release_gil(False)`, the benchmark's "GIL held" mode, which runs the
very same code keeping the GIL). The counter must advance far more during the released
call than during the held one. A bare "the counter advanced" check cannot fail: the
counter also runs whenever the call returns to Python between chunks (the interpreter
switches threads every 5 ms), which is how the earlier tests passed with the GIL held.
"""
import sys
import threading
import time

import swiftpy._native as native


#: The interpreter's thread switch interval during a probe. Whenever the call returns, the
#: waiting counter thread gets the GIL for up to one interval before the main thread reads
#: the count; a short interval keeps that edge small next to a call of several ms.
SWITCH_INTERVAL = 0.0002


def ticks_during(call, repeat=3):
    """The most counter-thread iterations seen during one run of `call` (best of `repeat`)."""
    previous_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        return _ticks_during(call, repeat)
    finally:
        sys.setswitchinterval(previous_interval)


def _ticks_during(call, repeat):
    state = {"run": True, "ticks": 0}
    started = threading.Event()

    def counter():
        started.set()
        while state["run"]:
            state["ticks"] += 1

    thread = threading.Thread(target=counter)
    thread.start()
    started.wait()
    time.sleep(0.01)
    best = 0
    try:
        for _ in range(repeat):
            before = state["ticks"]
            call()
            best = max(best, state["ticks"] - before)
    finally:
        state["run"] = False
        thread.join()
    return best


def released_and_held(call, repeat=3):
    """(ticks with the GIL released, ticks with it held) for the same call."""
    assert native.get_release_gil()
    released = ticks_during(call, repeat)
    native.set_release_gil(False)
    try:
        held = ticks_during(call, repeat)
    finally:
        native.set_release_gil(True)
    return released, held


def assert_releases_gil(call, repeat=3):
    released, held = released_and_held(call, repeat)
    # Released: the counter runs for the whole call (thousands to millions of ticks).
    # Held: it runs only at the call's edges (a few switch intervals). Measured: 8-25x
    # apart when the call releases the GIL, 1-2x when it does not; 4x separates them.
    assert released > 4 * held + 1000, f"released: {released} ticks, held: {held} ticks"
