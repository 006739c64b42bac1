import MeldCore

/// "One look for a set": before anything is harmonized or blended, every image layer of a
/// ``Compose`` (and, if asked, the canvas photo) is restyled to one common look with
/// ``ColourTransfer/harmonizeSet(_:to:using:schedule:)``: the look of a reference image, or,
/// with no reference, the pooled look of the set itself (each input moves toward the average).
///
/// This is what a catalogue wants when products shot under different light share one page:
/// the set first agrees with itself, then per-layer ``LayerHarmonize`` (if any) fits each
/// layer to the spot it lands on. Masks and text layers are left alone. A layer used twice is
/// restyled once.
///
/// In recipes: `look: reference.jpg` or
/// `look: {reference: reference.jpg, method: reinhard|ot, strength: 0.8, canvas: true}`
/// (`reference` may be omitted for the pooled look; paths resolve like layer images, and may
/// name a session input).
public struct ComposeLook: Sendable, Hashable, Codable {
    /// The image whose look the set takes (a path or an input name); nil: the set's pooled look.
    public var reference: String?
    /// The colour transfer: method and strength (default Reinhard, strength 0.8: a whole set
    /// pulled fully onto one photo's statistics tends to look forced).
    public var transfer: ColourTransfer
    /// Whether the canvas photo is restyled with the layers (default false: the scene sets the
    /// look the products join only when it is the reference).
    public var canvas: Bool

    /// A look; see each property for its default.
    public init(reference: String? = nil, transfer: ColourTransfer = ColourTransfer(strength: 0.8), canvas: Bool = false) {
        self.reference = reference; self.transfer = transfer; self.canvas = canvas
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case reference, method, strength, canvas }

    /// Decodes a reference path, or `{"reference": ..., "method": ..., "strength": ..., "canvas": ...}`.
    public init(from decoder: any Decoder) throws {
        if let c = try? decoder.singleValueContainer(), let path = try? c.decode(String.self) {
            self.init(reference: path)
            return
        }
        try rejectUnknownKeys(decoder, CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var transfer = ColourTransfer(strength: 0.8)
        if let name = try c.decodeIfPresent(String.self, forKey: .method) {
            guard let method = ColourTransfer.Method(rawValue: name) else {
                throw DecodingError.dataCorruptedError(forKey: .method, in: c, debugDescription:
                    "unknown look method '\(name)' (expected one of \(ColourTransfer.Method.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            transfer.method = method
        }
        transfer.strength = try c.decodeIfPresent(Double.self, forKey: .strength) ?? transfer.strength
        self.init(reference: try c.decodeIfPresent(String.self, forKey: .reference), transfer: transfer,
                  canvas: try c.decodeIfPresent(Bool.self, forKey: .canvas) ?? false)
    }

    /// Encodes as an object.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(reference, forKey: .reference)
        try c.encode(transfer.method.rawValue, forKey: .method)
        try c.encode(transfer.strength, forKey: .strength)
        try c.encode(canvas, forKey: .canvas)
    }

    /// Checks the transfer's fields and the reference path.
    public func validate() throws(MeldError) {
        do { try transfer.validate() } catch {
            throw MeldError(error.kind, operation: "compose", "look: \(error.message)", detail: error.detail)
        }
        if let reference, reference.isEmpty { throw MeldError(.invalidArgument, operation: "compose", "look: the reference path is empty") }
    }
}

extension Compose {
    /// The restyled images for a composition with a ``look``: image-layer sources (and the
    /// canvas photo when the look includes it) mapped to their restyled versions.
    ///
    /// - Parameters:
    ///   - canvasImage: the canvas photo, if the canvas is one.
    ///   - resolve: loads a layer source, a mask or the reference.
    func restyledForLook(canvasImage: Image?,
                         resolve: (String, String) throws(MeldError) -> Image) throws(MeldError) -> (layers: [String: Image], canvas: Image?) {
        guard let look else { return ([:], canvasImage) }
        var sources: [String] = []
        var images: [Image] = []
        for (i, layer) in layers.enumerated() {
            guard case .image(let source) = layer.content, !sources.contains(source) else { continue }
            sources.append(source)
            images.append(try resolve(source, "\(Self.label(layer, i)): image"))
        }
        let withCanvas = look.canvas && canvasImage != nil
        if withCanvas, let canvasImage { images.append(canvasImage) }
        guard !images.isEmpty else { return ([:], canvasImage) }
        let reference = try look.reference.map { (path: String) throws(MeldError) -> Image in try resolve(path, "look: reference") }
        let restyled = try ColourTransfer.harmonizeSet(images, to: reference, using: look.transfer)
        var byName: [String: Image] = [:]
        for (i, source) in sources.enumerated() { byName[source] = restyled[i] }
        return (byName, withCanvas ? restyled[restyled.count - 1] : canvasImage)
    }
}
