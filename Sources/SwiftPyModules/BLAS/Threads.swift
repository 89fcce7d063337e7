import BLAS
import SwiftPy

// Thread control: `set_num_threads`, `get_num_threads` and the oversubscription guard.
//
// OpenBLAS keeps one process-wide thread count. These functions change the same value as
// `openblas_set_num_threads` (and so as threadpoolctl, which finds the libopenblas this
// module loads). While two or more large calls run concurrently through swiftpy.blas,
// `BLASThreadPolicy` makes each use one OpenBLAS thread and restores the configured count
// when the last one finishes (see the module docstring).

let threadFunctions: [Function] = [
    Function("set_num_threads",
             doc: "Set the number of OpenBLAS threads a call running alone may use (at least 1). "
                + "The setting is process-wide (the same one threadpoolctl and OPENBLAS_NUM_THREADS control).",
             [Parameter("n")]) { (_: Python, n: Int) throws in
        guard n >= 1 else { throw PyException.valueError("set_num_threads: n must be at least 1, got \(n)") }
        BLASThreads.count = n
    },
    Function("get_num_threads",
             doc: "The number of OpenBLAS threads a call running alone uses (the configured count; "
                + "concurrent large calls use 1 each while they overlap).") { (_: Python) -> Int in
        BLASThreads.count
    },
    Function("set_oversubscription_guard",
             doc: "Enable (default) or disable the policy that never lets a multithreaded BLAS call overlap "
                + "another (overlapping large products take turns at every core; stacks share them). "
                + "Returns the previous setting.",
             [Parameter("enabled")]) { (_: Python, enabled: Bool) -> Bool in
        let previous = BLASThreadPolicy.shared.isEnabled
        BLASThreadPolicy.shared.isEnabled = enabled
        return previous
    },
    Function("get_oversubscription_guard", doc: "Whether the oversubscription guard is enabled.") { (_: Python) -> Bool in
        BLASThreadPolicy.shared.isEnabled
    },
    Function("calls_in_flight",
             doc: "How many large BLAS calls are running right now through swiftpy.blas (a snapshot; "
                + "for tests and diagnostics).") { (_: Python) -> Int in
        BLASThreadPolicy.shared.callsInFlight
    },
]
