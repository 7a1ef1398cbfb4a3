// vaegan train: trains a β-VAE, a GAN or a VAE-GAN, writing checkpoint, metrics and pictures.
import ArgumentParser
import Foundation
import VAEGAN

enum ModelKind: String, ExpressibleByArgument, CaseIterable {
    case vae, gan, vaegan
}

extension GANObjective: ExpressibleByArgument {}

enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model; writes checkpoint.safetensors, metrics.csv and PNG pictures into --out.")

    @Option(help: "vae, gan or vaegan.") var model = ModelKind.vae
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Epochs to train (with --resume: the total, counting finished ones).") var epochs = 10
    @Option(help: "Examples per batch.") var batchSize = 128
    @Option(help: "Latent size (default 32 for vae and vaegan, 64 for gan).") var latent: Int?
    @Option(help: "Learning rate (default 1e-3 vae, 2e-4 gan, 3e-4 vaegan).") var lr: Float?
    @Option(help: "Seed of every random choice (weights, batches, noise).") var seed: UInt64 = 0
    @Option(help: "Threads for the whole process; 0 means all cores.") var threads = 0
    @Option(help: "Output folder (default runs/MODEL).") var out: String?
    @Flag(help: "Continue from --out's checkpoint.") var resume = false
    @Option(help: "Train on the first N training examples only (quick runs).") var limit: Int?
    @Flag(help: "No progress output.") var quiet = false
    @Option(help: "Every N epochs (and after the last) score samples: FID, precision/recall, classes covered, in metrics.csv and loss.png (built-in data sets; 0 = never).")
    var metricsEvery = 0
    @Option(help: "Samples drawn for each --metrics-every score.") var metricsSamples = 2000

    // β-VAE
    @Option(help: "vae: weight of the KL term.") var beta: Float = 1
    @Option(help: "vae: epochs over which β rises linearly from 0.") var warmupEpochs = 0
    @Option(help: "vae: bernoulli or gaussian.") var likelihood = "bernoulli"
    @Option(help: "vae: σ of the Gaussian likelihood.") var sigma: Float = 0.1
    @Flag(help: "vae: learn σ of the Gaussian likelihood.") var learnSigma = false

    // GAN and VAE-GAN
    @Option(help: "gan: minimax or nonsaturating (default); vaegan: the decoder's form (default minimax).")
    var objective: GANObjective?
    @Option(name: .customLong("d-steps"), help: "gan: discriminator steps per generator step (k).") var discriminatorSteps = 1
    @Option(name: .customLong("g-steps"), help: "gan: generator steps per round.") var generatorSteps = 1
    @Option(help: "gan: target for real examples (one-sided label smoothing, e.g. 0.9).") var realLabel: Float = 1

    // VAE-GAN
    @Option(help: "vaegan: weight γ of L_llike in the decoder's update.") var gamma: Float = 1
    @Option(help: "vaegan: weight λ of the pixel term ½‖x − x̃‖² in the encoder's and decoder's updates.")
    var pixelWeight: Float?
    @Option(help: "vaegan: index of D's hidden layer used as the feature space.") var featureLayer = 1
    @Option(help: "vaegan: also show reconstructions to D as fakes, on or off.") var reconstructionsAsFakes = Switch.off
    @Option(help: "vaegan: D's learning rate (default: --lr).") var discriminatorLr: Float?
    @Option(help: "vaegan: Adam's β₁ for all three parts.") var beta1: Float = 0.5
    @Option(help: "vaegan: equilibrium gating, on or off.") var gating = Switch.on

    func validate() throws {
        guard epochs >= 0 else { throw ValidationError("--epochs must be non-negative") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (all cores) or positive") }
        if let latent, latent <= 0 { throw ValidationError("--latent must be positive") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive") }
        if let discriminatorLr, !(discriminatorLr > 0 && discriminatorLr.isFinite) {
            throw ValidationError("--discriminator-lr must be positive")
        }
        guard beta1 >= 0 && beta1 < 1 else { throw ValidationError("--beta1 must be in [0, 1)") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        guard metricsEvery >= 0, metricsSamples >= 4 else { throw ValidationError("--metrics-every must be ≥ 0 and --metrics-samples ≥ 4") }
        if metricsEvery > 0, dataOptions.builtIn == nil {
            throw ValidationError("--metrics-every needs a built-in data set (fashion-mnist or mnist) for its classifier")
        }
        guard ["bernoulli", "gaussian"].contains(likelihood) else {
            throw ValidationError("--likelihood must be bernoulli or gaussian")
        }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in try train() }
    }

    private func train() throws(VAEGANError) {
        try Threads.set(threads)
        var (trainSet, testSet) = try dataOptions.load()
        if let limit { trainSet = trainSet.prefix(limit) }
        var options = TrainingOptions(epochs: epochs, outputDirectory: out ?? "runs/\(model.rawValue)")
        options.quiet = quiet
        options.sampleQualityEvery = metricsEvery
        options.sampleQualityCount = metricsSamples
        let loader = try BatchLoader(trainSet, batchSize: batchSize, seed: seed &+ 1)
        let checkpointExists = FileManager.default.fileExists(atPath: options.checkpointPath)

        let trainable: any Trainable
        var checkpoint: SafeTensorsFile?
        if resume && checkpointExists {
            let file = try SafeTensorsFile.read(from: options.checkpointPath)
            try file.requireModel(model.rawValue)
            trainable = try loadTrainable(file)
            checkpoint = file
        } else {
            if resume { FileHandle.standardError.write(Data("no checkpoint in \(options.outputDirectory); starting afresh\n".utf8)) }
            trainable = try makeTrainable(width: trainSet.featureCount, stepsPerEpoch: loader.batchesPerEpoch)
        }
        // --metrics-every scores in the data set's domain-classifier features (validate() made
        // sure the data set is a built-in one).
        var sampleQuality: SampleQualityEvaluator?
        if metricsEvery > 0, let dataset = dataOptions.builtIn {
            sampleQuality = try SampleQualityEvaluator(for: dataset, quiet: quiet)
        }
        let trainer = try Trainer(model: trainable, loader: loader, test: testSet, options: options,
                                  sampleQuality: sampleQuality)
        if let checkpoint {
            try trainer.restore(from: checkpoint)
            trainer.progress.note("resuming \(options.checkpointPath) after epoch \(trainer.nextEpoch - 1)")
        }
        trainer.progress.note("training \(model.rawValue) on \(dataOptions.data): \(trainSet.count) examples, \(loader.batchesPerEpoch) batches of \(batchSize) per epoch, \(Threads.count) threads")
        try trainer.run()
        trainer.progress.note("wrote \(options.outputDirectory)/: checkpoint.safetensors, metrics.csv, loss.png and pictures")
    }

    private func loadTrainable(_ file: SafeTensorsFile) throws(VAEGANError) -> any Trainable {
        switch model {
        case .vae: try VAETraining.load(from: file)
        case .gan: try GANTraining.load(from: file)
        case .vaegan: try VAEGANTraining.load(from: file)
        }
    }

    private func makeTrainable(width: Int, stepsPerEpoch: Int) throws(VAEGANError) -> any Trainable {
        switch model {
        case .vae:
            var c = VAEConfiguration()
            c.inputWidth = width
            c.latentWidth = latent ?? c.latentWidth
            c.beta = beta
            if likelihood == "gaussian" { c.likelihood = .gaussian(sigma: sigma, learned: learnSigma) }
            let vae = try VAE(c, batchCapacity: batchSize, seed: seed)
            return try VAETraining(vae: vae, learningRate: lr ?? 1e-3, warmupEpochs: warmupEpochs,
                                   stepsPerEpoch: stepsPerEpoch)
        case .gan:
            var c = GANConfiguration()
            c.dataWidth = width
            c.latentWidth = latent ?? c.latentWidth
            c.objective = objective ?? .nonSaturating
            c.realLabel = realLabel
            let gan = try GAN(c, batchCapacity: batchSize, seed: seed)
            return try GANTraining(gan: gan, learningRate: lr ?? 2e-4, discriminatorSteps: discriminatorSteps,
                                   generatorSteps: generatorSteps)
        case .vaegan:
            var c = VAEGANConfiguration()
            c.inputWidth = width
            c.latentWidth = latent ?? c.latentWidth
            c.gamma = gamma
            c.pixelWeight = pixelWeight ?? c.pixelWeight
            c.featureLayer = featureLayer
            c.reconstructionsAsFakes = reconstructionsAsFakes == .on
            c.gating = gating == .on
            c.objective = objective ?? .minimax
            let model = try VAEGAN(c, batchCapacity: batchSize, seed: seed)
            return try VAEGANTraining(model: model, learningRate: lr ?? 3e-4, discriminatorLearningRate: discriminatorLr,
                                      beta1: beta1)
        }
    }
}
