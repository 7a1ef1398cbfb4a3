// CModel: what a vg_model handle points at. One of the three training adapters (model,
// optimizers, schedule), the generator that shuffles training rows, the epoch count and the
// figures of the last training call, plus one workspace for inference in batch-sized chunks.
//
// C never sees this type: it holds an opaque pointer to a retained CModel (see CRegistry.swift).
import CVAEGAN

final class CModel {
    /// The model with its optimizers, as the training loop drives it.
    enum Network {
        case vae(VAETraining)
        case gan(GANTraining)
        case vaegan(VAEGANTraining)
    }

    private(set) var network: Network
    /// Shuffles the rows of each epoch; saved in checkpoints as "loader_rng" (as `vaegan train` does).
    var loaderRNG: RandomGenerator
    /// Epochs completed by vg_model_train (and by the run a checkpoint came from).
    var epoch: Int
    /// The figures of the last training call; nil until this handle trains.
    var lastMetrics: vg_metrics?
    /// (batchCapacity, max(input, latent)) floats: one chunk of a caller's rows at a time.
    let workspace: Tensor

    init(_ network: Network, loaderRNG: RandomGenerator, epoch: Int = 0) {
        self.network = network
        self.loaderRNG = loaderRNG
        self.epoch = epoch
        workspace = Tensor(shape: [Self.batchCapacity(of: network), max(Self.inputWidth(of: network), Self.latentWidth(of: network))])
    }

    var kind: vg_model_kind {
        switch network {
        case .vae: VG_MODEL_VAE
        case .gan: VG_MODEL_GAN
        case .vaegan: VG_MODEL_VAEGAN
        }
    }

    var kindName: String {
        switch network {
        case .vae: "β-VAE"
        case .gan: "GAN"
        case .vaegan: "VAE-GAN"
        }
    }

    var trainable: any Trainable {
        switch network {
        case .vae(let t): t
        case .gan(let t): t
        case .vaegan(let t): t
        }
    }

    var inputWidth: Int { Self.inputWidth(of: network) }
    var latentWidth: Int { Self.latentWidth(of: network) }
    var batchCapacity: Int { Self.batchCapacity(of: network) }

    /// Optimizer steps taken: batches trained on (the GAN counts its discriminator steps).
    var steps: Int {
        switch network {
        case .vae(let t): t.step
        case .gan(let t): t.schedule.discriminatorOptimizer.stepCount
        case .vaegan(let t): t.encoderOptimizer.stepCount
        }
    }

    /// The encoder–decoder pair of a β-VAE or VAE-GAN; `.wrongModel` for a GAN.
    func autoencoder() throws(VAEGANError) -> any Autoencoding {
        switch network {
        case .vae(let t): return t.vae
        case .vaegan(let t): return t.model
        case .gan: throw .wrongModel("a GAN has no encoder; this needs a β-VAE or VAE-GAN handle")
        }
    }

    /// The inference-only view the library's sampling works on.
    var trainedModel: TrainedModel {
        switch network {
        case .vae(let t): .vae(t.vae)
        case .gan(let t): .gan(t.gan)
        case .vaegan(let t): .vaegan(t.model)
        }
    }

    /// Before the first step, the β-VAE's warm-up schedule learns the epoch length (it counts
    /// warm-up in steps): `rows` of the first training call, in batches. Nothing else changes,
    /// as no optimizer state exists yet.
    func prepareWarmup(rows: Int) throws(VAEGANError) {
        guard case .vae(let t) = network, t.warmupEpochs > 0, t.step == 0 else { return }
        let stepsPerEpoch = (rows + t.vae.batchCapacity - 1) / t.vae.batchCapacity
        guard stepsPerEpoch != t.stepsPerEpoch else { return }
        network = .vae(try VAETraining(vae: t.vae, learningRate: t.optimizer.learningRate,
                                       warmupEpochs: t.warmupEpochs, stepsPerEpoch: stepsPerEpoch))
    }

    private static func inputWidth(of network: Network) -> Int {
        switch network {
        case .vae(let t): t.vae.inputWidth
        case .gan(let t): t.gan.dataWidth
        case .vaegan(let t): t.model.inputWidth
        }
    }

    private static func latentWidth(of network: Network) -> Int {
        switch network {
        case .vae(let t): t.vae.latentWidth
        case .gan(let t): t.gan.latentWidth
        case .vaegan(let t): t.model.latentWidth
        }
    }

    private static func batchCapacity(of network: Network) -> Int {
        switch network {
        case .vae(let t): t.vae.batchCapacity
        case .gan(let t): t.gan.batchCapacity
        case .vaegan(let t): t.model.batchCapacity
        }
    }
}
