import Dispatch
import SwiftPyEmbed
import Testing

@Suite struct EmbeddingTests {
    @Test func runsPythonThatCallsSwiftBuiltins() throws {
        let sum = try TestInterpreter.run { py in
            try Interpreter.run("import demo\nresult = demo.add(40, 2)", py)
            return try Interpreter.evaluate("result", as: Int.self, py)
        }
        #expect(sum == 42)
    }

    @Test func moduleDeclaredInSwiftWorksFromPython() throws {
        let values = try TestInterpreter.run { py in
            try Interpreter.run("import swiftpy_test as t\nm = (t.mul(3), t.mul(3, b=5), t.upper('abc'))", py)
            return try py.unpackTuple(Interpreter.evaluate("m", py), as: Int.self, Int.self, String.self)
        }
        #expect(values.0 == 6 && values.1 == 15 && values.2 == "ABC")
    }

    @Test func moduleExceptionClassesAreRaisedAndCaught() throws {
        let message = try TestInterpreter.run { py in
            do {
                let fail = try Interpreter.evaluate("__import__('swiftpy_test').fail", py)
                _ = try py.call(fail, [try "bad".toPython(py)])
                return "no error"
            } catch let error as PyException {
                // (`py` is ~Escapable: the testing macros cannot take it as an argument.)
                let isValueError = error.matches(.valueError, py)
                #expect(isValueError)  // TestError derives from ValueError
                #expect(error.pythonTypeName == "TestError")
                return error.description
            }
        }
        #expect(message == "TestError: bad")
    }

    @Test func pythonExceptionsComeBackWithTheOriginalObject() throws {
        try TestInterpreter.run { py in
            do {
                _ = try Interpreter.evaluate("{}['missing']", py)
                Issue.record("expected KeyError")
            } catch let error as PyException {
                #expect(error.kind == .caught)
                let isKeyError = error.matches(.keyError, py), isValueError = error.matches(.valueError, py)
                #expect(isKeyError)
                #expect(!isValueError)
                let exceptionObject = error.exceptionObject(py)
                let object = try #require(exceptionObject)
                #expect(try py.repr(object) == "KeyError('missing')")
            }
        }
    }

    @Test func conversionsRoundTrip() throws {
        try TestInterpreter.run { py in
            #expect(try Int(fromPython: Interpreter.evaluate("-12345", py), py) == -12345)
            #expect(throws: PyException.self) { try Int(fromPython: Interpreter.evaluate("2**70", py), py) }
            #expect(throws: PyException.self) { try Int32(fromPython: Interpreter.evaluate("2**40", py), py) }
            #expect(throws: PyException.self) { try UInt32(fromPython: Interpreter.evaluate("-1", py), py) }
            #expect(try Double(fromPython: Interpreter.evaluate("2.5", py), py) == 2.5)
            #expect(try Bool(fromPython: Interpreter.evaluate("[]", py), py) == false)
            #expect(try String(fromPython: Interpreter.evaluate("'héllo'", py), py) == "héllo")
            #expect(try [Int](fromPython: Interpreter.evaluate("(1, 2, 3)", py), py) == [1, 2, 3])
            #expect(try [UInt8](fromPython: Interpreter.evaluate("b'ab'", py), py) == [97, 98])
            #expect(try [String: Int](fromPython: Interpreter.evaluate("{'a': 1}", py), py) == ["a": 1])
            #expect(try Int?(fromPython: Interpreter.evaluate("None", py), py) == nil)

            let back = try [1.5, 2.5].toPython(py)
            #expect(try py.repr(back) == "[1.5, 2.5]")
            #expect(try py.repr([UInt8]([0, 65]).toPython(py)) == "b'\\x00A'")
            #expect(try py.repr(["k": true].toPython(py)) == "{'k': True}")
            #expect(try py.repr(PyTuple(1, "two", 3.0).toPython(py)) == "(1, 'two', 3.0)")
            #expect(try py.repr(Optional<Int>.none.toPython(py)) == "None")
            #expect(try py.repr(Int.max.toPython(py)) == "9223372036854775807")
        }
    }

    @Test func detachRestoresTheThreadStateWhenTheClosureThrows() throws {
        struct Failure: Error {}
        let ok = try TestInterpreter.run { py in
            #expect(throws: Failure.self) { try py.detach { () throws(Failure) -> Int in throw Failure() } }
            // Still attached: Python calls work.
            return try Interpreter.evaluate("1 + 1", as: Int.self, py)
        }
        #expect(ok == 2)
    }

    @Test func manyThreadsAttachDetachAndCallPython() async throws {
        let count = 16
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<count {
                group.addTask {
                    try TestInterpreter.run { py in
                        // Release the GIL for a while, then call a Swift builtin via Python.
                        let spun = py.detach { (0..<10_000).reduce(0, &+) }
                        let fn = try Interpreter.evaluate("__import__('demo').add", py)
                        let value = try py.call(fn, [try i.toPython(py), try spun.toPython(py)])
                        return try Int(fromPython: value, py)
                    }
                }
            }
            var all: [Int] = []
            for try await value in group { all.append(value) }
            return all.sorted()
        }
        #expect(results == (0..<count).map { $0 + 49_995_000 })
    }

    @Test func attachFromDispatchThreads() throws {
        _ = TestInterpreter.started
        let group = DispatchGroup()
        let failures = Counter()
        for _ in 0..<8 {
            DispatchQueue.global().async(group: group) {
                do {
                    let value = try Python.attach { py in try Interpreter.evaluate("sum(range(100))", as: Int.self, py) }
                    if value != 4950 { failures.increment() }
                } catch {
                    failures.increment()
                }
            }
        }
        group.wait()
        #expect(failures.value == 0)
    }

    @Test func buffersAreReadDetachedAndExported() throws {
        let result = try TestInterpreter.run { py in
            let data = try Interpreter.evaluate("bytearray(b'abc' * 1000)", py)
            let buffer = try PyBuffer(data, py)
            let sum = try buffer.detach(py) { span in
                span.withUnsafeBytes { $0.reduce(0) { $0 + Int($1) } }
            }
            #expect(buffer.byteCount == 3000)
            #expect(buffer.format == "B")
            #expect(throws: PyException.self) { try PyBuffer(Interpreter.evaluate("'text'", py), py) }
            #expect(throws: PyException.self) { try PyBuffer(Interpreter.evaluate("b'ro'", py), py, .writableBytes) }
            return sum
        }
        #expect(result == (97 + 98 + 99) * 1000)
    }
}

/// A thread-safe counter for the tests.
final class Counter: @unchecked Sendable {
    private let lock = DispatchQueue(label: "counter")
    private var count = 0
    func increment() { lock.sync { count += 1 } }
    var value: Int { lock.sync { count } }
}

@Suite struct BufferPairTests {
    @Test func twoBuffersDetachedTogether() throws {
        let dot = try TestInterpreter.run { py in
            let a = try PyBuffer(Interpreter.evaluate("bytes([1, 2, 3])", py), py)
            let b = try PyBuffer(Interpreter.evaluate("bytearray([4, 5, 6])", py), py)
            return try a.detach(py, with: b) { x, y in
                x.withUnsafeBytes { xs in y.withUnsafeBytes { ys in zip(xs, ys).reduce(0) { $0 + Int($1.0) * Int($1.1) } } }
            }
        }
        #expect(dot == 32)
    }
}
