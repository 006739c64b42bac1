/// Fast conversions between linear light and encoded sRGB for kernels that must work on
/// encoded values (LUTs): piecewise-linear tables over 0…1 with 4096 segments.
///
/// Error against the exact transfer function (``SRGBTransfer``): encode ≤ 2e-5 (0.005 of an
/// 8-bit code; the largest error sits just above the curve's linear toe), decode ≤ 1e-6.
/// Values outside 0…1 take the exact function (a `powf`, ~20× slower).
public enum EncodedSRGB {
    static let segments = 4096
    static let encodeTable: [Float] = (0...segments).map { SRGBTransfer.encode(Float($0) / Float(segments)) }
    static let decodeTable: [Float] = (0...segments).map { SRGBTransfer.decode(Float($0) / Float(segments)) }

    /// Linear → encoded sRGB.
    @inlinable @inline(__always)
    public static func encode(_ l: Float, _ table: UnsafePointer<Float>) -> Float {
        guard l >= 0 && l <= 1 else { return SRGBTransfer.encode(l) }
        let x = l * 4096
        let i = min(Int(x), 4095)   // 1.0 (white, common) stays on the table
        let f = x - Float(i)
        return table[i] + f * (table[i + 1] - table[i])
    }

    /// Encoded sRGB → linear.
    @inlinable @inline(__always)
    public static func decode(_ v: Float, _ table: UnsafePointer<Float>) -> Float {
        guard v >= 0 && v <= 1 else { return SRGBTransfer.decode(v) }
        let x = v * 4096
        let i = min(Int(x), 4095)
        let f = x - Float(i)
        return table[i] + f * (table[i + 1] - table[i])
    }

    /// Calls `body` with the encode and decode tables.
    public static func withTables<R>(_ body: (_ encode: UnsafePointer<Float>, _ decode: UnsafePointer<Float>) -> R) -> R {
        encodeTable.withUnsafeBufferPointer { e in
            decodeTable.withUnsafeBufferPointer { d in body(e.baseAddress!, d.baseAddress!) }
        }
    }
}

/// Carries read-only pointers into `@Sendable` tile closures (the memory outlives the call).
struct SendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafePointer<T>
    init(_ pointer: UnsafePointer<T>) { self.pointer = pointer }
}
