import Testing
@testable import Zlib

/// Deterministic English-like text: words drawn with a skewed distribution from a fixed
/// vocabulary, with punctuation and line breaks, so it compresses about like prose.
func textLikeData(count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    let words = """
        the of and to in a is that for it as was with be by on not he i this are or his from at \
        which but have an they you were her she there been one all we their has would when if so \
        no will more can out up about into than them some could time these two may then do first \
        any my now such like our over man me even most made after also did many before must \
        through back years where much your way well down should because each just those people \
        how too little state good very make world still own see men work long get here between \
        both life being under never day same another know while last might us great old year off \
        come since against go came right used take three compression stream window dictionary \
        deflate inflate huffman symbol block thread parallel checksum interpreter module buffer
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Array($0.utf8) }
    var state = seed
    func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    var out = [UInt8]()
    out.reserveCapacity(count + 32)
    var lineLength = 0
    while out.count < count {
        // Squaring a uniform draw skews towards the frequent (early) words.
        let r = Double(next() % 10_000) / 10_000
        let word = words[Int(r * r * Double(words.count)) % words.count]
        out.append(contentsOf: word)
        lineLength += word.count + 1
        let p = next() % 100
        if p < 6 { out.append(UInt8(ascii: ",")) } else if p < 10 { out.append(UInt8(ascii: ".")) }
        if lineLength > 72 {
            out.append(UInt8(ascii: "\n"))
            lineLength = 0
        } else {
            out.append(UInt8(ascii: " "))
        }
    }
    return Array(out.prefix(count))
}

/// Shared test inputs, generated once.
enum Samples {
    static let text4M = textLikeData(count: 4 << 20)
    static let text100K = Array(text4M.prefix(100 * 1024))
}

/// The message of a thrown ZlibError, or nil.
func zlibErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as ZlibError {
        return error.description
    } catch {
        return "unexpected \(error)"
    }
}
