// swiftpy-python: a Swift program that embeds CPython with SwiftPy's modules built in.
//
//   swift run swiftpy-python -c "import swiftpy_demo; print(swiftpy_demo.add(1, 2))"
//   swift run swiftpy-python script.py
//   swift run swiftpy-python --finalization-check
//   swift run swiftpy-python --finalize-waits-check
//
// The third form checks the shutdown contract of `Python.attach`: a Swift thread that
// tries to attach while the interpreter finalizes, or after, gets an AttachError instead
// of hanging or crashing. The fourth, that `Interpreter.finalize` lets a thread that is
// attached at that moment finish (no SwiftPy module imported: no exit handler of theirs).
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import SwiftPyEmbed
import SwiftPyModules

let arguments = Array(CommandLine.arguments.dropFirst())

func usage() -> Never {
    print("usage: swiftpy-python (-c CODE | FILE | --finalization-check | --finalize-waits-check)")
    exit(2)
}

do {
    if (try? Python.attach { _ in 0 }) == nil {
        print("before start: attach refused (\(AttachError.notInitialized))")
    }
    try Interpreter.start(builtinModules: [
        ("swiftpy_demo", PyInit_demo),
    ])

    switch arguments.first {
    case "-c" where arguments.count >= 2:
        try Python.attach { py in try Interpreter.run(arguments[1], py) }
    case "--finalization-check":
        try finalizationCheck()
    case "--finalize-waits-check":
        finalizeWaitsCheck()
    case let path? where !path.hasPrefix("-"):
        try Python.attach { py in
            let source = try Interpreter.evaluate("open(\(try py.repr(path.toPython(py))), encoding='utf-8').read()", as: String.self, py)
            try Interpreter.run(source, py)
        }
    default:
        usage()
    }
    exit(Interpreter.finalize() ? 0 : 120)
} catch let error as PyException {
    print("Python error: \(error)")
    exit(1)
} catch {
    print("error: \(error)")
    exit(1)
}

/// Attaches from a Dispatch thread while `atexit` handlers run (finalization has begun)
/// and again after `Py_FinalizeEx` returned; both must report failure promptly.
func finalizationCheck() throws {
    let attempts = DispatchGroup()
    let report = Report()
    // During finalization: an exit handler (registered before the module, so it runs
    // after SwiftPy's own) asks a Swift thread to call back into Python.
    try Python.attach { py in
        try Interpreter.run("""
        import atexit
        def during_exit():
            try:
                swiftpy_demo.call_from_thread(lambda: 1)
                print("during finalization: attached (WRONG)")
            except RuntimeError as error:
                print("during finalization:", error)
        atexit.register(during_exit)
        import swiftpy_demo
        """, py)
    }
    // After finalization: the interpreter is gone.
    _ = Interpreter.finalize()
    attempts.enter()
    DispatchQueue.global().async {
        do {
            _ = try Python.attach { _ in 1 }
            report.add("after finalize: attached (WRONG)")
        } catch {
            report.add("after finalize: \(error)")
        }
        attempts.leave()
    }
    if attempts.wait(timeout: .now() + 10) == .timedOut { report.add("after finalize: HANG") }
    for line in report.lines { print(line) }
    exit(0)
}

/// A Dispatch thread is attached, running Python with the GIL released, when
/// `Interpreter.finalize` is called: finalize must wait until it is done with Python
/// (CPython before 3.14 would end it when it next takes the GIL, and libdispatch traps).
func finalizeWaitsCheck() -> Never {
    let attempts = DispatchGroup()
    let report = Report()
    let attached = DispatchSemaphore(value: 0)
    attempts.enter()
    DispatchQueue.global().async {
        do {
            try Python.attach { py in
                attached.signal()
                try Interpreter.run("import time; time.sleep(0.3)", py)  // releases the GIL
            }
            report.add("attached at finalize: finished")
        } catch {
            report.add("attached at finalize: \(error) (WRONG)")
        }
        attempts.leave()
    }
    attached.wait()
    _ = Interpreter.finalize()
    if attempts.wait(timeout: .now() + 10) == .timedOut { report.add("attached at finalize: HANG") }
    for line in report.lines { print(line) }
    exit(0)
}

final class Report: @unchecked Sendable {
    private let queue = DispatchQueue(label: "report")
    private var storage: [String] = []
    func add(_ line: String) { queue.sync { storage.append(line) } }
    var lines: [String] { queue.sync { storage } }
}
