import Testing
@testable import Zlib

@Suite struct StreamingTests {
    /// Feeds `input` in pieces of the given sizes (cycling) and finishes.
    func deflateInPieces(_ deflater: Deflater, _ input: [UInt8], sizes: [Int], flushes: [FlushMode] = [.noFlush]) throws -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        var i = 0
        while offset < input.count {
            let end = min(offset + sizes[i % sizes.count], input.count)
            out += try deflater.compress(Array(input[offset..<end]))
            out += try deflater.flush(flushes[i % flushes.count])
            offset = end
            i += 1
        }
        return out + (try deflater.flush(.finish))
    }

    @Test(arguments: [Int32(15), -15, 31, 9])
    func deflaterOddChunksAndFlushModes(wbits: Int32) throws {
        let input = Array(Samples.text100K.prefix(60_000))
        let modes: [FlushMode] = [.noFlush, .syncFlush, .fullFlush, .partialFlush, .block, .noFlush]
        let packed = try deflateInPieces(
            Deflater(level: 6, wbits: wbits), input, sizes: [1, 7, 4093, 10_000, 333], flushes: modes)
        #expect(try decompress(packed, wbits: wbits) == input)
        // Without flushes the stream is byte-identical to one-shot compress.
        let plain = try deflateInPieces(Deflater(level: 6, wbits: wbits), input, sizes: [1, 7, 4093, 10_000, 333])
        #expect(plain == (try compress(input, level: 6, wbits: wbits)))
    }

    /// `engine: .fast` at level 1 streams with ISA-L: odd pieces and every flush mode give
    /// a stream zlib decodes; a copy made mid-stream continues the original's output.
    @Test(arguments: [Int32(15), -15, 31])
    func fastDeflaterStreamsAndCopies(wbits: Int32) throws {
        let input = Array(Samples.text100K.prefix(60_000))
        let modes: [FlushMode] = [.noFlush, .syncFlush, .fullFlush, .partialFlush, .block, .noFlush]
        let fast = try Deflater(level: 1, wbits: wbits, engine: .fast)
        #expect(fast.isFast)
        let packed = try deflateInPieces(fast, input, sizes: [1, 7, 4093, 10_000, 333], flushes: modes)
        #expect(try decompress(packed, wbits: wbits) == input)
        #expect(!fast.isActive)

        let original = try Deflater(level: 1, wbits: wbits, engine: .fast)
        let prefix = try original.compress(Array(input.prefix(30_000)))
        let copy = try original.copy()
        let rest = Array(input.dropFirst(30_000))
        #expect(try decompress(prefix + original.compress(rest) + original.flush(), wbits: wbits) == input)
        #expect(try decompress(prefix + copy.compress(rest) + copy.flush(), wbits: wbits) == input)
        // Elsewhere zlib streams, byte-identical.
        #expect(try !Deflater(level: 6, engine: .fast).isFast)
        #expect(try !Deflater(level: 1, wbits: 14, engine: .fast).isFast)
        #expect(try !Deflater(level: 1, zdict: [1, 2, 3], engine: .fast).isFast)
    }

    /// A fast stream interrupted mid-call (its progress callback throws after ISA-L took
    /// input) cannot be completed correctly: it ends, and later calls raise zlib's
    /// "inconsistent stream state" instead of writing a corrupt stream.
    /// Both engines: zlib's output of the interrupted call is dropped as well.
    @Test(arguments: [CompressionEngine.fast, .zlib])
    func deflaterEndsAfterAnInterruptedCall(engine: CompressionEngine) throws {
        struct Interrupted: Error {}
        let input = Array(repeating: Samples.text100K, count: 8).flatMap { $0 }
        let deflater = try Deflater(level: 1, engine: engine)
        #expect(throws: Interrupted.self) { try deflater.compress(input, progress: { throw Interrupted() }) }
        #expect(!deflater.isActive)
        #expect(throws: ZlibError.self) { try deflater.compress(Array("more".utf8)) }
        #expect(throws: ZlibError.self) { try deflater.flush() }
        #expect(throws: ZlibError.self) { try deflater.copy() }
    }

    /// Decompressors likewise: a call interrupted mid-way consumed input whose output is
    /// dropped, so the stream ends and later calls raise instead of returning data with a
    /// hole in it.
    @Test func decompressorsEndAfterAnInterruptedCall() throws {
        struct Interrupted: Error {}
        let input = Array(repeating: Samples.text100K, count: 8).flatMap { $0 }
        let packed = try compress(input)
        let inflater = try Inflater()
        #expect(throws: Interrupted.self) { try inflater.decompress(packed, progress: { throw Interrupted() }) }
        #expect(zlibErrorMessage { _ = try inflater.decompress([1]) }
            == "Error -2 while decompressing data: inconsistent stream state")
        #expect(zlibErrorMessage { _ = try inflater.flush() } == "Error -2 while flushing: inconsistent stream state")

        // Interrupted in flush (which decompresses what max_length left).
        let flushed = try Inflater()
        #expect(try flushed.decompress(packed, maxLength: 10).count == 10)
        #expect(throws: Interrupted.self) { try flushed.flush(progress: { throw Interrupted() }) }
        #expect(zlibErrorMessage { _ = try flushed.flush() } == "Error -2 while flushing: inconsistent stream state")

        let buffered = try BufferedInflater()
        #expect(throws: Interrupted.self) {
            try packed.withUnsafeBytes { _ = try buffered.decompress($0, progress: { throw Interrupted() }) }
        }
        #expect(zlibErrorMessage { _ = try [UInt8(1)].withUnsafeBytes { try buffered.decompress($0) } }
            == "Error -2 while decompressing data: inconsistent stream state")

        // Not interrupted: the same calls decompress everything.
        let whole = try Inflater()
        #expect(try whole.decompress(packed, progress: {}) + whole.flush() == input)
    }

    /// zlib's own errors leave the stream usable, as in CPython (`flush(6)` raises, then
    /// compressing goes on).
    @Test func zlibDeflaterSurvivesABadFlushMode() throws {
        let deflater = try Deflater(level: 6)
        let input = Array(Samples.text100K)
        var packed = try deflater.compress(Array(input.prefix(50_000)))
        #expect(throws: ZlibError.self) { try deflater.flush(.trees) }
        #expect(deflater.isActive)
        packed += try deflater.compress(Array(input.dropFirst(50_000))) + deflater.flush()
        #expect(try decompress(packed) == input)
    }

    @Test func deflaterParameters() throws {
        let input = Array(Samples.text100K.prefix(20_000))
        for strategy: Int32 in 0...4 {
            for memLevel: Int32 in [1, 8, 9] {
                let d = try Deflater(level: 5, wbits: 14, memLevel: memLevel, strategy: strategy)
                let packed = try d.compress(input) + d.flush()
                #expect(try decompress(packed) == input)
            }
        }
    }

    @Test(arguments: [Int32(15), -15, 31, 47])
    func inflaterOddChunks(wbits: Int32) throws {
        let input = Samples.text100K
        let packed = try compress(input, wbits: wbits == 47 ? 31 : wbits)
        let inflater = try Inflater(wbits: wbits)
        var out: [UInt8] = []
        var offset = 0
        var sizes = [1, 2, 3, 5, 8, 13, 1021, 4099]
        while offset < packed.count {
            let size = sizes.removeFirst()
            sizes.append(size)
            let end = min(offset + size, packed.count)
            out += try inflater.decompress(Array(packed[offset..<end]))
            offset = end
        }
        #expect(inflater.eof)
        out += try inflater.flush()
        #expect(out == input)
        #expect(inflater.unusedData.isEmpty)
        #expect(inflater.unconsumedTail.isEmpty)
    }

    @Test func unusedDataAfterEndOfStream() throws {
        let packed = try compress(Array("hello world".utf8))
        let inflater = try Inflater()
        #expect(try inflater.decompress(packed + Array("abc".utf8)) == Array("hello world".utf8))
        #expect(inflater.eof)
        #expect(inflater.unusedData == Array("abc".utf8))
        // More input after the end accumulates in unused_data, as in CPython.
        #expect(try inflater.decompress(Array("de".utf8)) == [])
        #expect(inflater.unusedData == Array("abcde".utf8))
        #expect(try inflater.flush() == [])
        // After flush freed the stream, decompressing fails like CPython's object does.
        #expect(zlibErrorMessage { _ = try inflater.decompress([1]) }
            == "Error -2 while decompressing data: inconsistent stream state")
        #expect(zlibErrorMessage { _ = try inflater.copy() } == "Inconsistent stream state")
    }

    @Test func maxLength() throws {
        let input = Samples.text100K
        let packed = try compress(input)
        let inflater = try Inflater()
        var out = try inflater.decompress(packed, maxLength: 100)
        #expect(out == Array(input.prefix(100)))
        #expect(!inflater.unconsumedTail.isEmpty)
        #expect(!inflater.eof)
        var rounds = 0
        while !inflater.unconsumedTail.isEmpty {
            let piece = try inflater.decompress(inflater.unconsumedTail, maxLength: 7777)
            #expect(piece.count <= 7777)
            out += piece
            rounds += 1
        }
        out += try inflater.flush()
        #expect(out == input)
        #expect(rounds > 5)
        #expect(inflater.eof)
        #expect(zlibErrorMessage { _ = try inflater.decompress([1], maxLength: -1) }
            == "max_length must be non-negative")
        #expect(zlibErrorMessage { _ = try inflater.flush(length: 0) } == "length must be greater than zero")
    }

    @Test func unconsumedTailQuirkMatchesCPython() throws {
        // CPython 3.11: when a call that starts with a non-empty unconsumed_tail reaches the
        // end of the stream with input left over, that input goes to unused_data AND
        // unconsumed_tail (save_unconsumed_input slices from next_in in both places).
        let packed = try compress(Array([[UInt8]](repeating: Array("hello world".utf8), count: 1000).joined()))
        let inflater = try Inflater()
        #expect(try inflater.decompress(packed, maxLength: 100).count == 100)
        #expect(!inflater.unconsumedTail.isEmpty)
        let rest = try inflater.decompress(inflater.unconsumedTail + Array("XYZ".utf8))
        #expect(rest.count == 10_900)
        #expect(inflater.eof)
        #expect(inflater.unusedData == Array("XYZ".utf8))
        #expect(inflater.unconsumedTail == Array("XYZ".utf8))
    }

    @Test func flushUsesUnconsumedTail() throws {
        let input = Samples.text100K
        let packed = try compress(input)
        let inflater = try Inflater()
        let head = try inflater.decompress(packed, maxLength: 1000)
        #expect(head.count == 1000)
        let rest = try inflater.flush(length: 1)
        #expect(head + rest == input)
        #expect(inflater.eof)
        #expect(inflater.unconsumedTail.isEmpty)
    }

    @Test func zdictRejectedForGzip() {
        // zlib refuses a dictionary with the gzip wrapper; CPython reports it this way.
        #expect(zlibErrorMessage { _ = try Deflater(wbits: 31, zdict: [1, 2, 3]) } == "Invalid dictionary")
    }

    @Test(arguments: [Int32(15), -15, 12])
    func zdictRoundTrip(wbits: Int32) throws {
        let dictionary = Array(Samples.text100K.prefix(2000))
        let input = Array(Samples.text100K[5000..<9000])
        let d = try Deflater(wbits: wbits, zdict: dictionary)
        let packed = try d.compress(input) + d.flush()
        let plainSize = try compress(input, wbits: wbits).count
        #expect(packed.count < plainSize)
        let i = try Inflater(wbits: wbits, zdict: dictionary)
        #expect(try i.decompress(packed) + i.flush() == input)
        if wbits == 15 {
            // In odd pieces, so Z_NEED_DICT arrives mid-call.
            let j = try Inflater(wbits: wbits, zdict: dictionary)
            var out: [UInt8] = []
            for start in stride(from: 0, to: packed.count, by: 3) {
                out += try j.decompress(Array(packed[start..<min(start + 3, packed.count)]))
            }
            #expect(out == input)
            // A wrong dictionary fails the Adler-32 check of DICTID.
            let wrong = try Inflater(wbits: wbits, zdict: Array("nope".utf8))
            #expect(zlibErrorMessage { _ = try wrong.decompress(packed) }
                == "Error -3 while setting zdict: invalid input data")
            // Without a dictionary the object stops and reports Z_NEED_DICT.
            let none = try Inflater(wbits: wbits)
            #expect(zlibErrorMessage { _ = try none.decompress(packed) } == "Error 2 while decompressing data")
        }
    }

    @Test func deflaterCopyMidStream() throws {
        let a = Array(Samples.text100K.prefix(30_000))
        let b = Array(Samples.text100K[30_000..<50_000])
        let c = Array(Samples.text100K[50_000..<70_000])
        let d = try Deflater(level: 6)
        let head = try d.compress(a)
        let clone = try d.copy()
        let first = head + (try d.compress(b)) + (try d.flush())
        let second = head + (try clone.compress(c)) + (try clone.flush())
        #expect(try decompress(first) == a + b)
        #expect(try decompress(second) == a + c)
        #expect(!d.isActive)
        #expect(zlibErrorMessage { _ = try d.copy() } == "Inconsistent stream state")
        #expect(zlibErrorMessage { _ = try d.compress([1]) }
            == "Error -2 while compressing data: inconsistent stream state")
        #expect(zlibErrorMessage { _ = try d.flush(.syncFlush) }
            == "Error -2 while flushing: inconsistent stream state")
        #expect(try d.flush(.noFlush) == [])
    }

    @Test func inflaterCopyMidStream() throws {
        let input = Samples.text100K
        let packed = try compress(input)
        let i = try Inflater()
        let half = packed.count / 2
        let head = try i.decompress(Array(packed[..<half]))
        let clone = try i.copy()
        let rest = Array(packed[half...])
        #expect(head + (try i.decompress(rest)) == input)
        #expect(head + (try clone.decompress(rest)) == input)
        #expect(clone.eof)
    }

    @Test func invalidOptions() throws {
        #expect(zlibErrorMessage { _ = try Deflater(level: 10) } == "Invalid initialization option")
        #expect(zlibErrorMessage { _ = try Deflater(method: 7) } == "Invalid initialization option")
        #expect(zlibErrorMessage { _ = try Deflater(wbits: 40) } == "Invalid initialization option")
        #expect(zlibErrorMessage { _ = try Deflater(memLevel: 10) } == "Invalid initialization option")
        #expect(zlibErrorMessage { _ = try Inflater(wbits: 99) } == "Invalid initialization option")
        let d = try Deflater()
        #expect(zlibErrorMessage { _ = try d.flush(FlushMode(rawValue: 99)) }
            == "Error -2 while flushing: inconsistent stream state")
    }

    @Test func concurrentUseIsSerialised() async throws {
        // Raw, so not even a header is written before flush.
        let deflater = try Deflater(wbits: -15)
        let piece = Array(Samples.text100K.prefix(1000))
        // Many tasks hammer one object; the internal lock keeps the stream consistent.
        let outputs = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<16 {
                group.addTask { try deflater.compress(piece) }
            }
            var all: [[UInt8]] = []
            for try await out in group { all.append(out) }
            return all
        }
        // 16 000 bytes stay below deflate's 16 383-symbol block buffer, so every compress()
        // returns nothing and the completion order of the tasks does not matter: the whole
        // stream comes from flush(). A data race would corrupt it (or crash) instead.
        #expect(outputs.allSatisfy { $0.isEmpty })
        let packed = try deflater.flush()
        #expect(try decompress(packed, wbits: -15) == Array([[UInt8]](repeating: piece, count: 16).joined()))
    }
}
