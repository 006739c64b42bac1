extension Selection {
    /// The spec string (`rect:10,20,300,200`, `wand:420,310~12`, …) that ``init(spec:operation:)``
    /// reads back as this selection, or nil for selections that only the structured form can
    /// write (combinations, and the grown/feathered wrappers that recipes write as fields).
    public var spec: String? {
        func n(_ d: Double) -> String { RecipeValue.numberText(d) }
        switch self {
        case .rectangle(let r): return "rect:\(r.x),\(r.y),\(r.width),\(r.height)"
        case .ellipse(let cx, let cy, let rx, let ry): return "ellipse:\(n(cx)),\(n(cy)),\(n(rx)),\(n(ry))"
        case .polygon(let points): return "polygon:" + points.map { "\(n($0.x)),\(n($0.y))" }.joined(separator: ",")
        case .mask(let path): return "mask:" + path
        case .colourRange(let c, let tolerance, let fuzziness):
            let hex = c.alpha == 1 ? String(c.description.prefix(7)) : c.description
            return "color:\(hex)~\(n(tolerance))~\(n(fuzziness))"
        case .magicWand(let x, let y, let tolerance): return "wand:\(x),\(y)~\(n(tolerance))"
        case .subject: return "subject"
        case .object(let r): return "box:\(r.x),\(r.y),\(r.width),\(r.height)"
        case .all: return "all"
        default: return nil
        }
    }

    /// The selection with every file path passed through `resolve` (mask files).
    func resolvingPaths(_ resolve: (String) -> String) -> Selection {
        switch self {
        case .mask(let path): .mask(path: resolve(path))
        case .union(let a, let b): .union(a.resolvingPaths(resolve), b.resolvingPaths(resolve))
        case .intersection(let a, let b): .intersection(a.resolvingPaths(resolve), b.resolvingPaths(resolve))
        case .subtraction(let a, let b): .subtraction(a.resolvingPaths(resolve), b.resolvingPaths(resolve))
        case .inverted(let s): .inverted(s.resolvingPaths(resolve))
        case .grown(let s, let by): .grown(s.resolvingPaths(resolve), by: by)
        case .feathered(let s, let radius): .feathered(s.resolvingPaths(resolve), radius: radius)
        default: self
        }
    }

    /// Every file path the selection reads.
    var paths: [String] {
        switch self {
        case .mask(let path): [path]
        case .union(let a, let b), .intersection(let a, let b), .subtraction(let a, let b): a.paths + b.paths
        case .inverted(let s), .grown(let s, _), .feathered(let s, _): s.paths
        default: []
        }
    }
}
