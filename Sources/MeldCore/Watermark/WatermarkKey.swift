/// Everything a secret key decides about an invisible watermark: which cells of the 32 × 32
/// tile carry the synchronisation pattern and which carry the message, the ±1 chip of every
/// cell, the coded bit each message cell carries, the scrambling of the message bits and the
/// mask applied to the CRC.
///
/// Derivation: the key's UTF-8 bytes are hashed (FNV-1a, 64 bit, then SplitMix64 finalisation)
/// into the seed of a SplitMix64 stream; the same key gives the same layout on every platform.
/// The hash is not cryptographic: the key keeps casual readers from detecting or forging the
/// mark, it does not resist an attacker who can run the detector at will.
public struct WatermarkKey: Sendable, Hashable {
    /// Cells per tile side.
    public static let cellsPerSide = 32
    /// Cells per tile.
    public static let cellCount = 1024
    /// Cells that carry the synchronisation pattern; the rest carry the message.
    public static let syncCellCount = 384

    /// Per cell (row-major, 32 × 32): the sync chip (±1) for sync cells, 0 for message cells.
    public let syncChips: [Float]
    /// Per cell: the message chip (±1) for message cells, 0 for sync cells.
    public let messageChips: [Float]
    /// Per cell: the index of the coded bit it carries, or −1 for sync cells.
    public let codedBitIndex: [Int]
    /// Keyed scrambling of the message bits (one bit per message bit, before coding).
    public let scrambling: [UInt8]
    /// Keyed mask XORed into the CRC, so a codeword made under another key fails the check.
    public let crcMask: UInt32

    /// The layout decided by `key`.
    public init(_ key: String) {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        var rng = KeyStream(seed: h)
        var order = Array(0..<Self.cellCount)
        for i in stride(from: Self.cellCount - 1, to: 0, by: -1) {
            let j = Int(rng.next() % UInt64(i + 1))
            order.swapAt(i, j)
        }
        var sync = [Float](repeating: 0, count: Self.cellCount)
        var message = [Float](repeating: 0, count: Self.cellCount)
        var index = [Int](repeating: -1, count: Self.cellCount)
        for (rank, cell) in order.enumerated() {
            let chip: Float = rng.next() & 1 == 0 ? 1 : -1
            if rank < Self.syncCellCount {
                sync[cell] = chip
            } else {
                message[cell] = chip
                index[cell] = (rank - Self.syncCellCount) % WatermarkCode.codedBitCount
            }
        }
        syncChips = sync
        messageChips = message
        codedBitIndex = index
        scrambling = (0..<WatermarkCode.messageBitCount).map { _ in UInt8(rng.next() & 1) }
        crcMask = UInt32(truncatingIfNeeded: rng.next() >> 17)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014), the key's pseudo-random stream.
struct KeyStream {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
