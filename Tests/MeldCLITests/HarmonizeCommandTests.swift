import Foundation
import Meld
import Testing

@Suite("meld harmonize")
struct HarmonizeCommandTests {
    @Test func harmonizesAndReports() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["harmonize", CLI.sample("citrus_fruits.jpg"), "--mask", CLI.sample("lightbulb_cutout.png"),
                                 "-o", "out.png", "--method", "white-balance", "--strength", "0.8", "--verbose"], in: folder)
            #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
            #expect(r.stdout.contains("method white-balance") && r.stdout.contains("reference:"), "\(r)")
            #expect(try CLI.info(folder + "/out.png").width == 1350)
        }
    }

    @Test(arguments: [
        (["--method", "magic"], "--method must be one of auto, boundary, reinhard"),
        (["--strength", "1.5"], "strength must be between 0 and 1"),
        (["--reference", "nearby"], "--reference must be ring or whole"),
        (["--ring", "wide"], "--ring takes pixels"),
        (["--ring", "1e300"], "ring width must be positive and at most"),
    ])
    func badOptions(extra: [String], message: String) throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["harmonize", CLI.sample("citrus_fruits.jpg"), "--mask", CLI.sample("lightbulb_cutout.png"), "-o", "out.png"] + extra, in: folder)
            #expect(r.status != 0 && r.stderr.contains(message), "\(r)")
        }
    }

    @Test func missingMaskIsOneLine() throws {
        try CLI.withTemporaryFolder { folder in
            let r = try CLI.run(["harmonize", CLI.sample("citrus_fruits.jpg"), "--mask", "nope.png", "-o", "out.png"], in: folder)
            #expect(r.status == 1 && r.errorLines.count == 1 && r.stderr.hasPrefix("meld harmonize: load:"), "\(r)")
            #expect(!FileManager.default.fileExists(atPath: folder + "/out.png"))
        }
    }
}
