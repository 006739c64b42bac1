@testable import MeldCore
import MeldTestSupport
import Testing

/// `LevelState.select` (the vote weights' 99th percentile) against a sort.
@Suite("PatchMatch rank selection")
struct SelectionRankTests {
    @Test func matchesSortForEveryRank() {
        var rng = SplitMix64(seed: 3)
        for count in [1, 2, 3, 7, 64, 257] {
            for distinct in [2, 5, 1000] {
                let values = (0..<count).map { _ in Float(rng.next() % UInt64(distinct)) / 7 }
                let sorted = values.sorted()
                for rank in 0..<count {
                    var copy = values
                    #expect(LevelState.select(&copy, rank: rank) == sorted[rank], "count \(count), rank \(rank)")
                    #expect(copy.sorted() == sorted)
                }
            }
        }
        // Already sorted and reversed inputs.
        var ascending = (0..<500).map(Float.init), descending = Array(ascending.reversed())
        #expect(LevelState.select(&ascending, rank: 495) == 495)
        #expect(LevelState.select(&descending, rank: 495) == 495)
    }
}
