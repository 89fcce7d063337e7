"""Native-workload benchmarks: ``python -m swiftpy.bench --help``."""
