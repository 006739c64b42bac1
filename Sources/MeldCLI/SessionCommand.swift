import ArgumentParser
import Foundation
import Meld
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `meld session IN...`: a line-oriented editor with undo, redo, branches and recipe export.
struct SessionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "session",
        abstract: "Edit interactively, one command per line, with undo, redo, branches and recipe export.",
        discussion: """
        Inputs are named by their file names without extension (or give name=path). Each line \
        is a step in the recipe vocabulary — recolor region=wand:420,310~12 to=#3EB489, \
        remove mask=cup.png, place image=logo anchor=bottom-right width=12%, adjust exposure=0.3 \
        — or a session command: undo, redo, history, tree, goto N, replace N STEP…, show [PATH], \
        save PATH, export-recipe PATH, inputs, steps, help [NAME], quit. A failed command leaves \
        the session as it was. Reads standard input, so a file of commands works too:
          meld session room.jpg cup=cup-mask.png < edits.txt
        """)

    @Argument(help: ArgumentHelp("Input images: PATH or NAME=PATH; the first is the one edited.", valueName: "input"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Start by replaying this recipe's steps.", valueName: "recipe"))
    var recipe: String?

    @Option(help: ArgumentHelp("Longest side of `show` previews in pixels.", valueName: "pixels"))
    var previewSize: Int = 1600

    @Option(help: ArgumentHelp("Folder for `show` previews (default: a new folder under the temporary directory).", valueName: "path"))
    var previewFolder: String?

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one input image") }
        guard (16...20000).contains(previewSize) else { throw ValidationError("--preview-size must be 16–20000") }
    }

    /// `name=path` or a path named by its stem.
    static func namedInputs(_ args: [String]) -> [Recipe.Input] {
        var out: [Recipe.Input] = []
        for arg in args {
            var name: String, path: String
            if let eq = arg.firstIndex(of: "="), !arg[..<eq].contains("/") {
                name = String(arg[..<eq]); path = String(arg[arg.index(after: eq)...])
            } else {
                path = arg
                let stem = ((arg as NSString).lastPathComponent as NSString).deletingPathExtension
                name = String(stem.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
                if name.isEmpty { name = "input" }
                var n = 2, base = name
                while out.contains(where: { $0.name == name }) { name = "\(base)-\(n)"; n += 1 }
                base = name
            }
            out.append(Recipe.Input(name: name, path: path))
        }
        return out
    }

    func run() throws {
        let interactive = isatty(0) != 0
        var hadErrors = false
        try reportingErrors("session") { () throws(MeldError) in
            let session: Session
            if let recipe {
                // The recipe's paths are relative to its folder, so the session's are too; the
                // inputs named here are made absolute.
                let template = try RecipeTemplate(contentsOf: recipe)
                var r = try Recipe(template: template)
                let cwd = FileManager.default.currentDirectoryPath
                let given = Self.namedInputs(inputs).map { i in
                    Recipe.Input(name: i.name, path: i.path.hasPrefix("/") ? i.path : (cwd as NSString).appendingPathComponent(i.path))
                }
                r.inputs = given + r.inputs.filter { i in !given.contains { $0.name == i.name } }
                session = try Session(recipe: r, baseDirectory: template.baseDirectory)
            } else {
                session = try Session(inputs: Self.namedInputs(inputs))
            }
            let folder = previewFolder ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("meld-session-\(getpid())")
            let repl = SessionREPL(session: session, previewFolder: folder, previewSize: previewSize)
            if interactive {
                print("meld session: \(session.inputs.map { "\($0.name) (\($0.path))" }.joined(separator: ", ")). Type help for commands.")
            }
            while true {
                if interactive { print("meld> ", terminator: ""); fflush(nil) }
                guard let line = readLine(strippingNewline: true) else { break }
                let outcome = repl.execute(line)
                if outcome == .quit { break }
                if outcome == .failed { hadErrors = true }
            }
            if interactive { print("") }
        }
        if hadErrors && !interactive { throw ExitCode(1) }
    }
}

/// Executes session lines; separate from the terminal loop so tests and scripts share it.
final class SessionREPL {
    enum Outcome { case ok, failed, quit }

    let session: Session
    let previewFolder: String
    let previewSize: Int
    private var saved: [Recipe.Output] = []
    private var shows = 0

    init(session: Session, previewFolder: String, previewSize: Int) {
        self.session = session
        self.previewFolder = previewFolder
        self.previewSize = previewSize
    }

    static let commands: [(String, String)] = [
        ("undo", "step back one step"),
        ("redo", "redo the last undone step"),
        ("history", "the steps from the input to the current image (* marks the current one)"),
        ("tree", "every step of every branch, with its parent"),
        ("goto N|start", "make step N (or the input) current; the next step starts a branch there"),
        ("replace N STEP…", "change step N of the history and re-apply the steps after it"),
        ("show [PATH]", "write a preview PNG (or the full image to PATH) and print its path"),
        ("save PATH [quality=Q] [overwrite=true]", "write the current image; export-recipe then writes it too"),
        ("export-recipe PATH", "write the history as a recipe (YAML or JSON) that meld run replays byte for byte"),
        ("inputs", "the named inputs"),
        ("steps", "the step names and their fields"),
        ("help [NAME]", "this list, or one step's fields"),
        ("quit", "leave (also end of input)"),
    ]

    static let stepHelp: [String: String] = [
        "recolor": "recolor region=SPEC|mask=PATH to=COLOR|swatch=PATH [grow=N] [invert=true] [feather=N]",
        "adjust": "adjust [region=SPEC] [exposure=EV] [temperature=N] [tint=N] [contrast=N] [saturation=N] [curve=x:y,…] [feather=N]",
        "remove": "remove region=SPEC|mask=PATH [method=auto|patchmatch|diffusion] [seed=N] [patch-size=7]",
        "background": "background with=COLOR|A..B@angle|PATH [region=SPEC] [harmonize=0…1]",
        "harmonize": "harmonize mask=PATH [method=auto|reinhard|affine|white-balance|exposure] [strength=0…1] [ring=10%|reference=whole]",
        "compose": "compose recipe=PATH   (a compose recipe; canvas: input composes over the current image)",
        "place": "place image=NAME|PATH [x=N y=N | anchor=…] [width=L] [height=L] [rotate=DEG] [opacity=0…1] [blend=MODE] [harmonize=auto] [mask=PATH]",
        "transfer": "transfer reference=PATH [method=reinhard|ot] [strength=0…1] [region=SPEC]",
        "lut": "lut cube=PATH|hald=PATH [strength=0…1] [region=SPEC]",
        "remap": "remap palette=#C1,#C2,…|image:PATH [colors=K] [keep-lightness=true] [strength=0…1] [region=SPEC]",
        "texture": "texture pattern=PATH region=SPEC|mask=PATH [pattern-scale=F] [patch=N] [shading=0…2] [seed=N]",
        "resize": "resize width=N|height=N|scale=F|fit=WxH|fill=WxH [kernel=lanczos3]",
        "crop": "crop rect=x,y,w,h",
        "rotate": "rotate degrees=D [background=COLOR]",
        "flip": "flip axis=horizontal|vertical",
        "cutout": "cutout [box=x,y,w,h] [edge-radius=N] [despill=false] [refine-edges=false]   (onto transparency)",
        "watermark": "watermark text=T|logo=PATH [placement=bottom-right|…|tiled] [size=0.04] [margin=0.03] [angle=D] [opacity=0.6] [blend=MODE] [color=C] [font=F]",
        "invisible-watermark": "invisible-watermark key=KEY payload=HEX [strength=0.25…4]",
    ]

    func execute(_ rawLine: String) -> Outcome {
        let line = rawLine.trimmingCharacters(in: .whitespaces)
        if line.isEmpty || line.hasPrefix("#") { return .ok }
        do throws(MeldError) {
            return try perform(line)
        } catch {
            printError("error: \(error.operation == "session" ? "" : error.operation + ": ")\(error.message)")
            return .failed
        }
    }

    private func perform(_ line: String) throws(MeldError) -> Outcome {
        let word = String(line.prefix { $0 != " " })
        let rest = line.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
        switch word {
        case "quit", "exit": return .quit
        case "help", "?":
            if !rest.isEmpty {
                guard let h = Self.stepHelp[rest] else { throw MeldError(.invalidArgument, operation: "session", "no step or command '\(rest)'; type help") }
                print(h)
                return .ok
            }
            print("Steps (each changes the current image; `help NAME` shows the fields):")
            print("  " + Step.names.joined(separator: " "))
            print("Commands:")
            for (c, h) in Self.commands { print("  " + c.padding(toLength: 40, withPad: " ", startingAt: 0) + h) }
            print("Regions: rect:x,y,w,h ellipse:cx,cy,rx,ry polygon:x,y,… mask:PATH color:#RRGGBB~tol wand:x,y~tol subject all")
        case "steps":
            for name in Step.names { print(Self.stepHelp[name] ?? name) }
        case "inputs":
            for i in session.inputs { print("\(i.name)\(i.name == session.start ? " (edited)" : "")  \(i.path)") }
        case "undo":
            guard session.undo() else { throw MeldError(.invalidArgument, operation: "session", "nothing to undo") }
            printPosition()
        case "redo":
            guard session.redo() else { throw MeldError(.invalidArgument, operation: "session", "nothing to redo") }
            printPosition()
        case "history":
            let h = session.history
            print("   input  \(session.start)\(h.isEmpty ? "  *" : "")")
            for (i, e) in h.enumerated() {
                print(String(format: "%4d", i) + "  " + e.step.commandLine + (e.id == session.current ? "  *" : ""))
            }
        case "tree":
            for e in session.entries {
                let parent = e.parent.map { "#\($0)" } ?? "input"
                print("#\(e.id) ← \(parent)  \(e.step.commandLine)" + (e.id == session.current ? "  *" : ""))
            }
        case "goto":
            if rest == "start" || rest == "input" {
                try session.checkout(nil)
            } else {
                guard let n = Int(rest) else { throw MeldError(.invalidArgument, operation: "session", "goto takes a step number from history or tree (#N), or start") }
                try session.checkout(n)
            }
            printPosition()
        case "replace":
            let n = String(rest.prefix { $0 != " " })
            guard let index = Int(n) else { throw MeldError(.invalidArgument, operation: "session", "replace takes a history step number, then the new step") }
            let step = try Step(commandLine: String(rest.dropFirst(n.count)))
            let t0 = Date()
            let before = session.stepsComputed
            try session.replaceStep(at: index, with: step)
            print("replaced step \(index); recomputed \(session.stepsComputed - before) step(s) in \(seconds(t0))")
        case "show":
            let image = try session.image()
            let path: String
            if rest.isEmpty {
                try createFolder(previewFolder)
                shows += 1
                path = (previewFolder as NSString).appendingPathComponent("preview-\(shows).png")
                let preview = image.width > previewSize || image.height > previewSize
                    ? try image.applying(Resize(.fit(width: previewSize, height: previewSize))) : image
                try preview.write(to: path, options: SaveOptions(pngCompression: 1, overwrite: true))
            } else {
                path = rest
                try image.write(to: path, options: SaveOptions(overwrite: true))
            }
            print(path)
        case "save":
            let words = try Step.words(in: rest)
            guard let path = words.first else { throw MeldError(.invalidArgument, operation: "save", "save takes a path") }
            var options = SaveOptions()
            for w in words.dropFirst() {
                let kv = w.split(separator: "=", maxSplits: 1).map(String.init)
                switch (kv.first, kv.count == 2 ? kv[1] : nil) {
                case ("quality", let v?): guard let q = Int(v) else { throw MeldError(.invalidArgument, operation: "save", "quality must be 1–100") }; options.quality = q
                case ("overwrite", let v?): options.overwrite = v == "true" || v == "yes"
                case ("strip", let v?): options.stripMetadata = v == "true" || v == "yes"
                case ("progressive", let v?): options.progressive = v == "true" || v == "yes"
                default: throw MeldError(.invalidArgument, operation: "save", "'\(w)': save takes quality=, strip=, progressive= and overwrite=")
                }
            }
            try session.image().write(to: path, options: options)
            var kept = options
            kept.overwrite = false
            saved.removeAll { $0.path == path }
            saved.append(Recipe.Output(path: path, options: kept))
            print("saved \(path)")
        case "export-recipe":
            guard !rest.isEmpty else { throw MeldError(.invalidArgument, operation: "export-recipe", "export-recipe takes a path (.yaml or .json)") }
            var outputs = saved.isEmpty ? [Recipe.Output(path: "\(session.start)-session.png")] : saved
            var recipe = session.recipe(outputs: outputs)
            // `meld run` reads paths relative to the recipe's folder: when it is not the folder
            // this session's paths are relative to, write inputs and outputs as absolute paths.
            let base = URL(fileURLWithPath: session.baseDirectory ?? FileManager.default.currentDirectoryPath).standardizedFileURL.path
            let folder = URL(fileURLWithPath: rest).deletingLastPathComponent().standardizedFileURL.path
            if folder != base {
                let absolute = { (p: String) in p.hasPrefix("/") ? p : (base as NSString).appendingPathComponent(p) }
                let inputNames = Set(recipe.inputs.map(\.name))
                let relative = recipe.steps.flatMap(\.paths).filter { !$0.hasPrefix("/") && !inputNames.contains($0) }
                if let first = relative.first {
                    throw MeldError(.invalidArgument, operation: "export-recipe",
                                    "a step reads \(first) relative to \(base); write the recipe in that folder, or give that step an absolute path")
                }
                recipe.inputs = recipe.inputs.map { Recipe.Input(name: $0.name, path: absolute($0.path)) }
                outputs = outputs.map { var o = $0; o.path = absolute(o.path); return o }
                recipe.outputs = outputs
            }
            try recipe.write(to: rest, overwrite: true)
            print("wrote \(rest) (\(session.history.count) steps, \(outputs.count) output(s))")
        default:
            guard Step.names.contains(word) else {
                throw MeldError(.invalidArgument, operation: "session", "unknown command '\(word)'; type help")
            }
            let step = try Step(commandLine: line)
            let t0 = Date()
            let image = try session.apply(step)
            print("step \(session.history.count - 1): \(step.commandLine)  → \(image.width)x\(image.height) in \(seconds(t0))")
        }
        return .ok
    }

    private func printPosition() {
        if let c = session.current {
            print("at #\(c) (step \(session.history.count - 1)): \(session.entries[c].step.commandLine)")
        } else {
            print("at the input \(session.start)")
        }
    }

    private func seconds(_ t0: Date) -> String { String(format: "%.2f s", Date().timeIntervalSince(t0)) }

    private func createFolder(_ path: String) throws(MeldError) {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw MeldError(.ioFailure, operation: "show", "cannot create \(path): \(error.localizedDescription)")
        }
    }

}
