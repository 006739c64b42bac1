import MeldCore
import MeldTestSupport
import Testing

@Suite("Cube files")
struct CubeFileTests {
    static let small = """
    # A 2x2x2 cube from a grading tool
    TITLE "Warm look"
    LUT_3D_SIZE 2\r
    DOMAIN_MIN 0.0 0.0 0.0
    DOMAIN_MAX 1.0 1.0 1.0

    0 0 0
    1.0 0 0   # red
    0 1 0
    1 1 0
    0 0 1
    1 0 1
    0 1 1
    1e0 1 1
    """

    @Test("a well-formed file with comments, CRLF, title and domain")
    func parsesGoodFile() throws {
        let lut = try ColourLUT(cubeText: Self.small)
        #expect(lut.dimension == .threeD && lut.size == 2 && lut.title == "Warm look")
        #expect(lut.table.count == 24 && lut.table[3] == 1 && lut.table[21] == 1)
        let v = lut.evaluate(0.25, 0.5, 0.75)
        #expect(abs(v.0 - 0.25) < 1e-6 && abs(v.1 - 0.5) < 1e-6 && abs(v.2 - 0.75) < 1e-6)
    }

    @Test("1D tables and Resolve's input range")
    func parses1D() throws {
        let lut = try ColourLUT(cubeText: "LUT_1D_SIZE 3\nLUT_1D_INPUT_RANGE 0 2\n0 0 0\n0.25 0.5 1\n1 1 1\n")
        #expect(lut.dimension == .oneD && lut.size == 3 && lut.domainMax == [2, 2, 2])
        let v = lut.evaluate(1, 1, 0.5)
        #expect(v.0 == 0.25 && v.1 == 0.5 && abs(v.2 - 0.5) < 1e-6)
    }

    @Test("writing then reading is lossless", arguments: [ColourLUT.Dimension.threeD, .oneD])
    func roundTrip(dimension: ColourLUT.Dimension) throws {
        let lut = try randomLUT(size: dimension == .threeD ? 7 : 40, dimension: dimension, seed: 99)
        let titled = try ColourLUT(dimension: lut.dimension, size: lut.size, table: lut.table, domainMin: [0, -0.5, 0], domainMax: [1, 1.5, 2], title: "Round trip")
        let back = try ColourLUT(cubeText: titled.cubeText())
        #expect(back == titled)
    }

    /// (file text, expected kind, words the message must contain).
    static let malformed: [(String, MeldError.Kind, String)] = [
        ("LUT_3D_SIZE 2\n0 0 0\n1 0 0\n", .corruptImage, "line 3: the table ends after 2 of the 8 lines"),
        ("LUT_3D_SIZE 2\n" + String(repeating: "0 0 0\n", count: 9), .corruptImage, "line 10: more table lines than the 8"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 0\n", .corruptImage, "line 3: expected 3 numbers, found 2"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 0 0 0\n", .corruptImage, "line 3: expected 3 numbers, found 4"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 x 0\n", .corruptImage, "line 3: 'x' is not a number"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 nan 0\n", .corruptImage, "line 3: 'nan' is not a number"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 1e99 0\n", .corruptImage, "line 3: '1e99' is not a finite number"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 0x1p2 0\n", .corruptImage, "line 3: '0x1p2' is not a number"),
        ("LUT_3D_SIZE 300\n", .tooLarge, "line 1: LUT_3D_SIZE 300 is too large (at most 256)"),
        ("LUT_1D_SIZE 70000\n", .tooLarge, "line 1: LUT_1D_SIZE 70000 is too large"),
        ("LUT_3D_SIZE 1\n", .corruptImage, "line 1: LUT_3D_SIZE 1 is too small"),
        ("LUT_3D_SIZE two\n", .corruptImage, "line 1: LUT_3D_SIZE 'two' is not a whole number"),
        ("LUT_3D_SIZE 2\nLUT_3D_SIZE 2\n", .corruptImage, "line 2: LUT_3D_SIZE given twice"),
        ("# nothing\n0 0 0\n", .corruptImage, "line 2: table data before LUT_3D_SIZE"),
        ("", .corruptImage, "no LUT_3D_SIZE or LUT_1D_SIZE"),
        ("LUT_3D_SIZE 2\n", .corruptImage, "the table is missing"),
        ("LUT_3D_SIZE 2\nDOMAIN_MIN 0 0\n", .corruptImage, "line 2: DOMAIN_MIN takes three numbers"),
        ("LUT_3D_SIZE 2\nDOMAIN_MIN 1 0 0\nDOMAIN_MAX 1 1 1\n0 0 0\n", .corruptImage, "line 4: DOMAIN_MIN 1.0 is not below DOMAIN_MAX 1.0"),
        ("LUT_3D_SIZE 2\n0 0 0\nTITLE \"late\"\n", .corruptImage, "line 3: keyword TITLE after the table started"),
        ("LUT_1D_SIZE 2\nLUT_3D_SIZE 2\n0 0 0\n", .unsupportedFeature, "both a 1D and a 3D table"),
        ("lut_3d_size 2\n", .corruptImage, "line 1: 'lut_3d_size' is neither a keyword nor a number"),
    ]

    @Test("malformed files give a MeldError naming the line", arguments: 0..<malformed.count)
    func malformedFiles(index: Int) {
        let (text, kind, words) = Self.malformed[index]
        do {
            _ = try ColourLUT(cubeText: text, name: "bad.cube")
            Issue.record("case \(index) parsed")
        } catch {
            #expect(error.kind == kind, "case \(index): \(error)")
            #expect(error.description.contains(words), "case \(index): \(error)")
            #expect(error.description.hasPrefix("cube: bad.cube"), "case \(index): \(error)")
        }
    }

    @Test("non-UTF-8 bytes are refused")
    func notText() {
        #expect(throws: MeldError.self) { try ColourLUT(cubeData: [0x4C, 0xFF, 0xFE, 0x00, 0x0A], name: "x") }
    }

    /// Mutates a valid file in many ways (byte flips, deletions, insertions of syntax-laden
    /// bytes, duplicated and dropped lines, huge sizes) and parses each result: it must either
    /// parse to a well-formed table or throw a MeldError whose message names the file.
    @Test("fuzz: 3000 mutated files never crash and fail only with a MeldError")
    func fuzz() throws {
        let seedLUT = try ColourLUT(size: 3, title: "fuzz", sampling: testGrade)
        let base = Array(seedLUT.cubeText().utf8) + Array(Self.small.utf8.prefix(40))
        var rng = SplitMix64(seed: 20261125)
        let alphabet = Array("0123456789 .-+eE#\n\r\t\"xnaNif_LUT3D_SIZEDOMAIN_MAX".utf8) + [0x00, 0xFF, 0xC3]
        var parsed = 0, failed = 0
        for _ in 0..<3000 {
            var bytes = base
            for _ in 0..<(1 + rng.nextInt(in: 0...6)) {
                guard !bytes.isEmpty else { break }
                let at = rng.nextInt(in: 0...(bytes.count - 1))
                switch rng.nextInt(in: 0...6) {
                case 0: bytes[at] = alphabet[rng.nextInt(in: 0...(alphabet.count - 1))]
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(alphabet[rng.nextInt(in: 0...(alphabet.count - 1))], at: at)
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + rng.nextInt(in: 1...200)))
                case 4:
                    let end = min(bytes.count, at + rng.nextInt(in: 1...60))
                    bytes.insert(contentsOf: bytes[at..<end], at: at)
                case 5: bytes = Array("LUT_3D_SIZE \(rng.nextInt(in: -3...100000))\n".utf8) + bytes
                default: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            do {
                let lut = try ColourLUT(cubeData: bytes, name: "fuzz.cube")
                #expect(lut.table.allSatisfy { $0.isFinite })
                parsed += 1
            } catch {
                #expect(error.description.contains("fuzz.cube"), "\(error)")
                failed += 1
            }
        }
        #expect(failed > 1000, "parsed \(parsed), failed \(failed)")
    }
}
