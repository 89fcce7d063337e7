import Testing
@testable import Zlib

@Suite struct OneShotTests {
    static let wbitsForms: [Int32] = [9, 12, 15, -9, -12, -15, 25, 28, 31]

    @Test(arguments: Array(Int32(-1)...9))
    func roundTripAllWbits(level: Int32) throws {
        let inputs: [[UInt8]] = [[], [42], Array(Samples.text100K.prefix(30_000))]
        for input in inputs {
            for wbits in Self.wbitsForms {
                let packed = try compress(input, level: level, wbits: wbits)
                #expect(try decompress(packed, wbits: wbits) == input, "level \(level) wbits \(wbits)")
                if wbits > 0 {
                    // Auto-detection (40...47) and, for zlib streams, the header's window (0).
                    #expect(try decompress(packed, wbits: 47) == input)
                    if wbits < 16 { #expect(try decompress(packed, wbits: 0) == input) }
                }
            }
        }
    }

    @Test func compressedSizeAndHeader() throws {
        let input = Samples.text100K
        let packed = try compress(input)
        #expect(packed.count < input.count / 2)
        #expect(packed.prefix(2) == [0x78, 0x9c])
        #expect(try compress(input, level: 9).prefix(2) == [0x78, 0xda])
        #expect(try compress(input, level: 1).prefix(2) == [0x78, 0x01])
        #expect(try compress([], level: 6, wbits: 31).prefix(3) == [0x1f, 0x8b, 0x08])
    }

    @Test func smallBufferSizesGrow() throws {
        let input = Samples.text100K
        let packed = try compress(input)
        for size in [0, 1, 7, 1000, 1 << 20] {
            #expect(try decompress(packed, bufferSize: size) == input)
        }
        #expect(zlibErrorMessage { _ = try decompress(packed, bufferSize: -1) } == "bufsize must be non-negative")
    }

    /// The stepping protocol the Python `decompress` drives to fill a bytes object in
    /// place: output given in small, growing pieces keeps what earlier steps wrote, and
    /// libdeflate's and zlib's paths give the same bytes.
    @Test(arguments: [Int32(15), 0, 31, -15])
    func decompressionGrowsTheCallersOutput(wbits: Int32) throws {
        let input = Samples.text100K + Samples.text100K
        let packed = try compress(input, wbits: wbits == 0 ? 15 : wbits)
        try packed.withUnsafeBytes { source in
            let job = try Decompression(input: source, wbits: wbits, bufferSize: 1)
            var output = [UInt8](repeating: 0xAA, count: 1000)  // far below what it asks for
            var steps = 0
            while true {
                let step = try output.withUnsafeMutableBytes { try job.step(source, into: $0) }
                steps += 1
                switch step {
                case .finished(let count):
                    #expect(Array(output.prefix(count)) == input)
                    #expect(steps > 1)
                    return
                case .needsCapacity(let size):
                    #expect(size > output.count)
                    let kept = job.written
                    #expect(kept <= output.count)
                    output += [UInt8](repeating: 0xAA, count: size - output.count)
                }
            }
        }
    }

    /// ISA-L (level 1) and libdeflate (levels 2-9) write in place; at level 9 the large
    /// input (1.2 MB, with a progress callback) takes libdeflate's off-thread path, which
    /// compresses private copies and copies the stream into the caller's memory.
    @Test(arguments: [Int32(15), 31, -15], [Int32(1), 6, 9])
    func inPlaceCompressionMatchesTheGrowingPathOrSaysItDidNotFit(wbits: Int32, level: Int32) throws {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<70_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        // Text with a progress callback: several output windows (256 KiB pieces).
        let large = Array(repeating: Samples.text100K, count: level == 9 ? 12 : 4).flatMap { $0 }
        for (input, progress) in [([], nil), (Array(Samples.text100K), nil), (noise, nil), (large, { () throws in })]
            as [([UInt8], (() throws -> Void)?)]
        {
            let expected = try compress(input, level: level, wbits: wbits, engine: .fast)
            #expect(try decompress(expected, wbits: wbits) == input)
            let capacity = try #require(
                inPlaceCompressionCapacity(inputCount: input.count, level: level, wbits: wbits, engine: .fast))
            #expect(capacity >= expected.count)
            var memory = [UInt8](repeating: 0, count: capacity)
            let written = try input.withUnsafeBytes { source in
                try memory.withUnsafeMutableBytes {
                    try compress(source, level: level, wbits: wbits, engine: .fast, into: $0, progress: progress)
                }
            }
            #expect(written.map { Array(memory.prefix($0)) } == expected)
            // Too small: nil (the caller grows instead), never a truncated stream.
            var small = [UInt8](repeating: 0, count: expected.count / 2)
            let none = try input.withUnsafeBytes { source in
                try small.withUnsafeMutableBytes {
                    try compress(source, level: level, wbits: wbits, engine: .fast, into: $0, progress: progress)
                }
            }
            #expect(none == nil || input.isEmpty)
        }
        // Settings that do not compress in place say so.
        #expect(inPlaceCompressionCapacity(inputCount: 10, level: 0, wbits: 15, engine: .fast) == nil)
        #expect(inPlaceCompressionCapacity(inputCount: 10, level: level, wbits: 15, engine: .zlib) == nil)
        #expect(inPlaceCompressionCapacity(inputCount: 10, level: level, wbits: 14, engine: .fast) == nil)
    }

    @Test func trailingDataIsIgnored() throws {
        let packed = try compress(Array("hello".utf8)) + Array("garbage".utf8)
        #expect(try decompress(packed) == Array("hello".utf8))
    }

    @Test func errorMessagesMatchCPython() throws {
        let packed = try compress(Samples.text100K)
        #expect(zlibErrorMessage { _ = try decompress(Array("not zlib data".utf8)) }
            == "Error -3 while decompressing data: incorrect header check")
        #expect(zlibErrorMessage { _ = try decompress(Array(packed.dropLast(10))) }
            == "Error -5 while decompressing data: incomplete or truncated stream")
        #expect(zlibErrorMessage { _ = try decompress([UInt8]()) }
            == "Error -5 while decompressing data: incomplete or truncated stream")
        #expect(zlibErrorMessage { _ = try compress([1, 2, 3], level: 10) } == "Bad compression level")
        #expect(zlibErrorMessage { _ = try compress([1, 2, 3], wbits: 99) } == "Bad compression level")
        #expect(zlibErrorMessage { _ = try decompress(packed, wbits: 99) }
            == "Error -2 while preparing to decompress data: inconsistent stream state")
        // A wrong wrapper: gzip data read as zlib.
        let gzip = try compress([1, 2, 3], wbits: 31)
        #expect(zlibErrorMessage { _ = try decompress(gzip, wbits: 15) }
            == "Error -3 while decompressing data: incorrect header check")
        // Corrupt the body of a raw stream.
        var raw = try compress(Samples.text100K, wbits: -15)
        for i in stride(from: 10, to: 60, by: 1) { raw[i] = 0xff }
        let corrupt = zlibErrorMessage { _ = try decompress(raw, wbits: -15) }
        #expect(corrupt?.hasPrefix("Error -3 while decompressing data: ") == true)
        // A stream that needs a dictionary, without one: zlib sets no message for code 2.
        let withDict = try Deflater(zdict: Array("dictionary".utf8))
        let needsDict = try withDict.compress([1, 2, 3]) + withDict.flush()
        #expect(zlibErrorMessage { _ = try decompress(needsDict) } == "Error 2 while decompressing data")
    }

    @Test func errorValuesCarryCodesAndKinds() throws {
        do {
            _ = try decompress(Array("xx".utf8))
            Issue.record("expected an error")
        } catch let error as ZlibError {
            #expect(error.code == -3)
            #expect(error.kind == .zlib)
            #expect(error.operation == .decompressing)
            #expect(error.detail == "incorrect header check")
        }
        #expect(ZlibError(code: -6, operation: .decompressing, zlibMessage: nil).description
            == "Error -6 while decompressing data: library version mismatch")
        #expect(ZlibError(code: -2, operation: .flushing, zlibMessage: nil).description
            == "Error -2 while flushing: inconsistent stream state")
        #expect(ZlibError(code: -3, operation: .settingDictionary, zlibMessage: nil).description
            == "Error -3 while setting zdict: invalid input data")
        #expect(ZlibError(code: -99, operation: .compressing, zlibMessage: nil).description
            == "Error -99 while compressing data")
    }

    @Test func progressIsCalledAndCanCancel() throws {
        let input = Samples.text4M
        var calls = 0
        let packed = try compress(input, level: 1, progress: { calls += 1 })
        #expect(calls >= 3)
        #expect(packed == (try compress(input, level: 1)))
        // wbits 0 (the header's window) is zlib's: libdeflate decodes the default wbits in
        // one uninterruptible call of at most 64 MiB of output, between which it reports.
        calls = 0
        #expect(try decompress(packed, wbits: 0, progress: { calls += 1 }) == input)
        #expect(calls >= 3)

        struct Stop: Error {}
        #expect(throws: Stop.self) { _ = try compress(input, level: 1, progress: { throw Stop() }) }
        #expect(throws: Stop.self) { _ = try decompress(packed, wbits: 0, progress: { throw Stop() }) }
    }

    @Test func versions() {
        #expect(zlibVersion.hasPrefix("1."))
        #expect(zlibRuntimeVersion().hasPrefix("1."))
    }
}
