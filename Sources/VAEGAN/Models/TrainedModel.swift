// TrainedModel: any of the three models loaded from a checkpoint for inference — what
// `vaegan sample` and `vaegan eval` work with.

import Foundation

/// A β-VAE, GAN or VAE-GAN restored from a checkpoint.
public enum TrainedModel {
    case vae(VAE)
    case gan(GAN)
    case vaegan(VAEGAN)

    /// Reads a checkpoint of any kind (weights only; optimizer state is ignored).
    public static func load(from path: String, batchCapacity: Int = 128) throws(VAEGANError) -> TrainedModel {
        let file = try SafeTensorsFile.read(from: path)
        switch try file.string("model") {
        case VAETraining.kind:
            return .vae(try VAE.load(from: file, batchCapacity: batchCapacity))
        case GANTraining.kind:
            let gan = try GAN(try GANTraining.configuration(from: file), batchCapacity: batchCapacity)
            try file.restore(gan.generator.parameters + gan.discriminator.parameters)
            return .gan(gan)
        case VAEGANTraining.kind:
            let model = try VAEGAN(try VAEGANTraining.configuration(from: file), batchCapacity: batchCapacity)
            try file.restore(model.encoderParameters + model.decoderParameters + model.discriminatorParameters)
            return .vaegan(model)
        case let other:
            throw .wrongModel("\(path): unknown model kind '\(other)'")
        }
    }

    public var kind: String {
        switch self {
        case .vae: VAETraining.kind
        case .gan: GANTraining.kind
        case .vaegan: VAEGANTraining.kind
        }
    }

    public var dataWidth: Int {
        switch self {
        case .vae(let m): m.inputWidth
        case .gan(let m): m.dataWidth
        case .vaegan(let m): m.inputWidth
        }
    }

    public var latentWidth: Int {
        switch self {
        case .vae(let m): m.latentWidth
        case .gan(let m): m.latentWidth
        case .vaegan(let m): m.latentWidth
        }
    }

    /// Decoder (generator) outputs for latent rows, any number of them.
    public func decode(_ latents: [Float]) -> [Float] {
        switch self {
        case .vae(let m): m.decodeAll(latents)
        case .vaegan(let m): m.decodeAll(latents)
        case .gan(let m): m.generateAll(latents)
        }
    }

    /// `count` samples from z ~ N(0, I) drawn with `seed`, as rows of `dataWidth` values.
    public func sample(count: Int, seed: UInt64) throws(VAEGANError) -> [Float] {
        try require(count > 0, "sample count must be positive, not \(count)")
        var generator = RandomGenerator(seed: seed)
        var z = [Float](repeating: 0, count: count * latentWidth)
        z.withUnsafeMutableBufferPointer { generator.fillNormal($0.baseAddress!, count: $0.count) }
        return decode(z)
    }

    /// ``sample(count:seed:)`` clipped to the pixel range [0, 1], as images are shown and
    /// scored: a Gaussian decoder's means may stray outside it.
    public func sampleImages(count: Int, seed: UInt64) throws(VAEGANError) -> [Float] {
        try sample(count: count, seed: seed).map { min(max($0, 0), 1) }
    }
}

extension GAN {
    /// Generator outputs for any number of latent rows.
    public func generateAll(_ latents: [Float]) -> [Float] {
        mapRowsInChunks(latents, width: latentWidth, capacity: batchCapacity) { generate($0) }
    }

    /// D(x) as probabilities for any number of rows.
    public func discriminateAll(_ rows: [Float]) -> [Double] {
        mapRowsInChunks(rows, width: dataWidth, capacity: batchCapacity) { discriminator.forward($0) }
            .map { 1 / (1 + exp(-Double($0))) }
    }
}
