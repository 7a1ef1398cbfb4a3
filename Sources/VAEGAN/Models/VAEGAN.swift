// VAEGAN: the VAE whose decoder is a GAN's generator and whose reconstruction error is
// measured in a hidden layer Dis_l of the discriminator (Larsen et al. 2016).
//
//   L_prior = KL(q(z|x) ‖ N(0, I))
//   L_llike = ½ Σ (Dis_l(x) − Dis_l(x̃))²          Gaussian NLL with σ = 1, constant dropped
//   L_GAN   = BCE(D(x), 1) + BCE(D(Dec(z_p)), 0)  [+ BCE(D(x̃), 0) as an option]
//   L_pixel = ½ Σ (x − x̃)²                        Gaussian NLL in pixels, σ = 1; weight λ
//
//   encoder ← ∇(L_prior + L_llike + λ·L_pixel)     no L_GAN
//   decoder ← ∇(γ·L_llike − L_GAN + λ·L_pixel)     minimax; or γ·L_llike + BCE(D(fakes), 1)
//                                                  + λ·L_pixel, non-saturating
//   D       ← ∇ L_GAN                              no L_llike, no L_pixel
//
// L_pixel is not in the paper. An MLP D's 256 features leave most directions of the 784
// pixels unseen, so matching Dis_l alone lets salt-and-pepper noise through; a small λ
// penalizes what Dis_l cannot see (see VAEGANConfiguration.pixelWeight).
//
// Each loss reaches only its part because every backward pass says which parameter
// gradients it accumulates: D's passes for L_llike and for the decoder's GAN term accumulate
// none, and the decoder runs backward twice on x̃: once with γ·L_llike − L_GAN + λ·L_pixel for
// its own weights, once with L_llike + λ·L_pixel for the gradient it hands the encoder.
//
// A step runs the decoder forward twice (on z_p and on z) and D three times (on x, x_p and
// x̃), one pass after another: each pass's backward runs before the next forward, so one
// instance of each network (one set of activations and workspaces) serves them all, and only
// Dis_l(x), L_llike's target, is copied out of D's real pass. The latent path (ε,
// z = μ + σ·ε, the KL) is the β-VAE's GaussianLatent.
import CVAEGAN
import Foundation

/// One VAE-GAN step's figures (batch means) and the gate's decisions.
public struct VAEGANStep: Sendable {
    public var prior: Double
    public var llike: Double
    /// L_pixel = ½ Σ (x − x̃)², reported whatever its weight λ (0 included).
    public var pixel: Double
    /// L_GAN as D sees it (the terms D is trained on).
    public var gan: Double
    public var realProbability: Double
    public var fakeProbability: Double
    /// Mean BCE of D on real examples and on prior samples: the gate's inputs.
    public var discriminatorRealLoss: Double
    public var discriminatorFakeLoss: Double
    public var updatedDiscriminator: Bool
    public var updatedDecoder: Bool
}

/// Encoder, decoder (= generator) and discriminator with three optimizers.
public final class VAEGAN {
    public let configuration: VAEGANConfiguration
    public let batchCapacity: Int
    public let encoder: GaussianEncoder
    /// ε, z = μ + σ·ε and the KL, with their backward (shared with the β-VAE).
    public let latent: GaussianLatent
    /// The decoder; in a training step it runs on prior samples z_p, then on posterior samples z.
    public let decoder: Sequential
    public var decoderNetwork: Sequential { decoder }
    /// D's layers up to and including Dis_l.
    public let discriminatorFeatures: Sequential
    /// D's layers after Dis_l, ending in one logit.
    public let discriminatorHead: Sequential
    public var rng: RandomGenerator
    /// The rows of each training batch this process trains on (data-parallel training); every
    /// row when training alone.
    public var shard = BatchShard.whole

    /// D as one network, its features and head.
    private struct SplitDiscriminator {
        let features: Sequential
        let head: Sequential

        /// Backward through the head, then the features, from logit gradients; D's parameters
        /// accumulate only when `trainsDiscriminator`. Returns ∂/∂input when asked.
        /// `listener` hears of this pass's finished layers (D's last pass of a step).
        @discardableResult
        func backward(_ dLogits: Matrix, trainsDiscriminator: Bool, needsInputGradient: Bool,
                      listener: (any BackwardListener)? = nil) -> Matrix {
            (head.backwardListener, features.backwardListener) = (listener, listener)
            defer { (head.backwardListener, features.backwardListener) = (nil, nil) }
            let df = head.backward(dLogits, computeInputGradient: true, accumulateParameterGradients: trainsDiscriminator)
            return features.backward(df, computeInputGradient: needsInputGradient,
                                     accumulateParameterGradients: trainsDiscriminator)
        }
    }
    /// D's features and head, run on x, then x_p, then x̃.
    private let discriminator: SplitDiscriminator
    /// Told as the decoder's and D's layers finish their last backward pass of a step, which
    /// is not their only one (`listenToLastBackwardPasses`).
    private var decoderListener: (any BackwardListener)?, discriminatorListener: (any BackwardListener)?

    /// Each part's parameters in one buffer: the parts the three optimizers step over.
    public let encoderStore: ParameterStore
    public let decoderStore: ParameterStore
    /// D's features and head, in that order.
    public let discriminatorStore: ParameterStore
    /// Each part's parameters, in its store's order.
    public var encoderParameters: [Parameter] { encoderStore.parameters }
    public var decoderParameters: [Parameter] { decoderStore.parameters }
    public var discriminatorParameters: [Parameter] { discriminatorStore.parameters }

    // Workspaces, (batchCapacity, width) each.
    private let priorNoise: Tensor
    /// Dis_l(x), kept from D's real pass for L_llike after D has run on x_p.
    private let realFeatures: Tensor
    private let featureGradient: Tensor, logitGradient: Tensor
    private let decoderGradient: Tensor, encoderPathGradient: Tensor, pixelGradient: Tensor

    public init(_ configuration: VAEGANConfiguration, batchCapacity: Int = 128, seed: UInt64 = 0)
        throws(VAEGANError)
    {
        try configuration.validate()
        try require(batchCapacity > 0, "batch size must be positive, not \(batchCapacity)")
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        let c = configuration
        var rng = RandomGenerator(seed: seed)
        // Each part is initialized before the next is built, so each draws from rng where it
        // always has: encoder, decoder, D.
        let encoderLayout = ParameterStore.Layout()
        encoder = try GaussianEncoder(body: c.encoderNetwork, latentWidth: c.latentWidth,
                                      initialization: c.initialization, batchCapacity: batchCapacity,
                                      parameters: encoderLayout)
        encoderStore = try ParameterStore(encoderLayout, initializingWith: &rng)
        let decoderLayout = ParameterStore.Layout()
        decoder = try c.decoderNetwork.build(name: "decoder", initialization: c.initialization,
                                             batchCapacity: batchCapacity, parameters: decoderLayout)
        decoderStore = try ParameterStore(decoderLayout, initializingWith: &rng)
        let discriminatorLayout = ParameterStore.Layout()
        let d = try c.discriminatorNetwork.build(name: "discriminator", initialization: c.initialization,
                                                 batchCapacity: batchCapacity, parameters: discriminatorLayout)
        discriminatorStore = try ParameterStore(discriminatorLayout, initializingWith: &rng)
        discriminatorFeatures = Sequential(Array(d.layers[...c.featureLayer]))
        discriminatorHead = Sequential(Array(d.layers[(c.featureLayer + 1)...]))
        self.rng = rng
        latent = try GaussianLatent(width: c.latentWidth, batchCapacity: batchCapacity)
        discriminator = SplitDiscriminator(features: discriminatorFeatures, head: discriminatorHead)
        let image = [batchCapacity, c.inputWidth]
        let features = [batchCapacity, discriminatorFeatures.outputWidth]
        priorNoise = try .zeros([batchCapacity, c.latentWidth])
        realFeatures = try .zeros(features)
        featureGradient = try .zeros(features)
        logitGradient = try .zeros([batchCapacity, 1])
        decoderGradient = try .zeros(image); encoderPathGradient = try .zeros(image)
        pixelGradient = try .zeros(image)
    }

    public var inputWidth: Int { configuration.inputWidth }
    public var latentWidth: Int { configuration.latentWidth }
    public var featureWidth: Int { discriminatorFeatures.outputWidth }

    // MARK: Gradients

    /// Adds every part's gradient for one batch `x` into its parameters' gradients, each part
    /// getting only its own losses (see the file's header), and decides the gate. The caller
    /// zeroes gradients before and applies the optimizers after (`VAEGANTraining`). With a
    /// `shard`, only its rows of `batch` are computed, gradients and figures are their share of
    /// the batch's, and the gate must be decided again on the batch's summed losses.
    public func accumulateGradients(on batch: Matrix) -> VAEGANStep {
        let batchRows = batch.rows, x = shard.rows(of: batch), rows = x.rows, scale = 1 / Float(batchRows)
        let c = configuration
        let dLogits = Matrix(logitGradient.pointer, rows: rows, columns: 1)
        let decoderOut = Matrix(decoderGradient.pointer, rows: rows, columns: inputWidth)
        let encoderOut = Matrix(encoderPathGradient.pointer, rows: rows, columns: inputWidth)
        let dFeatures = Matrix(featureGradient.pointer, rows: rows, columns: featureWidth)
        let dPixel = Matrix(pixelGradient.pointer, rows: rows, columns: inputWidth)

        // Real x: D's L_GAN term BCE(D(x), 1) → D only. Dis_l(x), L_llike's target, is copied
        // out before D's next pass overwrites it.
        let d = discriminator
        let fReal = Matrix(realFeatures.pointer, rows: rows, columns: featureWidth)
        fReal.copy(from: d.features.forward(x))
        let realLogits = d.head.forward(fReal)
        let realProbability = shard.share(ofMean: meanSigmoid(realLogits), batchRows: batchRows)
        let realLoss = binaryCrossEntropy(logits: realLogits, target: 1, gradient: dLogits, gradientScale: scale) * Double(scale)
        d.backward(dLogits, trainsDiscriminator: true, needsInputGradient: false)

        // Prior samples x_p = Dec(z_p): D's term BCE(D(x_p), 0) → D; the decoder's GAN term → decoder.
        let zPrior = shard.normalRows(batchRows, columns: latentWidth, in: priorNoise.pointer, from: &rng)
        let fakeLogits = d.head.forward(d.features.forward(decoder.forward(zPrior)))
        let fakeProbability = shard.share(ofMean: meanSigmoid(fakeLogits), batchRows: batchRows)
        let fakeLoss = binaryCrossEntropy(logits: fakeLogits, target: 0, gradient: dLogits, gradientScale: scale) * Double(scale)
        let dPrior = d.backward(dLogits, trainsDiscriminator: true, needsInputGradient: true,
                                listener: c.reconstructionsAsFakes ? nil : discriminatorListener)
        decoderOut.copy(from: generatorGradient(dPrior, logits: fakeLogits, through: d, scale: scale))
        decoder.backward(decoderOut, computeInputGradient: false, accumulateParameterGradients: true)

        // Reconstructions x̃ = Dec(μ + σ·ε).
        let (mu, logvar) = encoder.forward(x)
        let xTilde = decoder.forward(latent.sample(mu: mu, logvar: logvar, noise: &rng, shard: shard, batchRows: batchRows))
        let reconstructed = d
        let fTilde = reconstructed.features.forward(xTilde)

        var ganLoss = realLoss + fakeLoss
        vg_fill(decoderOut.base, 0, Int64(decoderOut.count))
        if c.reconstructionsAsFakes { // BCE(D(x̃), 0) → D; its GAN term → decoder (never the encoder)
            let logits = reconstructed.head.forward(fTilde)
            ganLoss += binaryCrossEntropy(logits: logits, target: 0, gradient: dLogits, gradientScale: scale) * Double(scale)
            let dx = reconstructed.backward(dLogits, trainsDiscriminator: true, needsInputGradient: true,
                                            listener: discriminatorListener)
            decoderOut.copy(from: generatorGradient(dx, logits: logits, through: reconstructed, scale: scale))
        }

        // L_llike = ½ Σ (Dis_l(x̃) − Dis_l(x))², batch mean: through D's features (no D
        // gradients) to x̃. The encoder gets it alone; the decoder gets it weighted by γ.
        let llike = 0.5 * squaredError(prediction: fTilde, target: fReal, gradient: dFeatures, gradientScale: 0.5 * scale)
            * Double(scale)
        let dLlike = reconstructed.features.backward(dFeatures, computeInputGradient: true, accumulateParameterGradients: false)
        encoderOut.copy(from: dLlike)
        vg_axpy(decoderOut.base, c.gamma, dLlike.base, Int64(decoderOut.count))

        // λ·L_pixel, L_pixel = ½ Σ (x̃ − x)², batch mean: straight to x̃, so D never sees it;
        // encoder and decoder get the same λ-weighted gradient.
        let pixel = 0.5 * squaredError(prediction: xTilde, target: x, gradient: dPixel, gradientScale: 0.5 * scale)
            * Double(scale)
        vg_axpy(encoderOut.base, c.pixelWeight, dPixel.base, Int64(encoderOut.count))
        vg_axpy(decoderOut.base, c.pixelWeight, dPixel.base, Int64(decoderOut.count))

        // Both backward passes read the decoder's forward on z (z_p's pass is finished).
        decoder.backwardListener = decoderListener // the decoder's last pass that adds into its gradients
        decoder.backward(decoderOut, computeInputGradient: false, accumulateParameterGradients: true)
        decoder.backwardListener = nil
        let dz = decoder.backward(encoderOut, computeInputGradient: true, accumulateParameterGradients: false)

        // Encoder: L_llike + λ·L_pixel through z, plus L_prior = KL.
        let (dmu, dlogvar, kl) = latent.backward(zGradient: dz, klGradientScale: scale)
        encoder.backward(muGradient: dmu, logvarGradient: dlogvar)
        let priorLoss = kl * Double(scale)

        let (trainD, trainDecoder) = gate(realLoss: realLoss, fakeLoss: fakeLoss)
        return VAEGANStep(prior: priorLoss, llike: llike, pixel: pixel, gan: ganLoss, realProbability: realProbability,
                          fakeProbability: fakeProbability, discriminatorRealLoss: realLoss,
                          discriminatorFakeLoss: fakeLoss, updatedDiscriminator: trainD, updatedDecoder: trainDecoder)
    }

    /// Sets each part's listener on the pass that adds last into its gradients in a step, so the
    /// listener hears of final gradients only (data-parallel overlap, GradientBuckets): the
    /// encoder's one pass; the decoder's pass on z (z_p's came before); D's pass on x̃ when
    /// reconstructions are fakes, else on x_p (x's came before).
    public func listenToLastBackwardPasses(encoder encoderListener: (any BackwardListener)?,
                                           decoder decoderListener: (any BackwardListener)?,
                                           discriminator discriminatorListener: (any BackwardListener)?) {
        encoder.body.backwardListener = encoderListener
        self.decoderListener = decoderListener
        self.discriminatorListener = discriminatorListener
    }

    /// The reference code's equilibrium rule on D's mean BCE for real and fake examples.
    public func gate(realLoss: Double, fakeLoss: Double) -> (discriminator: Bool, decoder: Bool) {
        let c = configuration
        guard c.gating else { return (true, true) }
        let low = Double(c.gatingEquilibrium - c.gatingMargin), high = Double(c.gatingEquilibrium + c.gatingMargin)
        var trainD = true, trainDecoder = true
        if realLoss < low || fakeLoss < low { trainD = false }        // D winning by the margin
        if realLoss > high || fakeLoss > high { trainDecoder = false } // D losing by the margin
        if !trainD && !trainDecoder { return (true, true) }
        return (trainD, trainDecoder)
    }

    /// The decoder's GAN gradient at a fake batch whose D backward (through `d`, whose last
    /// forward ran on it) for BCE(l, 0) gave `dBCEFake`: minimax −L_GAN is its negation;
    /// non-saturating BCE(l, 1) needs one more pass back through the same forward with σ(l) − 1.
    private func generatorGradient(_ dBCEFake: Matrix, logits: Matrix, through d: SplitDiscriminator,
                                   scale: Float) -> Matrix {
        switch configuration.objective {
        case .minimax:
            vg_scale(dBCEFake.base, -1, Int64(dBCEFake.count))
            return dBCEFake
        case .nonSaturating:
            let dLogits = Matrix(logitGradient.pointer, rows: logits.rows, columns: 1)
            binaryCrossEntropy(logits: logits, target: 1, gradient: dLogits, gradientScale: scale)
            return d.backward(dLogits, trainsDiscriminator: false, needsInputGradient: true)
        }
    }

    // MARK: Inference

    public func encode(_ x: Matrix) -> (mu: Matrix, logvar: Matrix) {
        encoder.body.isTraining = false // evaluation mode: batch norms use running statistics
        defer { encoder.body.isTraining = true }
        return encoder.forward(x)
    }

    /// Images for latent rows (a view into the decoder's buffer, valid until the next call), in
    /// evaluation mode.
    public func decode(_ z: Matrix) -> Matrix {
        decoder.isTraining = false
        defer { decoder.isTraining = true }
        return decoder.forward(z)
    }

    /// Reconstruction through z = μ.
    public func reconstruct(_ x: Matrix) -> Matrix { decode(encode(x).mu) }
}
