import SwiftPy

/// `swiftpy.demo`: what a SwiftPy module looks like, written only with the public API.
/// The tests use it to exercise every part of the extension API from Python.
let demoModule = ModuleDefinition(
    name: "swiftpy.demo",
    doc: "Demonstration builtins written in Swift with SwiftPy.",
    functions: [
        Function("noop", doc: "Do nothing; measures the cost of a call.") { (_: Python) in },

        Function("add", doc: "Return a + b for ints that fit in 64 bits.", [Parameter("a"), Parameter("b")]) {
            (_: Python, a: Int, b: Int) throws -> Int in
            let (sum, overflow) = a.addingReportingOverflow(b)
            if overflow { throw PyException.overflowError("Python int too large to convert to C long") }
            return sum
        },

        Function(
            "checksum",
            doc: "FNV-1a (64-bit) hash of a bytes-like object, computed by a pure-Swift loop. "
                + "With release_gil=True (the default) the loop runs with the GIL released, so "
                + "threads hashing different buffers run in parallel.",
            [Parameter("data", .positionalOnly), Parameter("release_gil", .keywordOnly, default: true)]
        ) { (py: Python, data: PyBuffer, releaseGIL: Bool) throws -> UInt64 in
            // Below ~4 KiB the GIL hand-off costs more than the loop (docs/design.md).
            try data.detach(py, if: releaseGIL && data.byteCount >= 4096) { FNV1a.hash($0) }
        },

        Function("greet", doc: "Return a greeting (str conversions, defaults).",
                 [Parameter("name"), Parameter("greeting", default: "Hello")]) {
            (_: Python, name: String, greeting: String) -> String in "\(greeting), \(name)!"
        },

        Function("scale", doc: "Multiply each float of a list (list conversions).",
                 [Parameter("values"), Parameter("factor", default: 2.0)]) {
            (_: Python, values: [Double], factor: Double) -> [Double] in values.map { $0 * factor }
        },

        Function("word_counts", doc: "Count words (dict conversion).", [Parameter("words")]) {
            (_: Python, words: [String]) -> [String: Int] in
            words.reduce(into: [:]) { $0[$1, default: 0] += 1 }
        },

        Function("pair", doc: "Return (a, b) as a tuple.", [Parameter("a"), Parameter("b")]) {
            (_: Python, a: Int, b: String) in PyTuple(a, b)
        },

        Function("double_or_none", doc: "2*x, or None for None (Optional conversions).", [Parameter.optional("x")]) {
            (_: Python, x: Int?) -> Int? in x.map { $0 &* 2 }
        },

        Function("fill", doc: "Set every byte of a writable buffer to value, with the GIL released.",
                 [Parameter("buffer", .positionalOnly), Parameter("value")]) {
            (py: Python, buffer: WritableBuffer, value: UInt8) throws in
            try buffer.buffer.detachMutating(py) { span in
                for i in 0..<span.byteCount { span.storeBytes(of: value, toByteOffset: i, as: UInt8.self) }
            }
        },

        Function("matrix", doc: "A rows x cols float64 matrix (C order) with m[i, j] = i*cols + j, "
                 + "owned by Swift and exported through the buffer protocol.",
                 [Parameter("rows"), Parameter("cols")]) {
            (_: Python, rows: Int, cols: Int) throws -> SwiftBuffer in
            let buffer = try SwiftBuffer(shape: [rows, cols], format: "d", itemSize: 8)
            unsafe buffer.withUnsafeMutableBufferPointer(of: Double.self) { values in
                for i in values.indices { unsafe values[i] = Double(i) }
            }
            return buffer
        },

        Function("apply", doc: "Call fn(value) and return its result (exceptions propagate).",
                 [Parameter("fn"), Parameter("value")]) {
            (py: Python, fn: PyBorrowedRef, value: PyObjectRef) throws -> PyObjectRef in
            try py.call(fn, [value])
        },

        Function("call_from_thread", doc: "Call fn() on a new Swift thread that attaches to the interpreter; "
                 + "return its result. The calling thread waits with the GIL released.",
                 [Parameter("fn")]) {
            (py: Python, fn: PyObjectRef) throws -> PyObjectRef in
            try callOnSwiftThread(fn, py)
        },

        Function("call_in_background", doc: "Start fn() on a new Swift thread that attaches to the interpreter, "
                 + "and return at once (main interpreter only); fn's result and any exception it raises are discarded. If the "
                 + "interpreter is exiting, fn is not called; exit waits (up to 2 s) for a call that started.",
                 [Parameter("fn")]) {
            (py: Python, fn: PyObjectRef) throws in
            // A subinterpreter may be gone before the thread attaches (attach(to:)'s contract).
            guard py.interpreter.isMain else {
                throw PyException.runtimeError("call_in_background works only in the main interpreter")
            }
            startOnSwiftThread(fn, py)
        },

        Function("_trap", doc: "Test hook for trap reports: runs Swift code that traps (kind 'index', "
                 + "'overflow' or 'unwrap'), which kills the process after SwiftPy reports it. Refuses "
                 + "(RuntimeError) unless SWIFTPY_TEST_TRAPS=1 is set in the environment.",
                 [Parameter("kind")]) { (py: Python, kind: String) throws -> Int in
            // No trap is reachable from Python by accident: only a test that asks for it.
            let environ = try py.getAttribute(try py.importModule("os"), "environ")
            let flag = try py.call(try py.getAttribute(environ, "get"), [try "SWIFTPY_TEST_TRAPS".toPython(py)])
            guard try py.repr(flag) == "'1'" else {
                throw PyException.runtimeError("swiftpy.demo._trap kills the process; set SWIFTPY_TEST_TRAPS=1 to allow it")
            }
            let values = Array(kind.utf8).map(Int.init)
            switch kind {
            case "index": return values[values.count]             // index out of range
            case "overflow": return Int.max - 1 + values.count    // arithmetic overflow
            default: return values.first.flatMap { $0 > 0 ? nil : $0 }!  // nil unwrap
            }
        },
        Function("live_counters", doc: "How many Swift Counter objects are alive (tests deallocation).") {
            (_: Python) in Counter.live.load(ordering: .relaxed)
        },

        Function("raise_error", doc: "Raise swiftpy.demo.DemoError(message).", [Parameter("message")]) {
            (_: Python, message: String) throws in throw PyException(.module("DemoError"), message)
        },

        Function("fail_with_swift_error", doc: "Throw a plain Swift error (becomes RuntimeError).") {
            (_: Python) throws in throw DemoSwiftError.somethingWentWrong
        },

        Function("sleep_detached", doc: "Spin for `seconds` with the GIL released, checking for Ctrl-C.",
                 [Parameter("seconds")]) { (py: Python, seconds: Double) throws -> Bool in
            try py.detachInterruptibly { interruption in
                // Clamp to 0...3600 s first (NaN counts as 0): converting an out-of-range or NaN
                // Double to UInt64 would trap.
                let clamped = seconds.isNaN ? 0 : Swift.max(0, Swift.min(seconds, 3600))
                let end = DemoClock.now() + UInt64(clamped * 1e9)
                while DemoClock.now() < end { try interruption.check() }
                return true
            }
        },
    ],
    types: [
        TypeDefinition(
            BufferKeeper.self, name: "BufferKeeper",
            doc: "Keeps a bytes-like argument beyond the call (tests that a kept buffer stays valid).",
            new: Constructor { (_: Python) in BufferKeeper() },
            methods: [
                Method("keep", doc: "Keep data's buffer until release().", [Parameter("data")]) {
                    (_: Python, keeper: BufferKeeper, data: PyBuffer) in keeper.keep(data)
                },
                Method("read", doc: "A copy of the kept bytes.") { (_: Python, keeper: BufferKeeper) in keeper.read() },
                Method("release", doc: "Let the kept buffer go.") { (_: Python, keeper: BufferKeeper) in keeper.release() },
            ]),
        TypeDefinition(
            Node.self, name: "Node",
            doc: "Holds any Python object in a Swift object; cycles through it are collected.",
            new: Constructor([Parameter("value")]) { (py: Python, value: PyObjectRef) in
                let node = Node()
                node.value.set(value, py)
                return node
            },
            properties: [
                Property("value", doc: "The object held (any Python object).",
                         get: { (py: Python, node: Node) in node.value.get(py) ?? py.none },
                         set: { (py: Python, node: Node, value: PyObjectRef) in node.value.set(value, py) }),
            ]),
        TypeDefinition(
            Counter.self, name: "Counter", doc: "A counter held by a Swift object.",
            new: Constructor([Parameter("start", default: 0)]) { (_: Python, start: Int) in Counter(start) },
            methods: [
                Method("add", doc: "Add n (default 1); return the new value.", [Parameter("n", default: 1)]) {
                    (_: Python, counter: Counter, n: Int) -> Int in
                    counter.state.withLock { $0 &+= n; return $0 }
                },
                Method("reset", doc: "Set the value to 0.") { (_: Python, counter: Counter) in
                    counter.state.withLock { $0 = 0 }
                },
                Method("add_detached", doc: "Add n, n times, with the GIL released (the object is Sendable).",
                       [Parameter("n")]) { (py: Python, counter: Counter, n: Int) throws -> Int in
                    guard n >= 0, n <= 10_000_000 else { throw PyException.valueError("n must be in 0...10000000") }
                    return py.detach {
                        for _ in 0..<n { counter.state.withLock { $0 &+= 1 } }
                        return counter.value
                    }
                },
            ],
            properties: [
                Property("value", doc: "The current value.", get: { (_: Python, counter: Counter) in counter.value },
                         set: { (_: Python, counter: Counter, value: Int) in counter.state.withLock { $0 = value } }),
            ]),
    ],
    exceptions: [ExceptionDefinition("DemoError", doc: "Raised by raise_error().")],
    constants: [("ANSWER", 42), ("VERSION", "0.1.0")],
    // Opted in after the review in docs/free-threading.md.
    freeThreadingSafe: true
)

enum DemoSwiftError: Error { case somethingWentWrong }

@c(PyInit_demo)
public func PyInit_demo() -> UnsafeMutableRawPointer? { unsafe demoModule.initialize() }
