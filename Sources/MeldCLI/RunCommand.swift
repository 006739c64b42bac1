import ArgumentParser
import Foundation
import Meld

/// `meld run RECIPE`: one job from a recipe (inputs, steps, outputs).
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a recipe: load its inputs, apply its steps, write its outputs.",
        discussion: """
        A recipe (YAML or JSON, schema version 1) names inputs, steps and outputs; paths are \
        relative to the recipe:
          version: 1
          inputs: {photo: shoe.jpg, logo: logo.png}
          steps:
            - recolor: {region: "color:#C0392B~18", to: "#3EB489"}
            - place: {image: logo, anchor: bottom-right, x: -40, y: -40, width: 12%}
          outputs:
            - {path: out/shoe.jpg, width: 2000, quality: 90, progressive: true}
            - {path: out/shoe.webp, fit: 800x800}
        Steps: recolor, adjust, remove, background, harmonize, compose, place, transfer, lut, \
        remap, texture, resize, crop, rotate, flip — with the fields of the matching meld \
        commands (see the README's Recipes section). Strings may use ${name} variables, set \
        with --set name=value. Output is byte-identical on every run.
        """)

    @Argument(help: ArgumentHelp("Recipe (.yaml, .yml or .json).", valueName: "recipe"))
    var recipe: String

    @OptionGroup var variables: VariableOptions

    @Flag(help: "Replace output files that exist.")
    var overwrite = false

    @Flag(help: "Check the recipe (fields, values, variables) and list its outputs without running it.")
    var check = false

    @Flag(help: "Print each output's size and digest as JSON lines.")
    var json = false

    func run() throws {
        let vars = try variables.values()
        try reportingErrors("run") { () throws(MeldError) in
            let template = try RecipeTemplate(contentsOf: recipe)
            let r = try Recipe(template: template, variables: vars)
            if check {
                let context = Step.Context(baseDirectory: template.baseDirectory)
                print("\(recipe): \(r.inputs.count) input(s), \(r.steps.count) step(s), \(r.outputs.count) output(s)")
                for o in r.outputs { print("  → \(context.path(o.path))") }
                return
            }
            guard !r.outputs.isEmpty else { throw MeldError(.invalidArgument, operation: "run", "the recipe has no outputs") }
            let written = try r.run(baseDirectory: template.baseDirectory, overwrite: overwrite)
            for w in written {
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    print((try? encoder.encode(w)).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
                } else {
                    print("\(w.path)  \(w.bytes) bytes  \(w.digest)")
                }
            }
        }
    }
}

/// `--set name=value`, shared by `meld run` and `meld batch`.
struct VariableOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a ${variable}: --set sku=A123 (repeatable; in a batch, a manifest column of the same name wins).", valueName: "name=value"))
    var assignments: [String] = []

    func validate() throws { _ = try values() }

    /// The assignments as a dictionary (a later `--set` of the same name wins).
    func values() throws -> [String: String] {
        var out: [String: String] = [:]
        for v in assignments {
            guard let eq = v.firstIndex(of: "="), eq != v.startIndex else { throw ValidationError("--set takes name=value (got '\(v)')") }
            out[String(v[..<eq])] = String(v[v.index(after: eq)...])
        }
        return out
    }
}
