import ArgumentParser
import Meld

struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Compose layers (images, cut-outs, text) onto a canvas from a JSON or YAML recipe.",
        discussion: """
        The recipe names a canvas and layers, bottom first; paths are relative to the recipe:
          {
            "canvas": {"image": "table.jpg"},
            "layers": [
              {"image": "bottle.png", "anchor": "bottom-left", "offset": [80, -40], "height": "60%"},
              {"image": "leaf.png", "width": 400, "rotate": -20, "blend": "multiply", "opacity": 0.8},
              {"text": "新品上市 New in", "font": "Noto Sans CJK SC Bold", "size": 72,
               "color": "#1d1d1f", "anchor": "top", "offset": [0, 60]}
            ]
          }
        Canvas: {"image": PATH} or {"width": W, "height": H, "color": "#RRGGBB"} or
        {"width": W, "height": H, "gradient": {"from": C, "to": C, "type": "linear|radial", "angle": DEG}}.
        Layer fields: image | text (+ font, size, color, align left|centre|right|justify, wrap,
        letter-spacing, line-spacing, markup, font-file), mask, anchor (top-left … bottom-right,
        centre), offset [x, y], rect [x, y, w, h], width, height, fit (none, contain, cover, width,
        height, fill), rotate (degrees clockwise), flip (horizontal, vertical, both), opacity,
        feather (pixels), blend (normal, multiply, screen, overlay, darken, lighten, color-dodge,
        color-burn, hard-light, soft-light, difference, exclusion, hue, saturation, color,
        luminosity, and the Porter-Duff operators clear, copy, destination, source-over,
        destination-over, source-in, destination-in, source-out, destination-out, source-atop,
        destination-atop, xor, plus-lighter, and the seamless strategies poisson, poisson-mixed,
        poisson-monochrome, multiband), harmonize (auto, reinhard, affine, white-balance,
        exposure, or {"method": M, "strength": S, "grain": B, "joint": B}: match the layer's
        colour and light to the canvas around it; also at the top level for every image layer;
        "joint": true solves all joint layers together over every boundary where they meet),
        real-size ("30cm", or {"height": L} / {"width": L}; units mm, cm, m, in, ft: the opaque
        object's real size at the scene's scale), scale-like (a layer name or number: the same
        scale as that layer). At the top level, "scale": {"pixels-per-cm": K, "horizon": ROW,
        "row": ROW} gives the scene's scale (K canvas pixels per cm at ROW, default the bottom
        edge) and, with a horizon, ground-plane perspective: a layer's scale grows with how far
        its foot is below the horizon. At the top level, "look":
        "ref.jpg" or {"reference": R, "method": "reinhard|ot", "strength": S, "canvas": true}
        restyles every image layer (and with canvas, the canvas photo) to one look first; without
        a reference, to the set's pooled look. Lengths are pixels (120) or canvas fractions ("25%").
        Compositing is in linear light unless "space": "srgb" (Photoshop's default).
        The output streams: memory does not grow with the number of layers.
        """
    )

    @Argument(help: ArgumentHelp("Recipe (.json, .yaml or .yml).", valueName: "recipe"))
    var recipe: String

    @Option(help: ArgumentHelp("Override the recipe's compositing space: linear or srgb.", valueName: "space"))
    var space: String?

    @Option(help: ArgumentHelp("Refuse canvases and inputs with more pixels than this.", valueName: "pixels"))
    var pixelLimit: Int = Meld.defaultPixelLimit

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard pixelLimit > 0 else { throw ValidationError("--pixel-limit must be positive") }
        if let space, CompositingSpace(rawValue: space) == nil {
            throw ValidationError("--space must be linear or srgb (got '\(space)')")
        }
    }

    func run() throws {
        Meld.pixelLimit = pixelLimit
        try reportingErrors("compose") { () throws(MeldError) in
            var compose = try Compose(recipeAt: recipe)
            if let space { compose.space = CompositingSpace(rawValue: space) ?? .linear }
            let folder = recipe.contains("/") ? String(recipe[..<recipe.lastIndex(of: "/")!]) : "."
            let image = try compose.render(baseDirectory: folder, streaming: true)
            try image.write(to: output.output, options: output.saveOptions)
        }
    }
}
