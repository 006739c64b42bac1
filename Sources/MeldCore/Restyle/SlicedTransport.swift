#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded SplitMix64 generator for the restyle kernels (k-means seeding, random rotations,
/// patch choices): the same seed gives the same numbers on every platform.
struct RestyleRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
    /// Uniform in 0..<n.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

/// Sliced optimal transport of colour distributions in CIE Lab (the iterative distribution
/// transfer of Pitié, Kokaram & Dahyot 2005/2007).
///
/// Fitting: for `iterations` rounds, pick a random orthonormal basis of Lab (seeded), project
/// the source and reference samples on each axis, and move every source sample along each
/// axis by the 1D optimal-transport (quantile-matching) map between the two projections; the
/// source sample cloud converges to the reference's distribution. Each 1D map is kept as a
/// piecewise-linear function through 65 matched quantiles (every 1/64th), which smooths it and
/// makes it cheap to evaluate; beyond the end quantiles it shifts by the end offsets.
///
/// Applying: the sequence of maps is a smooth function of colour, so it is baked into a 3D
/// LUT over encoded sRGB (``lut(size:)``) and applied tetrahedrally; pair it with
/// ``ColourTransferKernels/regrain(original:transferred:sigma:epsilon:schedule:)``.
///
/// Deterministic: the samples are fixed by the image size, the bases by the seed, and every
/// sum runs in a fixed order.
public struct SlicedTransport: Sendable, Hashable {
    /// One 1D map: an axis of Lab and matched quantiles along it.
    public struct Slice: Sendable, Hashable {
        /// Unit axis in Lab.
        public var axis: [Double]
        /// Source quantiles along the axis (strictly increasing).
        public var from: [Double]
        /// Reference quantiles matched to them.
        public var to: [Double]

        /// The displacement along the axis of a projection `v`.
        @inlinable public func shift(_ v: Double) -> Double {
            let n = from.count
            if v <= from[0] { return to[0] - from[0] }
            if v >= from[n - 1] { return to[n - 1] - from[n - 1] }
            var lo = 0, hi = n - 1
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if from[mid] <= v { lo = mid } else { hi = mid }
            }
            let t = (v - from[lo]) / (from[hi] - from[lo])
            return to[lo] + t * (to[hi] - to[lo]) - v
        }
    }

    /// Rounds of three slices each, in order.
    public var slices: [[Slice]]

    /// Quantiles per slice map.
    public static let quantiles = 64

    /// Fits the transport from `source` to `reference` samples.
    ///
    /// - Precondition: both sample sets are non-empty.
    public init(from source: LabSamples, to reference: LabSamples, iterations: Int = 12, seed: UInt64 = 0x6D65_6C64) {
        precondition(source.count > 0 && reference.count > 0, "sliced transport needs samples on both sides")
        var rng = RestyleRandom(seed: seed)
        var s = source.values.map(Double.init)
        let r = reference.values.map(Double.init)
        let n = source.count, m = reference.count
        var rounds: [[Slice]] = []
        var ps = [Double](repeating: 0, count: n), pr = [Double](repeating: 0, count: m)
        for _ in 0..<max(1, iterations) {
            let basis = SlicedTransport.randomBasis(&rng)
            var round: [Slice] = []
            var moves = [Double](repeating: 0, count: 3 * n)
            for axis in basis {
                for i in 0..<n { ps[i] = s[3 * i] * axis[0] + s[3 * i + 1] * axis[1] + s[3 * i + 2] * axis[2] }
                for i in 0..<m { pr[i] = r[3 * i] * axis[0] + r[3 * i + 1] * axis[1] + r[3 * i + 2] * axis[2] }
                let qs = SlicedTransport.quantiles(of: ps), qr = SlicedTransport.quantiles(of: pr)
                // Strictly increasing source knots (a flat stretch of the source maps to the mean of its targets).
                var from: [Double] = [], to: [Double] = []
                var k = 0
                while k < qs.count {
                    var j = k, sum = 0.0
                    while j < qs.count && qs[j] - qs[k] < 1e-6 { sum += qr[j]; j += 1 }
                    from.append(qs[k]); to.append(sum / Double(j - k))
                    k = j
                }
                if from.count == 1 { from.append(from[0] + 1); to.append(to[0] + 1) }
                let slice = Slice(axis: axis, from: from, to: to)
                for i in 0..<n {
                    let d = slice.shift(ps[i])
                    moves[3 * i] += d * axis[0]; moves[3 * i + 1] += d * axis[1]; moves[3 * i + 2] += d * axis[2]
                }
                round.append(slice)
            }
            for i in 0..<(3 * n) { s[i] += moves[i] }
            rounds.append(round)
        }
        self.slices = rounds
    }

    /// Maps one Lab colour through every round.
    public func map(_ lab: (Double, Double, Double)) -> (Double, Double, Double) {
        var (l, a, b) = lab
        for round in slices {
            var dl = 0.0, da = 0.0, db = 0.0
            for slice in round {
                let ax = slice.axis
                let d = slice.shift(l * ax[0] + a * ax[1] + b * ax[2])
                dl += d * ax[0]; da += d * ax[1]; db += d * ax[2]
            }
            l += dl; a += da; b += db
        }
        return (l, a, b)
    }

    /// The transport baked into a 3D LUT over encoded sRGB (`size` per axis, default 33):
    /// each lattice colour goes to Lab, through ``map(_:)``, and back to encoded sRGB,
    /// clamped to 0…1 (colours the reference has but sRGB cannot show are clipped).
    public func lut(size: Int = 33) -> ColourLUT {
        // Sizes are checked by the caller; 2…256 cannot fail here.
        let lut = try? ColourLUT(size: size, title: "sliced transport") { r, g, b in
            let lin = (SRGBTransfer.decode(r), SRGBTransfer.decode(g), SRGBTransfer.decode(b))
            let lab = Colour.xyzToLab(Colour.linearToXYZ(lin))
            let t = map((Double(lab.0), Double(lab.1), Double(lab.2)))
            let out = Colour.xyzToLinear(Colour.labToXYZ((Float(t.0), Float(t.1), Float(t.2))))
            func enc(_ v: Float) -> Float { v.isFinite ? min(max(SRGBTransfer.encode(v), 0), 1) : 0 }
            return (enc(out.0), enc(out.1), enc(out.2))
        }
        return lut!
    }

    /// A random orthonormal basis of R³ (Gram–Schmidt on Gaussian vectors).
    static func randomBasis(_ rng: inout RestyleRandom) -> [[Double]] {
        var basis: [[Double]] = []
        while basis.count < 3 {
            var v = [rng.normal(), rng.normal(), rng.normal()]
            for u in basis {
                let d = v[0] * u[0] + v[1] * u[1] + v[2] * u[2]
                v = [v[0] - d * u[0], v[1] - d * u[1], v[2] - d * u[2]]
            }
            let len = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).squareRoot()
            if len > 1e-3 { basis.append(v.map { $0 / len }) }
        }
        return basis
    }

    /// The 0, 1/64, …, 1 quantiles of `values` (linear between order statistics).
    static func quantiles(of values: [Double]) -> [Double] {
        let sorted = values.sorted()
        let n = sorted.count
        return (0...quantiles).map { k in
            let p = Double(k) / Double(quantiles) * Double(n - 1)
            let i = min(Int(p), n - 1), f = p - Double(i)
            return i + 1 < n ? sorted[i] + f * (sorted[i + 1] - sorted[i]) : sorted[i]
        }
    }
}
