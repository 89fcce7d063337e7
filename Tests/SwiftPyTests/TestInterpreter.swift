import SwiftPyEmbed
import SwiftPyModules

/// A module defined inside the tests, registered as a builtin of the embedded
/// interpreter: the "write your own builtin" path, end to end.
let testModule = ModuleDefinition(
    name: "swiftpy_test",
    functions: [
        Function("mul", doc: "a * b", [Parameter("a"), Parameter("b", default: 2)]) { (_: Python, a: Int, b: Int) in a &* b },
        Function("upper", [Parameter("s")]) { (_: Python, s: String) in s.uppercased() },
        Function("fail", [Parameter("message")]) { (_: Python, message: String) throws in
            throw PyException(.module("TestError"), message)
        },
    ],
    exceptions: [ExceptionDefinition("TestError", base: .valueError)]
)

@c(PyInit_swiftpy_test)
func PyInit_swiftpy_test() -> UnsafeMutableRawPointer? { testModule.initialize() }

/// Starts one interpreter for the whole test process (idempotent, thread-safe).
enum TestInterpreter {
    static let started: Bool = {
        do {
            return try Interpreter.start(builtinModules: [
                ("demo", PyInit_demo),
                ("swiftpy_test", PyInit_swiftpy_test),
            ])
        } catch {
            return false
        }
    }()

    /// Runs `body` attached to the shared interpreter.
    static func run<T: Sendable>(_ body: (Python) throws -> T) throws -> T {
        _ = started
        return try Python.attach(body)
    }
}
