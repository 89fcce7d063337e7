// Control: reading two buffers and writing a third while detached compiles without any
// unsafe code in the builtin.
import SwiftPy

func addInto(_ py: Python, _ a: PyBuffer, _ b: PyBuffer, _ out: PyBuffer) throws -> Int {
    try py.detach(reading: [a, b], writing: [out]) { buffers in
        let x = buffers.reading(0), y = buffers.reading(1)
        var z = buffers.writing(0)
        let n = min(x.byteCount, y.byteCount, z.byteCount)
        for i in 0..<n {
            z.storeBytes(of: x.unsafeLoad(fromByteOffset: i, as: UInt8.self) &+ y.unsafeLoad(fromByteOffset: i, as: UInt8.self),
                         toByteOffset: i, as: UInt8.self)
        }
        return n
    }
}
