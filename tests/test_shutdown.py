"""Interpreter exit while daemon threads are inside detached Swift calls: no hang, no crash."""
import subprocess
import sys
import textwrap


def run_python(code, timeout=60):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout)


def test_exit_while_daemon_threads_are_detached():
    result = run_python(
        """
        import threading, time
        import swiftpy.demo as demo
        data = bytes(8 << 20)
        def work():
            while True:
                demo.checksum(data)
                demo.sleep_detached(0.01)
        for _ in range(4):
            threading.Thread(target=work, daemon=True).start()
        time.sleep(0.3)
        print("exiting")
        """
    )
    assert result.returncode == 0, result.stderr
    assert "exiting" in result.stdout


def test_callback_from_swift_thread_during_exit_is_refused():
    result = run_python(
        """
        import atexit
        import swiftpy.demo as demo  # registers SwiftPy's shutdown flag first
        def during_exit():
            try:
                demo.call_from_thread(lambda: 1)
                print("attached")
            except RuntimeError as error:
                print("refused:", error)
        atexit.register(during_exit)
        """
    )
    assert result.returncode == 0, result.stderr
    # atexit runs handlers last-registered-first: ours runs BEFORE SwiftPy's flag is set,
    # so the callback still works here; the refusal path is covered by test_embedding.
    assert "attached" in result.stdout or "refused" in result.stdout


def test_ctrl_c_interrupts_a_long_detached_call():
    result = run_python(
        """
        import os, signal, threading, time
        import swiftpy.demo as demo
        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        start = time.perf_counter()
        try:
            demo.sleep_detached(30)
            print("not interrupted")
        except KeyboardInterrupt:
            print("interrupted after %.3f" % (time.perf_counter() - start))
        """
    )
    assert result.returncode == 0, result.stderr
    assert "interrupted after" in result.stdout
    elapsed = float(result.stdout.split()[-1])
    assert elapsed < 5  # generous: the point is "not 30 s"; typical is 0.2 s
