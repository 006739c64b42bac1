import MeldCore
import Testing

@Suite("Rect")
struct RectTests {
    @Test func negativeSizesClampToEmpty() {
        let r = Rect(x: 3, y: 4, width: -5, height: 2)
        #expect(r.width == 0 && r.height == 2)
        #expect(r.isEmpty)
        #expect(r.area == 0)
        #expect(Rect(width: 5, height: 0).isEmpty)
        #expect(!Rect(width: 1, height: 1).isEmpty)
    }

    @Test func edgesAndDescription() {
        let r = Rect(x: -2, y: 5, width: 7, height: 3)
        #expect(r.maxX == 5 && r.maxY == 8 && r.area == 21)
        #expect(r.description == "7x3+-2+5")
    }

    @Test func intersectionOfOverlappingRects() {
        let a = Rect(x: 0, y: 0, width: 10, height: 8)
        let b = Rect(x: 6, y: -3, width: 10, height: 5)
        #expect(a.intersection(b) == Rect(x: 6, y: 0, width: 4, height: 2))
        #expect(b.intersection(a) == a.intersection(b))
        #expect(a.intersects(b))
        #expect(a.intersection(a) == a)
        // A rectangle fully inside another.
        let inner = Rect(x: 2, y: 3, width: 2, height: 2)
        #expect(a.intersection(inner) == inner)
    }

    @Test func intersectionOfDisjointOrTouchingRectsIsEmpty() {
        let a = Rect(x: 0, y: 0, width: 10, height: 8)
        let right = Rect(x: 10, y: 0, width: 5, height: 8)   // shares only an edge
        let below = Rect(x: 0, y: 8, width: 10, height: 1)
        let far = Rect(x: 100, y: 100, width: 3, height: 3)
        for other in [right, below, far] {
            #expect(a.intersection(other).isEmpty, "\(a) ∩ \(other)")
            #expect(!a.intersects(other), "\(a) intersects \(other)")
            #expect(!other.intersects(a))
        }
        // Empty rectangles intersect nothing, even when they lie inside.
        let emptyInside = Rect(x: 2, y: 2, width: 0, height: 4)
        #expect(!a.intersects(emptyInside))
        #expect(!emptyInside.intersects(a))
        #expect(a.intersection(emptyInside).isEmpty)
    }

    @Test func unionIsTheBoundingBoxAndIgnoresEmptyOperands() {
        let a = Rect(x: 0, y: 0, width: 4, height: 4)
        let b = Rect(x: 10, y: -2, width: 3, height: 1)
        #expect(a.union(b) == Rect(x: 0, y: -2, width: 13, height: 6))
        #expect(b.union(a) == a.union(b))
        #expect(a.union(a) == a)
        let empty = Rect(x: 100, y: 100, width: 0, height: 0)
        #expect(a.union(empty) == a)
        #expect(empty.union(a) == a)
        #expect(empty.union(Rect(x: -50, y: 0, width: 3, height: 0)).isEmpty)
    }

    @Test func outsetGrowsAndShrinks() {
        let r = Rect(x: 5, y: 6, width: 10, height: 4)
        #expect(r.outset(by: 3) == Rect(x: 2, y: 3, width: 16, height: 10))
        #expect(r.outset(by: -1) == Rect(x: 6, y: 7, width: 8, height: 2))
        #expect(r.outset(by: 0) == r)
        // Shrinking past the size leaves an empty rectangle, never a negative size.
        let gone = r.outset(by: -3)
        #expect(gone.isEmpty && gone.width == 4 && gone.height == 0)
        #expect(r.outset(by: -20).width == 0)
        #expect(r.outset(by: 2).outset(by: -2) == r)
    }

    @Test func containsRects() {
        let r = Rect(x: 0, y: 0, width: 10, height: 10)
        #expect(r.contains(r))
        #expect(r.contains(Rect(x: 9, y: 9, width: 1, height: 1)))
        #expect(!r.contains(Rect(x: 9, y: 9, width: 2, height: 1)))
        #expect(!r.contains(Rect(x: -1, y: 0, width: 2, height: 2)))
        #expect(!Rect(x: 1, y: 1, width: 2, height: 2).contains(r))
        // An empty rectangle positioned inside is contained; an empty one cannot contain a pixel.
        #expect(r.contains(Rect(x: 5, y: 5, width: 0, height: 0)))
        #expect(!Rect(x: 5, y: 5, width: 0, height: 0).contains(Rect(x: 5, y: 5, width: 1, height: 1)))
    }

    @Test func containsPixels() {
        let r = Rect(x: -3, y: 2, width: 4, height: 2)
        var inside = 0
        for y in -5...10 {
            for x in -10...10 where r.contains(x: x, y: y) {
                inside += 1
                #expect(x >= -3 && x < 1 && y >= 2 && y < 4)
            }
        }
        #expect(inside == r.area)
        #expect(!Rect(x: 0, y: 0, width: 0, height: 3).contains(x: 0, y: 0))
    }

    @Test func equalRectsHashEqually() {
        let rects: Set<Rect> = [Rect(width: 2, height: 3), Rect(x: 0, y: 0, width: 2, height: 3), Rect(width: 3, height: 2)]
        #expect(rects.count == 2)
    }
}
