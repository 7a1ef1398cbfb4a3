// vaegan train: trains any registered kind (ModelRegistry: β-VAE, GAN, VAE-GAN), writing
// checkpoint, metrics and pictures through Trainer's observers. The defaults of every flag are
// read from the kinds' training configurations; each kind's own flags are applied by its
// extension in TrainFlags.swift.
import ArgumentParser
import Foundation
import VAEGAN

extension GANObjective: ExpressibleByArgument {}
extension WeightChoice: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { allCases.map(\.name) }
}

enum Switch: String, ExpressibleByArgument, CaseIterable {
    case on, off
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model; writes checkpoint.safetensors, metrics.csv and PNG pictures into --out.")

    @Option(help: ArgumentHelp("\(ModelRegistry.names.joined(separator: ", ")).")) var model = ModelRegistry.names[0]
    @OptionGroup var dataOptions: DataOptions
    @Option(help: "Epochs to train (with --resume: the total, counting finished ones; default 10, or the --preset's).") var epochs: Int?
    @Option(help: ArgumentHelp("vae: a training recipe, \(VAERecipe.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")); flags given beside it override it."))
    var preset: String?
    @Option(help: ArgumentHelp("Examples per batch (default \(defaultsText { $0.batchSize })).")) var batchSize: Int?
    @Option(help: ArgumentHelp("Latent size (default \(defaultsText { $0.latentWidth })).")) var latent: Int?
    @Option(help: ArgumentHelp("Learning rate (default \(defaultsText { $0.learningRate })).")) var lr: Float?
    @Option(help: "Seed of every random choice (weights, batches, noise).") var seed: UInt64 = 0
    @Option(help: "Threads for the whole process; 0 means all cores.") var threads = 0
    @Option(help: "Output folder (default runs/MODEL).") var out: String?
    @Option(help: ArgumentHelp("the networks, \(ArchitecturePreset.allCases.map(\.rawValue).joined(separator: " or ")) (vaegan spec prints them; default mlp).")) var architecture: String?
    @Option(help: "a JSON file of the networks, as `vaegan spec` prints them (parts it names replace --architecture's).") var spec: String?
    @Flag(help: "Continue from --out's checkpoint (a weights-only one: its weights, fresh optimizer state).") var resume = false
    @Option(help: "Train on the first N training examples only (quick runs).") var limit: Int?
    @Flag(help: "No progress output.") var quiet = false
    @Option(help: "Under mpirun: start summing each part's last layers' gradients across the ranks while the backward pass computes the earlier ones (on), or sum each part after its backward pass (off). Default: on when the ranks span several machines; off when they share one, where the sums are the cores' own work and overlapping only adds calls.")
    var overlap: Switch?
    @Option(help: "Append each step's running loss and a hash of all weights to this file (PATH.rankN under mpirun); the MPI tests compare them.")
    var stepLog: String?
    @Option(help: "Every N epochs (and after the last) score samples: FID, precision/recall, classes covered, in metrics.csv and loss.png (built-in data sets; 0 = never).")
    var metricsEvery = 0
    @Option(help: "Samples drawn for each --metrics-every score.") var metricsSamples = 2000
    @Option(help: "vae: every N epochs (and after the last) estimate the test log-likelihood (IWAE bound) into metrics.csv as test_nll (0 = never); `vaegan plot-likelihood` draws it against minutes of training.")
    var likelihoodEvery = 0
    @Option(help: "Importance samples K per image for --likelihood-every.") var likelihoodSamples = TrainingOptions(epochs: 0, outputDirectory: "").likelihoodSamples
    @Option(help: "Test images (the first N) for --likelihood-every.") var likelihoodImages = TrainingOptions(epochs: 0, outputDirectory: "").likelihoodImages

    // β-VAE
    @Option(help: "vae: weight of the KL term.") var beta: Float = VAETrainingConfiguration().model.beta
    @Option(help: "vae: epochs over which β rises linearly from 0.") var warmupEpochs = VAETrainingConfiguration().warmupEpochs
    @Option(help: "vae: the learning rate over --epochs: constant, stepped (the IWAE paper's 8 stages of 1, 3, 9, … of 3280 epochs, scaled to --epochs, each 10^(−1/7) lower) or cosine (decays to about 0).")
    var lrSchedule: LearningRateSchedule?
    @Option(help: "vae: bernoulli or gaussian.") var likelihood = "bernoulli"
    @Option(help: "vae: σ of the Gaussian likelihood.") var sigma: Float = Likelihood.defaultGaussianSigma
    @Flag(help: "vae: learn σ of the Gaussian likelihood.") var learnSigma = false

    // GAN and VAE-GAN
    @Option(help: "vae: elbo (default) or iwae (the importance-weighted bound); gan: minimax or nonsaturating (default); vaegan: the decoder's form (default minimax mlp, nonsaturating conv).")
    var objective: String?
    @Option(help: "vae: importance samples K per example for --objective iwae (default 5).") var importanceSamples: Int?
    @Flag(help: "vae: with --objective iwae, the doubly reparameterized gradient (DReG) for the encoder.") var dreg = false
    @Option(name: .customLong("d-steps"), help: "gan: discriminator steps per generator step (k).")
    var discriminatorSteps = GANTrainingConfiguration().discriminatorSteps
    @Option(name: .customLong("g-steps"), help: "gan: generator steps per round.")
    var generatorSteps = GANTrainingConfiguration().generatorSteps
    @Option(help: "gan: target for real examples (one-sided label smoothing, e.g. 0.9).")
    var realLabel: Float = GANTrainingConfiguration().model.realLabel
    @Option(help: "gan, vaegan: keep an exponential moving average of the generator's (decoder's) weights with this decay, e.g. 0.999 (0 = none); pictures, sample and eval use it.")
    var emaDecay: Float = GANTrainingConfiguration().emaDecay

    // VAE-GAN
    @Option(help: "vaegan: weight γ of L_llike in the decoder's update (default 1 mlp, 0.01 conv).") var gamma: Float?
    @Option(help: "vaegan: weight λ of the pixel term ½‖x − x̃‖² in the encoder's and decoder's updates.")
    var pixelWeight: Float?
    @Option(help: "vaegan: index of D's hidden layer used as the feature space.")
    var featureLayer: Int?
    @Option(help: "vaegan: also show reconstructions to D as fakes, on or off.")
    var reconstructionsAsFakes = Switch(VAEGANTrainingConfiguration().model.reconstructionsAsFakes)
    @Option(help: "vaegan: D's learning rate (default: --lr).") var discriminatorLr: Float?
    @Option(help: "vaegan: Adam's β₁ for all three parts.") var beta1: Float = VAEGANTrainingConfiguration().beta1
    @Option(help: "vaegan: equilibrium gating, on or off (default on mlp, off conv).") var gating: Switch?

    func validate() throws {
        guard ModelRegistry.names.contains(model) else {
            throw ValidationError("--model must be one of \(ModelRegistry.names.joined(separator: ", ")), not '\(model)'")
        }
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be non-negative") }
        if let preset {
            guard VAERecipe(rawValue: preset) != nil else {
                throw ValidationError("--preset must be one of \(VAERecipe.allCases.map(\.rawValue).joined(separator: ", ")), not '\(preset)'")
            }
            guard model == "vae" else { throw ValidationError("--preset is for the vae") }
        }
        if let batchSize, batchSize <= 0 { throw ValidationError("--batch-size must be positive") }
        guard threads >= 0 else { throw ValidationError("--threads must be 0 (all cores) or positive") }
        if let latent, latent <= 0 { throw ValidationError("--latent must be positive") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive") }
        if let discriminatorLr, !(discriminatorLr > 0 && discriminatorLr.isFinite) {
            throw ValidationError("--discriminator-lr must be positive")
        }
        guard beta1 >= 0 && beta1 < 1 else { throw ValidationError("--beta1 must be in [0, 1)") }
        guard emaDecay >= 0 && emaDecay < 1 else { throw ValidationError("--ema-decay must be in [0, 1): 0 keeps no average") }
        if emaDecay > 0, model == "vae" { throw ValidationError("--ema-decay is for the GAN and the VAE-GAN (their generator and decoder)") }
        if let lrSchedule, lrSchedule != .constant, model != "vae" { throw ValidationError("--lr-schedule is for the vae only (for now); the \(model) trains at a constant rate") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive") }
        guard metricsEvery >= 0, metricsSamples >= 4 else { throw ValidationError("--metrics-every must be ≥ 0 and --metrics-samples ≥ 4") }
        if metricsEvery > 0, dataOptions.builtIn == nil {
            throw ValidationError("--metrics-every needs a built-in data set (fashion-mnist or mnist) for its classifier")
        }
        guard likelihoodEvery >= 0, likelihoodSamples >= 1, likelihoodImages >= 1 else {
            throw ValidationError("--likelihood-every must be ≥ 0, --likelihood-samples and --likelihood-images positive")
        }
        if likelihoodEvery > 0, model != "vae" { throw ValidationError("--likelihood-every is for the vae") }
        if let architecture, ArchitecturePreset(rawValue: architecture) == nil {
            throw ValidationError("--architecture must be \(ArchitecturePreset.allCases.map(\.rawValue).joined(separator: " or ")), not '\(architecture ?? "")'")
        }
        if let objective {
            let allowed = model == "vae" ? ["elbo", "iwae"] : GANObjective.allCases.map(\.rawValue)
            guard allowed.contains(objective) else {
                throw ValidationError("--objective for the \(model) must be \(allowed.joined(separator: " or ")), not '\(objective)'")
            }
        }
        if let importanceSamples, !(1...100_000).contains(importanceSamples) { throw ValidationError("--importance-samples must be in 1…100000") }
        // With a preset the objective may come from it (an IWAE one); otherwise from --objective.
        let importanceWeighted = objective == "iwae" || objective == nil && recipe?.configuration.model.objective != .elbo && recipe != nil
        if dreg || importanceSamples != nil, !importanceWeighted {
            throw ValidationError("--dreg and --importance-samples need --objective iwae")
        }
        guard ["bernoulli", "gaussian"].contains(likelihood) else {
            throw ValidationError("--likelihood must be bernoulli or gaussian")
        }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) -> Void in
            // Started by mpirun with several ranks: one model trained by all of them (Distributed/).
            guard let mpi = try MPIPlugin.launched() else { return try train(mpi: nil) }
            do throws(VAEGANError) {
                try train(mpi: mpi)
            } catch {
                // The other ranks would wait for this one in their next allreduce: end them all.
                FileHandle.standardError.write(Data("error (rank \(mpi.rank) of \(mpi.size)): \(error.message)\n".utf8))
                mpi.abort(code: 1)
            }
            mpi.finish()
        }
    }

    /// --overlap, or by default whether the ranks span more than this machine.
    private func overlapsBackward(_ mpi: MPIPlugin) -> Bool {
        overlap.map { $0 == .on } ?? (mpi.localSize < mpi.size)
    }

    private func train(mpi: MPIPlugin?) throws(VAEGANError) {
        // All cores means this rank's share of them when several ranks share the machine.
        try Threads.set(threads == 0 && (mpi?.localSize ?? 1) > 1
                        ? max(1, ProcessInfo.processInfo.activeProcessorCount / mpi!.localSize) : threads)
        let isFirstRank = (mpi?.rank ?? 0) == 0
        var (trainSet, testSet) = try dataOptions.load()
        if let limit { trainSet = try trainSet.prefix(limit) }
        var options = TrainingOptions(epochs: epochCount, outputDirectory: out ?? "runs/\(model)")
        options.quiet = quiet || !isFirstRank
        options.writesOutput = isFirstRank
        options.stepLogPath = stepLog.map { path in mpi.map { "\(path).rank\($0.rank)" } ?? path }
        options.sampleQualityEvery = metricsEvery
        options.sampleQualityCount = metricsSamples
        options.likelihoodEvery = likelihoodEvery
        options.likelihoodSamples = likelihoodSamples
        options.likelihoodImages = likelihoodImages
        let kind = try ModelRegistry.kind(named: model)
        var configuration = try configuration(of: kind)
        let loader = try dataOptions.loader(for: trainSet, batchSize: configuration.batchSize, seed: seed &+ 1)
        let checkpointExists = FileManager.default.fileExists(atPath: options.checkpointPath)

        let training: any GenerativeTraining
        var checkpoint: SafeTensorsFile?
        if resume && checkpointExists {
            let file = try SafeTensorsFile.read(from: options.checkpointPath)
            try file.requireModel(model)
            let loaded = try kind.loadTraining(from: file)
            training = loaded.training
            if loaded.fresh {
                // Weights only: no optimizer moments, generator states or epoch to continue from.
                if isFirstRank { FileHandle.standardError.write(Data("warning: \(options.checkpointPath) holds weights only; training on from them with fresh optimizer state, from epoch 1\n".utf8)) }
            } else {
                checkpoint = file
            }
        } else {
            if resume && isFirstRank { FileHandle.standardError.write(Data("no checkpoint in \(options.outputDirectory); starting afresh\n".utf8)) }
            configuration.seed = seed
            training = try configuration.makeTraining(inputWidth: trainSet.featureCount, stepsPerEpoch: loader.batchesPerEpoch)
        }
        var ranks = "", reducer: GradientReducer?
        if let mpi {
            try requireShards(loader: loader, ranks: mpi.size)
            reducer = GradientReducer(communicator: mpi, overlapsBackward: overlapsBackward(mpi))
            try training.distribute(with: reducer!)
            ranks = " on each of \(mpi.size) MPI ranks (\(mpi.libraryVersion)), each training \(loader.batchSize / mpi.size)–\((loader.batchSize + mpi.size - 1) / mpi.size) rows of every batch"
        }
        // --metrics-every scores in the data set's domain-classifier features (validate() made
        // sure the data set is a built-in one).
        var sampleQuality: SampleQualityEvaluator?
        if metricsEvery > 0, let dataset = dataOptions.builtIn {
            sampleQuality = try SampleQualityEvaluator(for: dataset, quiet: options.quiet)
        }
        let trainer = try Trainer(model: training, loader: loader, test: testSet, options: options,
                                  sampleQuality: sampleQuality, communicator: mpi)
        if let checkpoint {
            try trainer.restore(from: checkpoint)
            trainer.progress.note("resuming \(options.checkpointPath) after epoch \(trainer.nextEpoch - 1)")
        }
        trainer.progress.note("training \(model) on \(dataOptions.data): \(trainSet.count) examples, \(loader.batchesPerEpoch) batches of \(loader.batchSize) per epoch, \(Threads.count) threads\(ranks)")
        let started = Date()
        try trainer.run()
        if let reducer {
            let seconds = Date().timeIntervalSince(started)
            trainer.progress.note(String(format: "rank 0 waited %.2f s of %.2f s (%.1f%%) for gradient sums (overlap %@)",
                                         reducer.waitingSeconds, seconds, 100 * reducer.waitingSeconds / seconds,
                                         reducer.overlapsBackward ? "on" : "off"))
        }
        trainer.progress.note("wrote \(options.outputDirectory)/: checkpoint.safetensors, metrics.csv, loss.png and pictures")
    }

    /// Every rank needs at least one row of every batch, the last (partial) one included.
    private func requireShards(loader: BatchLoader, ranks: Int) throws(VAEGANError) {
        let last = loader.examples.count - (loader.batchesPerEpoch - 1) * loader.batchSize
        guard min(loader.batchSize, last) >= ranks else {
            throw .invalidArgument("\(ranks) ranks need batches of at least \(ranks) rows; with --batch-size \(loader.batchSize) the last batch of each epoch has \(last): change --batch-size or --limit")
        }
    }

    /// The recipe of --preset, if any.
    var recipe: VAERecipe? { preset.flatMap(VAERecipe.init(rawValue:)) }

    /// --epochs, or the preset's, or 10.
    var epochCount: Int { epochs ?? recipe?.epochs ?? 10 }

    /// The kind's defaults (or the preset's configuration) with the shared flags and its own
    /// flags (TrainFlags.swift) applied.
    private func configuration(of kind: any GenerativeTraining.Type) throws(VAEGANError) -> any KindFlags {
        guard var configuration = (recipe?.configuration ?? defaults(of: kind)) as? any KindFlags else {
            throw .invalidArgument("vaegan train has no flags for the \(kind.displayName) (TrainFlags.swift)")
        }
        configuration.latentWidth = latent ?? configuration.latentWidth
        configuration.learningRate = lr ?? configuration.learningRate
        configuration.batchSize = batchSize ?? configuration.batchSize
        try configuration.apply(self)
        return configuration
    }
}

/// `Switch.on` for true.
extension Switch {
    init(_ value: Bool) { self = value ? .on : .off }
}

/// The values of one default across the kinds, for --help: "32 (vae), 64 (gan), 32 (vaegan)",
/// or one value when all kinds agree.
private func defaultsText<Value: CustomStringConvertible>(_ value: (any TrainingConfiguration) -> Value) -> String {
    let values = ModelRegistry.kinds.map { ($0.kind, value(defaults(of: $0)).description) }
    if Set(values.map(\.1)).count == 1 { return values[0].1 }
    return values.map { "\($0.1) \($0.0)" }.joined(separator: ", ")
}

/// `Configuration()` of a kind.
private func defaults(of kind: any GenerativeTraining.Type) -> any TrainingConfiguration {
    func open<Kind: GenerativeTraining>(_: Kind.Type) -> any TrainingConfiguration { Kind.Configuration() }
    return open(kind)
}
