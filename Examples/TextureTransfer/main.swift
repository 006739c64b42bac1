// TextureTransfer: lay a pattern onto an object, keeping the object's shading.
//
//   swift run TextureTransfer [samples-folder] [output-folder]
//
// Makes the red bowl of Samples/fig_in_red_bowl.jpg out of the citrus slices of
// Samples/citrus_fruits.jpg. The bowl's selection is Examples/TextureTransfer/bowl-mask.png
// (made once by make-mask.py beside this file: a colour threshold, with the fig cut out). Writes
// object.jpg, pattern.jpg and result.jpg (900 px wide, for the README) and result-full.jpg.
import Foundation
import Meld

let arguments = CommandLine.arguments.dropFirst()
let samples = arguments.first ?? "Samples"
let output = arguments.dropFirst().first ?? "out/examples/texture"
let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

do {
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    let object = try Image(contentsOf: "\(samples)/fig_in_red_bowl.jpg")
    let pattern = try Image(contentsOf: "\(samples)/citrus_fruits.jpg")
    let bowl = try Mask(contentsOf: "\(here)/bowl-mask.png", width: object.width, height: object.height)
    let start = ContinuousClock.now
    // Half-size citrus slices suit the bowl's scale; full shading keeps its rim highlight and inner shadow.
    let result = try TextureTransfer(patternScale: 0.5, shading: 1).apply(to: object, pattern: pattern, region: bowl)
    let options = SaveOptions(quality: 88, overwrite: true)
    try result.write(to: "\(output)/result-full.jpg", options: options)
    print("texture transfer: \(object.width)x\(object.height) in \(ContinuousClock.now - start)")
    let small = Resize(.width(900))
    try object.applying(small).write(to: "\(output)/object.jpg", options: options)
    try pattern.applying(small).write(to: "\(output)/pattern.jpg", options: options)
    try result.applying(small).write(to: "\(output)/result.jpg", options: options)
    print("wrote \(output)/object.jpg, pattern.jpg, result.jpg, result-full.jpg")
} catch {
    FileHandle.standardError.write(Data("TextureTransfer: \(error)\n".utf8))
    exit(1)
}
