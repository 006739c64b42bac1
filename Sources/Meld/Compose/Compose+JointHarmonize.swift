import Foundation
import MeldCore
import MeldVips

extension Compose {
    /// The layers harmonized jointly (their setting has ``LayerHarmonize/joint``), by index.
    var jointMembers: [Int] { layers.indices.filter { setting(for: layers[$0])?.joint == true } }

    /// Solves the joint harmonization: every member placed without harmonization (`place`),
    /// measured against the canvas and each other where their visible parts meet (bands of
    /// ``JointHarmonizer/defaultBandFraction`` of the canvas's longer side, at least 2 pixels;
    /// sampled on a grid of at most ~1 MP), one robust least-squares solve, each correction
    /// damped by its plausibility. Returns each member's colour correction by layer index.
    func jointMatches(canvas: Compositor.Canvas, canvasWidth cw: Int, canvasHeight ch: Int,
                      place: (Int) throws(MeldError) -> CompositorLayer) throws(MeldError) -> [Int: ColourMatch] {
        let members = jointMembers
        guard !members.isEmpty else { return [:] }
        let band = max(2, Int((JointHarmonizer.defaultBandFraction * Double(max(cw, ch))).rounded()))
        var placed: [CompositorLayer] = []
        var region = Rect(x: 0, y: 0, width: 0, height: 0)
        for i in members {
            let layer = try place(i)
            placed.append(layer)
            let r = Rect(x: layer.x - band, y: layer.y - band, width: layer.image.width + 2 * band, height: layer.image.height + 2 * band)
            region = region.isEmpty ? r : region.union(r)
        }
        region = region.intersection(Rect(width: cw, height: ch))
        guard !region.isEmpty else { return [:] }
        let background = try PixelBridge.raster(from: Compositor.composite(canvas: canvas, layers: [], space: space).cropped(to: region))
        guard background.layout.colourChannels == 3 else { return [:] }
        var elements: [JointHarmonizer.Element] = []
        for (i, layer) in zip(members, placed) {
            let raster: Raster
            do { raster = try PixelBridge.raster(from: layer.image.rgbForCompositing()) } catch {
                throw MeldError(error.kind, operation: "compose", "\(Self.label(layers[i], i)): \(error.message)", detail: error.detail)
            }
            elements.append(JointHarmonizer.Element(raster: raster, x: layer.x - region.x, y: layer.y - region.y))
        }
        let step = max(1, Int((Double(region.width * region.height) / 1_000_000).squareRoot().rounded(.up)))
        let edges = JointHarmonizer.measure(background: background, layers: elements, band: band, step: step)
        let corrections = JointHarmonizer.solve(edges: edges, layerCount: members.count)
        return Dictionary(uniqueKeysWithValues: zip(members, corrections.map { JointHarmonizer.match(JointHarmonizer.damped($0)) }))
    }
}
