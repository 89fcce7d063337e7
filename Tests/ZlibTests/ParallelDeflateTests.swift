import Testing
@testable import Zlib

@Suite struct ParallelDeflateTests {
    @Test(arguments: [0, 1, 100 * 1024, 3 << 20])
    func roundTripSizes(size: Int) throws {
        let input = Array(Samples.text4M.prefix(size))
        for wbits: Int32 in [15, -15, 31] {
            let packed = try parallelCompress(input, wbits: wbits, threads: 2)
            #expect(try decompress(packed, wbits: wbits) == input, "size \(size) wbits \(wbits)")
        }
    }

    @Test(arguments: Array(Int32(-1)...9))
    func everyLevelAndFormat(level: Int32) throws {
        let input = Array(Samples.text4M.prefix(200 * 1024 + 17))
        for wbits: Int32 in [15, 9, 12, -15, -10, 31, 25, 8] {
            let packed = try parallelCompress(input, level: level, wbits: wbits, threads: 3, blockSize: 32 * 1024)
            #expect(try decompress(packed, wbits: wbits == 8 ? 9 : wbits) == input, "level \(level) wbits \(wbits)")
            // The wrapper header is what deflate itself writes.
            let reference = try compress(input, level: level, wbits: wbits)
            let headerLength = wbits > 16 ? 10 : wbits > 0 ? 2 : 0
            #expect(packed.prefix(headerLength) == reference.prefix(headerLength), "level \(level) wbits \(wbits)")
            // The trailer (Adler-32, or CRC-32 and size) too.
            let trailerLength = wbits > 16 ? 8 : wbits > 0 ? 4 : 0
            #expect(packed.suffix(trailerLength) == reference.suffix(trailerLength))
        }
    }

    @Test func ratioWithinOnePercentOfSerial() throws {
        let input = Samples.text4M
        let serial = try compress(input, level: 6)
        let parallel = try parallelCompress(input, level: 6, threads: 2, blockSize: 128 * 1024)
        #expect(try decompress(parallel) == input)
        let excess = Double(parallel.count) / Double(serial.count) - 1
        #expect(excess < 0.01, "parallel \(parallel.count) vs serial \(serial.count)")
    }

    @Test func outputDoesNotDependOnThreadCount() throws {
        let input = Array(Samples.text4M.prefix(1 << 20))
        let one = try parallelCompress(input, threads: 1)
        #expect(try parallelCompress(input, threads: 2) == one)
        #expect(try parallelCompress(input, threads: 7) == one)
        #expect(try parallelCompress(input, threads: Int.max) == one)
    }

    @Test func argumentValidation() {
        let input: [UInt8] = [1, 2, 3]
        #expect(zlibErrorMessage { _ = try parallelCompress(input, threads: 0) } == "threads must be at least 1")
        #expect(zlibErrorMessage { _ = try parallelCompress(input, threads: 2, blockSize: 1000) }
            == "blockSize must be between 32768 and 1073741824")
        #expect(zlibErrorMessage { _ = try parallelCompress(input, threads: 2, blockSize: Int.max) }
            == "blockSize must be between 32768 and 1073741824")
        #expect(zlibErrorMessage { _ = try parallelCompress(input, level: 10, threads: 2) } == "Bad compression level")
        #expect(zlibErrorMessage { _ = try parallelCompress(input, wbits: -8, threads: 2) } == "Bad compression level")
        #expect(zlibErrorMessage { _ = try parallelCompress(input, wbits: 16, threads: 2) } == "Bad compression level")
    }

    @Test func progressAndCancellation() throws {
        let input = Samples.text4M
        var calls = 0
        _ = try parallelCompress(input, level: 1, threads: 2, progress: { calls += 1 })
        #expect(calls >= 3)
        struct Stop: Error {}
        for threads in [1, 2] {
            #expect(throws: Stop.self) {
                _ = try parallelCompress(input, level: 1, threads: threads, progress: { throw Stop() })
            }
        }
    }

    /// Written in place while the blocks come in (`writingInto`, then `finishWriting`), the
    /// stream is byte for byte the one `write(into:)` writes to fresh memory: every format,
    /// both engines, incompressible data (the capacity's worst case), and outputs too small
    /// for the header, for a block, or for the trailer (the stream then reports a larger
    /// `count`, and the caller writes it elsewhere).
    @Test(arguments: [(Int32(1), CompressionEngine.fast), (1, .zlib), (6, .zlib)])
    func writtenInPlaceAsWrittenAfterwards(level: Int32, engine: CompressionEngine) throws {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<(300 * 1024 + 5)).map { _ in UInt8.random(in: 0...255, using: &random) }
        for input in [Array(Samples.text4M.prefix(3 << 20)), noise, []] {
            for (wbits, blockSize) in [(Int32(15), 64 * 1024), (-15, 1 << 20), (31, 32 * 1024), (9, 64 * 1024),
                                       (-12, 32 * 1024)] {
                let reference = try parallelCompress(input, level: level, wbits: wbits, threads: 2, blockSize: blockSize,
                                                     engine: engine)
                let capacity = try #require(parallelCompressCapacity(inputCount: input.count, blockSize: blockSize))
                #expect(capacity >= reference.count, "\(input.count) B, wbits \(wbits)")
                for size in [capacity, 1, reference.count / 2, reference.count - 1] {
                    var output = [UInt8](repeating: 0xA5, count: size)
                    let stream = unsafe try input.withUnsafeBytes { source in
                        unsafe try output.withUnsafeMutableBytes { target in
                            let stream = unsafe try parallelCompressBlocks(
                                source, level: level, wbits: wbits, threads: 2, blockSize: blockSize, engine: engine,
                                writingInto: target)
                            if stream.count <= target.count { unsafe stream.finishWriting(into: target) }
                            return stream
                        }
                    }
                    #expect(stream.count == reference.count)
                    if stream.count <= size {
                        #expect(Array(output.prefix(stream.count)) == reference, "\(input.count) B, wbits \(wbits), \(size)")
                    }
                }
            }
        }
    }
}
