// Each kind's own flags of `vaegan train`, applied to its training configuration. A kind with
// flags of its own declares them in Train and conforms its configuration here; the shared ones
// (--latent, --lr, --batch-size, --seed) are applied by Train for every kind.
import Foundation
import VAEGAN

/// A kind's training configuration that takes its flags from `vaegan train`.
protocol KindFlags: TrainingConfiguration {
    mutating func apply(_ flags: Train) throws(VAEGANError)
}

/// --architecture and --spec, for a kind whose networks are specs.
extension NetworkConfigurable {
    mutating func applyNetworks(_ flags: Train) throws(VAEGANError) {
        if let preset = flags.architecture.flatMap(ArchitecturePreset.init(rawValue:)) { try use(preset) }
        if let path = flags.spec {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw .io("\(path): cannot read: \(error.localizedDescription)")
            }
            try use(networksJSON: text, source: path)
        }
    }
}

extension VAETrainingConfiguration: KindFlags {
    mutating func apply(_ flags: Train) throws(VAEGANError) {
        try model.applyNetworks(flags)
        model.beta = flags.beta
        if flags.likelihood == "gaussian" { model.likelihood = .gaussian(sigma: flags.sigma, learned: flags.learnSigma) }
        warmupEpochs = flags.warmupEpochs
        switch (flags.objective, model.objective) {
        case ("elbo", _): model.objective = .elbo
        case ("iwae", .importanceWeighted(let samples, let dreg)), (nil, .importanceWeighted(let samples, let dreg)):
            model.objective = .importanceWeighted(samples: flags.importanceSamples ?? samples, doublyReparameterized: flags.dreg || dreg)
        case ("iwae", _): model.objective = .importanceWeighted(samples: flags.importanceSamples ?? 5, doublyReparameterized: flags.dreg)
        default: break
        }
        learningRateSchedule = flags.lrSchedule ?? learningRateSchedule
        scheduleEpochs = flags.epochCount
    }
}

extension GANTrainingConfiguration: KindFlags {
    mutating func apply(_ flags: Train) throws(VAEGANError) {
        try model.applyNetworks(flags)
        model.objective = try flags.ganObjective ?? model.objective
        model.realLabel = flags.realLabel
        discriminatorSteps = flags.discriminatorSteps
        generatorSteps = flags.generatorSteps
        emaDecay = flags.emaDecay
    }
}

extension VAEGANTrainingConfiguration: KindFlags {
    mutating func apply(_ flags: Train) throws(VAEGANError) {
        try model.applyNetworks(flags)
        model.gamma = flags.gamma ?? model.gamma
        model.pixelWeight = flags.pixelWeight ?? model.pixelWeight
        model.featureLayer = flags.featureLayer ?? model.featureLayer
        model.reconstructionsAsFakes = flags.reconstructionsAsFakes == .on
        model.gating = flags.gating.map { $0 == .on } ?? model.gating
        model.objective = try flags.ganObjective ?? model.objective
        discriminatorLearningRate = flags.discriminatorLr
        beta1 = flags.beta1
        emaDecay = flags.emaDecay
    }
}

extension Train {
    /// --objective for the GAN and the VAE-GAN (validate() checked the name).
    var ganObjective: GANObjective? {
        get throws(VAEGANError) {
            guard let objective else { return nil }
            guard let value = GANObjective(rawValue: objective) else { throw .invalidArgument("--objective: unknown GAN objective '\(objective)'") }
            return value
        }
    }
}
