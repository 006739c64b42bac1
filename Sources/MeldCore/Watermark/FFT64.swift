#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 64 × 64 complex FFT (iterative radix-2, rows then columns), enough for correlating a
/// folded watermark tile with its synchronisation template. Cost: ~0.1 ms per transform.
public struct FFT64: Sendable {
    /// The transform side.
    public static let size = 64
    let cosines: [Float]
    let sines: [Float]
    let reversed: [Int]

    /// Precomputes twiddles and the bit-reversal permutation.
    public init() {
        let n = Self.size
        cosines = (0..<n / 2).map { Float(cos(-2 * Double.pi * Double($0) / Double(n))) }
        sines = (0..<n / 2).map { Float(sin(-2 * Double.pi * Double($0) / Double(n))) }
        reversed = (0..<n).map { i in
            var r = 0, v = i
            for _ in 0..<6 { r = r << 1 | (v & 1); v >>= 1 }
            return r
        }
    }

    /// Transforms 64 values with stride `stride` in place (`inverse` conjugates the twiddles;
    /// no 1/n scaling).
    func transform1D(_ re: UnsafeMutablePointer<Float>, _ im: UnsafeMutablePointer<Float>, stride: Int, inverse: Bool) {
        let n = Self.size
        for i in 0..<n {
            let j = reversed[i]
            if j > i {
                swap(&re[i * stride], &re[j * stride])
                swap(&im[i * stride], &im[j * stride])
            }
        }
        var len = 2
        while len <= n {
            let half = len / 2, step = n / len
            var start = 0
            while start < n {
                for k in 0..<half {
                    let wr = cosines[k * step], wi = inverse ? -sines[k * step] : sines[k * step]
                    let a = (start + k) * stride, b = (start + k + half) * stride
                    let xr = re[b] * wr - im[b] * wi
                    let xi = re[b] * wi + im[b] * wr
                    re[b] = re[a] - xr; im[b] = im[a] - xi
                    re[a] += xr; im[a] += xi
                }
                start += len
            }
            len <<= 1
        }
    }

    /// The 2D transform of a 64 × 64 row-major grid, in place.
    public func transform(re: inout [Float], im: inout [Float], inverse: Bool = false) {
        precondition(re.count == 4096 && im.count == 4096)
        re.withUnsafeMutableBufferPointer { r in
            im.withUnsafeMutableBufferPointer { i in
                let rp = r.baseAddress!, ip = i.baseAddress!
                for row in 0..<64 { transform1D(rp + row * 64, ip + row * 64, stride: 1, inverse: inverse) }
                for col in 0..<64 { transform1D(rp + col, ip + col, stride: 64, inverse: inverse) }
            }
        }
    }

    /// Circular cross-correlation `C(s) = Σ_b a(b + s) · t(b)` of two real 64 × 64 grids, given
    /// the template's transform (``transform(re:im:inverse:)`` of `t`).
    public func correlate(_ a: [Float], templateRe: [Float], templateIm: [Float]) -> [Float] {
        var re = a, im = [Float](repeating: 0, count: 4096)
        transform(re: &re, im: &im)
        for k in 0..<4096 {
            // A · conj(T)
            let r = re[k] * templateRe[k] + im[k] * templateIm[k]
            let i = im[k] * templateRe[k] - re[k] * templateIm[k]
            re[k] = r; im[k] = i
        }
        transform(re: &re, im: &im, inverse: true)
        return re.map { $0 / 4096 }
    }
}
