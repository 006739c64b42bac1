import MeldCore
import MeldTestSupport
import Testing

/// A schedule with a readable name for parameterised tests.
struct NamedSchedule: Sendable, CustomTestStringConvertible {
    let tileWidth: Int
    let tileHeight: Int
    let threads: Int
    /// Tiles as large as the image (resolved per image).
    let wholeImage: Bool

    func schedule(for image: Raster) -> Schedule {
        wholeImage ? Schedule(tileWidth: image.width, tileHeight: image.height, threads: threads)
                   : Schedule(tileWidth: tileWidth, tileHeight: tileHeight, threads: threads)
    }

    var testDescription: String {
        (wholeImage ? "whole-image tile"
            : tileWidth == Schedule.fullWidth ? "full-width strips of \(tileHeight) rows" : "\(tileWidth)x\(tileHeight) tiles") + ", \(threads) thread\(threads == 1 ? "" : "s")"
    }

    static func tiles(_ w: Int, _ h: Int) -> [NamedSchedule] {
        [1, 2, 4].map { NamedSchedule(tileWidth: w, tileHeight: h, threads: $0, wholeImage: false) }
    }

    /// {7x5, 16, 64, 256, full-width strips of 8 rows (the default's shape), whole image} × threads {1, 2, 4}.
    static let all: [NamedSchedule] = tiles(7, 5) + tiles(16, 16) + tiles(64, 64) + tiles(256, 256)
        + tiles(Schedule.fullWidth, 8)
        + [1, 2, 4].map { NamedSchedule(tileWidth: 0, tileHeight: 0, threads: $0, wholeImage: true) }
    /// 1x1 tiles, only for tiny images.
    static let single: [NamedSchedule] = tiles(1, 1)
}

/// A colour conversion and a matching input.
struct ConversionCase: Sendable, CustomTestStringConvertible {
    let from: ColourSpace
    let to: ColourSpace
    var testDescription: String { "\(from) → \(to)" }

    /// Premultiplied RGBA noise in `from` (Lab input is straight Lab from the noise, as a pipeline makes it).
    func input(width: Int, height: Int, seed: UInt64) -> Raster {
        let noise = SyntheticScene.noise(width: width, height: height, layout: .rgba, seed: seed)
        switch from {
        case .lab, .lch, .xyz: return ColourConversion.convert(noise, from: .linearSRGB, to: from, schedule: .serial(covering: noise.bounds))
        case .linearSRGB, .sRGB: return noise
        }
    }

    static let all: [ConversionCase] = [
        ConversionCase(from: .linearSRGB, to: .lab),
        ConversionCase(from: .lab, to: .linearSRGB),
        ConversionCase(from: .sRGB, to: .lch),
    ]
}

/// Any schedule must give the same bits as the serial schedule.
@Suite("Tile invariance")
struct TileInvarianceTests {
    static let image = SyntheticScene.noise(width: 97, height: 61, layout: .rgba, seed: 42)
    static let tiny = SyntheticScene.noise(width: 11, height: 7, layout: .rgba, seed: 43)
    static let sigmas: [Float] = [0.7, 2, 5]

    @Test(arguments: sigmas, NamedSchedule.all)
    func gaussianBlur(sigma: Float, schedule: NamedSchedule) {
        let blur = GaussianBlur(sigma: sigma)
        let serial = blur.apply(to: Self.image, schedule: .serial(covering: Self.image.bounds))
        let tiled = blur.apply(to: Self.image, schedule: schedule.schedule(for: Self.image))
        #expect(tiled == serial, "\(ImageCompare.describe(tiled, serial))")
    }

    @Test(arguments: sigmas, NamedSchedule.single)
    func gaussianBlurSinglePixelTiles(sigma: Float, schedule: NamedSchedule) {
        let blur = GaussianBlur(sigma: sigma)
        let serial = blur.apply(to: Self.tiny, schedule: .serial(covering: Self.tiny.bounds))
        let tiled = blur.apply(to: Self.tiny, schedule: schedule.schedule(for: Self.tiny))
        #expect(tiled == serial, "\(ImageCompare.describe(tiled, serial))")
    }

    @Test(arguments: ConversionCase.all, NamedSchedule.all)
    func colourConversion(conversion: ConversionCase, schedule: NamedSchedule) {
        let input = conversion.input(width: 97, height: 61, seed: 44)
        let serial = ColourConversion.convert(input, from: conversion.from, to: conversion.to, schedule: .serial(covering: input.bounds))
        let tiled = ColourConversion.convert(input, from: conversion.from, to: conversion.to, schedule: schedule.schedule(for: input))
        #expect(tiled == serial, "\(ImageCompare.describe(tiled, serial))")
    }

    @Test(arguments: ConversionCase.all, NamedSchedule.single)
    func colourConversionSinglePixelTiles(conversion: ConversionCase, schedule: NamedSchedule) {
        let input = conversion.input(width: 11, height: 7, seed: 45)
        let serial = ColourConversion.convert(input, from: conversion.from, to: conversion.to, schedule: .serial(covering: input.bounds))
        let tiled = ColourConversion.convert(input, from: conversion.from, to: conversion.to, schedule: schedule.schedule(for: input))
        #expect(tiled == serial, "\(ImageCompare.describe(tiled, serial))")
    }
}
