// GenerativeTraining: one kind of generative model as the rest of the library sees it — its
// training adapter, which knows the model, its defaults, its checkpoint, its pictures and its
// C configuration. Everything that used to switch over the kinds (the tool, the C ABI,
// TrainedModel) asks ModelRegistry for the kind and then talks to this protocol.
import CVAEGAN

/// A model's own configuration (architecture, loss weights), as far as every kind has it.
public protocol ModelConfiguration: Sendable {
    /// Values per data row.
    var inputWidth: Int { get set }
    var latentWidth: Int { get set }
}

/// A kind's training configuration: the home of its defaults (learning rates, Adam's β₁,
/// batch size, …). `init()` is the reference configuration; the tool's flags, vg_config_init
/// and Python all start from it.
public protocol TrainingConfiguration {
    associatedtype Training: GenerativeTraining
    associatedtype Model: ModelConfiguration
    /// The kind's defaults.
    init()
    /// The model's configuration (its defaults: the reference model).
    var model: Model { get set }
    var batchSize: Int { get set }
    /// Seed of the initial weights and of the model's noise.
    var seed: UInt64 { get set }
    var learningRate: Float { get set }
    /// The model and its optimizers, for epochs of `stepsPerEpoch` batches.
    func makeTraining(stepsPerEpoch: Int) throws(VAEGANError) -> Training
}

extension TrainingConfiguration {
    /// Every kind's default batch size.
    public static var defaultBatchSize: Int { 128 }

    public var latentWidth: Int {
        get { model.latentWidth }
        set { model.latentWidth = newValue }
    }

    /// The model and its optimizers, for rows of `inputWidth` values.
    public func makeTraining(inputWidth: Int, stepsPerEpoch: Int) throws(VAEGANError) -> Training {
        var configuration = self
        configuration.model.inputWidth = inputWidth
        return try configuration.makeTraining(stepsPerEpoch: stepsPerEpoch)
    }
}

/// A generative model with its optimizers: one kind, registered in ModelRegistry.
public protocol GenerativeTraining: Trainable where Metrics: GenerativeMetrics {
    associatedtype Model: GenerativeModel
    associatedtype Configuration: TrainingConfiguration where Configuration.Training == Self

    /// The model being trained.
    var generativeModel: Model { get }
    /// Optimizer steps taken: batches trained on (the GAN counts its discriminator's steps).
    var stepCount: Int { get }
    /// The values training data must lie in, and why; nil when any finite value will do.
    var dataRange: (values: ClosedRange<Float>, reason: String)? { get }

    /// The whole training state (weights, optimizer state, counters, generator state).
    func checkpoint() -> SafeTensorsFile
    /// Rebuilds the whole training state from a checkpoint written by `checkpoint()`.
    static func load(from file: SafeTensorsFile) throws(VAEGANError) -> Self
    /// The model alone, for inference at `batchCapacity` rows (optimizer state is ignored).
    static func loadModel(from file: SafeTensorsFile, batchCapacity: Int) throws(VAEGANError) -> Model
    /// Training state made afresh around `model` (weights from a weights-only `file`, whose
    /// hyperparameters it uses where present): see loadTraining(from:).
    static func freshTraining(around model: Model, file: SafeTensorsFile) throws(VAEGANError) -> Self

    /// Learns the epoch length before the first step when the schedule counts in steps (the
    /// β-VAE's warm-up); the C ABI calls it with the first training call's data.
    func prepare(stepsPerEpoch: Int) throws(VAEGANError)
    /// The observers that write this kind's pictures (and per-epoch files) into `directory`.
    func outputObservers(directory: String, test: ImageDataset) -> [any TrainingObserver]
    /// Makes this a data-parallel run's copy: from now on each step trains the reducer's shard of
    /// its batch and sums gradients (each player's in its own step) and figures over the ranks
    /// before the optimizers move (Distributed/). Before the first step.
    ///
    /// - Throws: `.invalidArgument` for what cannot be trained in pieces.
    func distribute(with reducer: GradientReducer) throws(VAEGANError)
    /// The average of the generating part's weights (GAN generator, VAE-GAN decoder) when one
    /// is kept: pictures and scores during training use it, as `sample` and `eval` do.
    var averagedWeights: ExponentialMovingAverage? { get }

    /// The kind's constant in vaegan.h (vg_model_kind).
    static var cKind: vg_model_kind { get }
    /// Writes this kind's own fields of a vg_config (the shared ones are written for it).
    static func write(_ configuration: Configuration, into config: inout vg_config)
    /// Reads and checks this kind's own fields of a vg_config into `configuration`, whose shared
    /// fields are set already; refuses what memory cannot hold.
    static func read(_ config: vg_config, into configuration: inout Configuration) throws(VAEGANError)
}

extension GenerativeTraining {
    public static var kind: String { Model.kind }
    public static var displayName: String { Model.displayName }
    public var inputWidth: Int { generativeModel.inputWidth }
    public func prepare(stepsPerEpoch: Int) throws(VAEGANError) {}
    public var averagedWeights: ExponentialMovingAverage? { nil }
    /// The model being trained, as inference sees it (for samples scored during training).
    public var trainedModel: TrainedModel { TrainedModel(generativeModel) }
}
