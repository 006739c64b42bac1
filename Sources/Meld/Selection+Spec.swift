extension Selection {
    /// Parses a region spec as the command line writes it:
    ///
    /// - `rect:x,y,w,h` — a rectangle
    /// - `ellipse:cx,cy,rx,ry` — an ellipse (centre and radii)
    /// - `polygon:x1,y1,x2,y2,x3,y3,…` — a polygon
    /// - `mask:path.png` — coverage from an image file
    /// - `color:#RRGGBB~tolerance` or `color:NAME~tolerance[~fuzziness]` — a colour range (ΔE;
    ///   fuzziness defaults to half the tolerance)
    /// - `wand:x,y~tolerance` — a magic wand from a point
    /// - `box:x,y,w,h` — the object inside a rectangle (GrabCut)
    /// - `subject`, `all`
    ///
    /// - Throws: `.invalidArgument` with a message naming the spec and what is wrong.
    public init(spec: String, operation: String = "select") throws(MeldError) {
        func fail(_ why: String) -> MeldError {
            MeldError(.invalidArgument, operation: operation,
                      "region: '\(spec)' \(why); use rect:x,y,w,h, ellipse:cx,cy,rx,ry, polygon:x,y,…, mask:path, color:#RRGGBB~tolerance, wand:x,y~tolerance, box:x,y,w,h or subject")
        }
        func numbers(_ text: Substring, count: Int?) throws(MeldError) -> [Double] {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            var values: [Double] = []
            for p in parts {
                guard let v = Double(p.trimmingSpaces), v.isFinite else { throw fail("has '\(p)' where a number belongs") }
                values.append(v)
            }
            if let count, values.count != count { throw fail("needs \(count) numbers (got \(values.count))") }
            return values
        }
        let lower = spec.lowercased()
        if lower == "subject" { self = .subject; return }
        if lower == "all" { self = .all; return }
        guard let colon = spec.firstIndex(of: ":") else { throw fail("is not a region spec") }
        let kind = spec[..<colon].lowercased(), body = spec[spec.index(after: colon)...]
        switch kind {
        case "rect", "rectangle":
            let v = try numbers(body, count: 4)
            guard v.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else { throw fail("takes whole pixels") }
            self = .rectangle(Rect(x: Int(v[0]), y: Int(v[1]), width: Int(v[2]), height: Int(v[3])))
            if v[2] <= 0 || v[3] <= 0 { throw fail("needs a positive width and height") }
        case "ellipse":
            let v = try numbers(body, count: 4)
            self = .ellipse(centerX: v[0], centerY: v[1], radiusX: v[2], radiusY: v[3])
        case "polygon", "poly":
            let v = try numbers(body, count: nil)
            guard v.count >= 6, v.count % 2 == 0 else { throw fail("needs at least three x,y pairs") }
            self = .polygon(stride(from: 0, to: v.count, by: 2).map { Point(x: v[$0], y: v[$0 + 1]) })
        case "box", "object":
            let v = try numbers(body, count: 4)
            guard v.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else { throw fail("takes whole pixels") }
            if v[2] <= 0 || v[3] <= 0 { throw fail("needs a positive width and height") }
            self = .object(in: Rect(x: Int(v[0]), y: Int(v[1]), width: Int(v[2]), height: Int(v[3])))
        case "mask":
            guard !body.isEmpty else { throw fail("needs a path after mask:") }
            self = .mask(path: String(body))
        case "color", "colour":
            let parts = body.split(separator: "~", omittingEmptySubsequences: false)
            guard parts.count >= 1, parts.count <= 3 else { throw fail("takes color:COLOUR~tolerance[~fuzziness]") }
            guard let colour = RGBA(String(parts[0])) else {
                throw MeldError(.invalidArgument, operation: operation, "region: unknown colour '\(parts[0])' in '\(spec)'; use #RRGGBB or a CSS colour name")
            }
            let tolerance = parts.count > 1 ? try numbers(parts[1], count: 1)[0] : 10
            let fuzziness = parts.count > 2 ? try numbers(parts[2], count: 1)[0] : tolerance / 2
            self = .colourRange(colour, tolerance: tolerance, fuzziness: fuzziness)
        case "wand":
            let parts = body.split(separator: "~", omittingEmptySubsequences: false)
            guard parts.count == 1 || parts.count == 2 else { throw fail("takes wand:x,y~tolerance") }
            let p = try numbers(parts[0], count: 2)
            guard p.allSatisfy({ $0 == $0.rounded() && abs($0) < 1e9 }) else { throw fail("takes a whole-pixel point") }
            let tolerance = parts.count > 1 ? try numbers(parts[1], count: 1)[0] : 10
            self = .magicWand(x: Int(p[0]), y: Int(p[1]), tolerance: tolerance)
        default:
            throw fail("has an unknown kind '\(kind)'")
        }
        try validate(operation: operation)
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
