import ArgumentParser
import Meld

struct Formats: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the image formats this build of libvips can read and write."
    )

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let rows = ImageFormat.allCases.map { ($0, $0.canRead, $0.canWrite) }
        if json {
            let items = rows.map { "{\"format\":\"\($0.0)\",\"read\":\($0.1),\"write\":\($0.2)}" }
            print("{\"libvips\":\"\(Meld.libvipsVersion)\",\"formats\":[" + items.joined(separator: ",") + "]}")
            return
        }
        print("libvips \(Meld.libvipsVersion)")
        for (format, read, write) in rows {
            let name = format.rawValue + String(repeating: " ", count: max(0, 6 - format.rawValue.count))
            print("\(name) read: \(read ? "yes" : "no ")  write: \(write ? "yes" : "no ")  (.\(format.extensions.joined(separator: ", .")))")
        }
    }
}
