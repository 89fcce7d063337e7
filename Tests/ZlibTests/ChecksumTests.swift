import Testing
@testable import Zlib

@Suite struct ChecksumTests {
    @Test func knownValues() {
        let hello = Array("hello".utf8)
        #expect(crc32(hello) == 0x3610_a686)
        #expect(adler32(hello) == 0x062c_0215)
        #expect(crc32([UInt8]()) == 0)
        #expect(adler32([UInt8]()) == 1)
        // zlib reduces the start value modulo 65521 even for no bytes, as CPython shows.
        #expect(adler32([UInt8](), initial: 0xffff_ffff) == 917_518)
        #expect(crc32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414f_a339)
        #expect(adler32(Array("Wikipedia".utf8)) == 0x11e6_0398)
        #expect(crc32(hello, initial: 0xffff_ffff) == crc32(hello, initial: UInt32.max))
    }

    @Test func incrementalAndCombine() {
        let data = Samples.text100K
        let a = Array(data.prefix(12_345)), b = Array(data.dropFirst(12_345))
        #expect(crc32(b, initial: crc32(a)) == crc32(data))
        #expect(adler32(b, initial: adler32(a)) == adler32(data))
        #expect(crc32Combine(crc32(a), crc32(b), length2: b.count) == crc32(data))
        #expect(adler32Combine(adler32(a), adler32(b), length2: b.count) == adler32(data))
        #expect(crc32Combine(crc32(a), 0, length2: 0) == crc32(a))
        #expect(adler32Combine(adler32(a), 1, length2: 0) == adler32(a))
    }
}
