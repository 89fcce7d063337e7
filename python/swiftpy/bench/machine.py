"""What the benchmark ran on: CPU, cores, library versions."""
import os
import platform
import sys


def cpu_model():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def describe():
    return {
        "cpu": cpu_model(),
        "cores": available_cores(),
        "platform": platform.platform(),
        "python": sys.version.split()[0] + " (" + platform.python_implementation() + ")",
    }


def versions():
    found = {}
    import swiftpy
    found["swiftpy"] = swiftpy.__version__
    import zlib
    found["zlib (stdlib)"] = zlib.ZLIB_RUNTIME_VERSION
    for name in ("numpy", "scipy", "threadpoolctl", "isal", "zlib_ng", "pybind11", "nanobind"):
        try:
            module = __import__(name)
            found[name] = getattr(module, "__version__", "?")
        except Exception:  # noqa: BLE001
            pass
    try:
        import threadpoolctl
        for info in threadpoolctl.threadpool_info():
            if info.get("internal_api") == "openblas":
                found[f"openblas ({os.path.basename(info.get('filepath', ''))})"] = info.get("version")
    except Exception:  # noqa: BLE001
        pass
    return found
