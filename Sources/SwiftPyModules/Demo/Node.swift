import SwiftPy

/// `swiftpy.demo.Node`: a Swift object that holds any Python object, so it can be part of
/// a reference cycle (`n.value = n`). As a ``PyGCTraversable`` it reports that object to
/// the cyclic garbage collector, which can then free the cycle.
final class Node: PyGCTraversable, Sendable {
    let value = PyObjectCell()

    func traverse(_ visitor: inout PyVisitor) { visitor.visit(value) }
    func clear() { value.clear() }
}
