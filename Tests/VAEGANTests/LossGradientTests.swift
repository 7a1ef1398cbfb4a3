// LossGradientTests: the objectives' gradients through their Swift wrappers (binary
// cross-entropy, squared error, Gaussian KL, the reparameterization) and a tiny β-VAE end to
// end, against finite differences (GradientCheck.swift). Each wrapper's loss value is also
// compared with the formula evaluated here in Double.
import Foundation
import Testing
import CVAEGAN
@testable import VAEGAN

@Suite struct LossGradientTests {
    static let shape = [3, 4]

    // MARK: Objectives

    @Test("binaryCrossEntropy(logits:targets:) value and ∂/∂logits")
    func bceAgainstTargets() {
        let logits = Tensor.normal(Self.shape, seed: 31, scale: 2)
        let targets = Tensor.uniform(Self.shape, seed: 32)
        let gradient = Tensor(shape: Self.shape)
        let scale: Float = 0.5
        let loss = binaryCrossEntropy(logits: logits.matrix, targets: targets.matrix, gradient: gradient.matrix,
                                      gradientScale: scale)
        var expected = 0.0 // −t log σ(l) − (1 − t) log(1 − σ(l))
        for i in 0..<logits.count {
            let l = Double(logits.pointer[i]), t = Double(targets.pointer[i])
            let p = 1 / (1 + exp(-l))
            expected += -t * log(p) - (1 - t) * log(1 - p)
        }
        #expect(isClose(loss, expected, relative: 1e-5))
        #expect(binaryCrossEntropy(logits: logits.matrix, targets: targets.matrix, gradient: nil) == loss)
        checkGradient("bce.targets.logits", of: logits, analytic: gradient.values) {
            Double(scale) * binaryCrossEntropy(logits: logits.matrix, targets: targets.matrix, gradient: nil)
        }
    }

    @Test("binaryCrossEntropy(logits:target:) value and ∂/∂logits", arguments: [Float(0), 0.3, 1])
    func bceAgainstConstant(target: Float) {
        let logits = Tensor.normal(Self.shape, seed: 33, scale: 2)
        let gradient = Tensor(shape: Self.shape)
        let scale: Float = 0.25
        let loss = binaryCrossEntropy(logits: logits.matrix, target: target, gradient: gradient.matrix,
                                      gradientScale: scale)
        var expected = 0.0
        for i in 0..<logits.count {
            let l = Double(logits.pointer[i]), t = Double(target)
            expected += max(l, 0) - l * t + log1p(exp(-abs(l)))
        }
        #expect(isClose(loss, expected, relative: 1e-5))
        checkGradient("bce.constant(\(target)).logits", of: logits, analytic: gradient.values) {
            Double(scale) * binaryCrossEntropy(logits: logits.matrix, target: target, gradient: nil)
        }
    }

    @Test("squaredError value and ∂/∂prediction")
    func squaredErrorGradient() {
        let prediction = Tensor.normal(Self.shape, seed: 34)
        let target = Tensor.normal(Self.shape, seed: 35)
        let gradient = Tensor(shape: Self.shape)
        let scale: Float = 0.5
        let loss = squaredError(prediction: prediction.matrix, target: target.matrix, gradient: gradient.matrix,
                                gradientScale: scale)
        var expected = 0.0
        for i in 0..<prediction.count {
            let d = Double(prediction.pointer[i]) - Double(target.pointer[i])
            expected += d * d
        }
        #expect(isClose(loss, expected, relative: 1e-6))
        checkGradient("squared_error.prediction", of: prediction, analytic: gradient.values) {
            Double(scale) * squaredError(prediction: prediction.matrix, target: target.matrix, gradient: nil)
        }
    }

    @Test("gaussianKL value, ∂/∂μ, ∂/∂logvar, accumulation and the per-dimension tally")
    func gaussianKLGradient() {
        let mu = Tensor.normal(Self.shape, seed: 36)
        let logvar = Tensor.normal(Self.shape, seed: 37, scale: 0.5)
        let muGradient = Tensor(shape: Self.shape), logvarGradient = Tensor(shape: Self.shape)
        let scale: Float = 0.5
        var perDimension = [Double](repeating: 0, count: Self.shape[1])
        let kl = perDimension.withUnsafeMutableBufferPointer {
            gaussianKL(mu: mu.matrix, logvar: logvar.matrix, muGradient: muGradient.matrix,
                       logvarGradient: logvarGradient.matrix, gradientScale: scale, perDimension: $0)
        }
        var expected = 0.0 // −½ Σ (1 + logvar − μ² − exp(logvar))
        for i in 0..<mu.count {
            let m = Double(mu.pointer[i]), lv = Double(logvar.pointer[i])
            expected += -0.5 * (1 + lv - m * m - exp(lv))
        }
        #expect(isClose(kl, expected, relative: 1e-6))
        #expect(isClose(perDimension.reduce(0, +), kl, relative: 1e-12))

        let objective = { Double(scale) * gaussianKL(mu: mu.matrix, logvar: logvar.matrix, muGradient: nil, logvarGradient: nil) }
        checkGradient("gaussian_kl.mu", of: mu, analytic: muGradient.values, loss: objective)
        checkGradient("gaussian_kl.logvar", of: logvar, analytic: logvarGradient.values, loss: objective)

        // The gradients accumulate: a second call adds the same amount again.
        let once = muGradient.values + logvarGradient.values
        gaussianKL(mu: mu.matrix, logvar: logvar.matrix, muGradient: muGradient.matrix,
                   logvarGradient: logvarGradient.matrix, gradientScale: scale)
        for (a, b) in zip(once, muGradient.values + logvarGradient.values) {
            #expect(isClose(Double(b), 2 * Double(a), relative: 1e-6))
        }
    }

    @Test("reparameterize and reparameterizeBackward: ∂/∂μ and ∂/∂logvar of Σ w·z")
    func reparameterizationGradient() {
        let mu = Tensor.normal(Self.shape, seed: 38)
        let logvar = Tensor.normal(Self.shape, seed: 39, scale: 0.5)
        let noise = Tensor.normal(Self.shape, seed: 40)
        let w = Tensor.normal(Self.shape, seed: 41)
        let z = Tensor(shape: Self.shape)
        func loss() -> Double {
            reparameterize(into: z.matrix, mu: mu.matrix, logvar: logvar.matrix, noise: noise.matrix)
            return weightedSum(w.matrix, z.matrix)
        }
        _ = loss()
        for i in 0..<z.count { // z = μ + exp(½ logvar)·ε
            let expected = Double(mu.pointer[i]) + exp(0.5 * Double(logvar.pointer[i])) * Double(noise.pointer[i])
            #expect(isClose(Double(z.pointer[i]), expected, relative: 1e-6, absolute: 1e-6))
        }
        let muGradient = Tensor(shape: Self.shape), logvarGradient = Tensor(shape: Self.shape)
        reparameterizeBackward(muGradient: muGradient.matrix, logvarGradient: logvarGradient.matrix,
                               zGradient: w.matrix, logvar: logvar.matrix, noise: noise.matrix)
        checkGradient("reparameterize.mu", of: mu, analytic: muGradient.values, loss: loss)
        checkGradient("reparameterize.logvar", of: logvar, analytic: logvarGradient.values, loss: loss)
    }

    @Test("GaussianLatent: its backward is the gradient of Σ w·z + c·KL; its KL and tally match gaussianKL")
    func latentPathGradient() throws {
        let rows = Self.shape[0], width = Self.shape[1]
        let latent = try GaussianLatent(width: width, batchCapacity: rows + 1)
        let mu = Tensor.normal(Self.shape, seed: 42)
        let logvar = Tensor.normal(Self.shape, seed: 43, scale: 0.5)
        let w = Tensor.normal(Self.shape, seed: 44)
        let c: Float = 0.3
        func loss() -> Double { // the same ε on every call
            var generator = RandomGenerator(seed: 45)
            let z = latent.sample(mu: mu.matrix, logvar: logvar.matrix, noise: &generator)
            return weightedSum(w.matrix, z) + Double(c) * latent.kl()
        }
        let value = loss()
        var tally = [Double](repeating: 0, count: width)
        let (dmu, dlogvar, kl) = tally.withUnsafeMutableBufferPointer {
            latent.backward(zGradient: w.matrix, klGradientScale: c, perDimension: $0)
        }
        let reference = gaussianKL(mu: mu.matrix, logvar: logvar.matrix, muGradient: nil, logvarGradient: nil)
        #expect(kl == reference && latent.kl() == reference)
        #expect(isClose(tally.reduce(0, +), reference, relative: 1e-12))
        #expect(value.isFinite)
        checkGradient("latent.mu", of: mu, analytic: dmu.values, loss: loss)
        checkGradient("latent.logvar", of: logvar, analytic: dlogvar.values, loss: loss)
    }

    // MARK: The VAE end to end

    static let likelihoods: [Likelihood] = [.bernoulli, .gaussian(sigma: 0.7, learned: false),
                                            .gaussian(sigma: 0.7, learned: true)]

    @Test("VAE: VAELosses.loss against finite differences of every parameter (β = 0.5)",
          arguments: likelihoods)
    func vaeGradients(likelihood: Likelihood) throws {
        var configuration = VAEConfiguration()
        configuration.inputWidth = 6
        configuration.encoderWidths = [5]
        configuration.latentWidth = 3
        configuration.decoderWidths = [4]
        configuration.likelihood = likelihood
        let vae = try VAE(configuration, batchCapacity: 4, seed: 3)
        let rows = 3, beta: Float = 0.5
        let x = likelihood == .bernoulli ? Tensor.uniform([rows, 6], seed: 42)
                                         : Tensor.normal([rows, 6], seed: 42, scale: 0.5)
        let names = vae.parameters.map(\.name)
        #expect(names.contains("log_sigma") == (likelihood == .gaussian(sigma: 0.7, learned: true)))

        // ε comes from vae.rng on every call: restore it so every evaluation draws the same ε.
        let saved = vae.rng
        func loss() -> Double {
            vae.rng = saved
            return vae.accumulateGradients(on: x.matrix, beta: beta).loss
        }
        // Each ReLU (the whole encoder, the decoder's hidden layer) on one side of its kink,
        // recomputed layer by layer with the same ε.
        func kinks() -> [Bool] {
            var generator = saved
            let noise = Tensor(shape: [rows, 3]), z = Tensor(shape: [rows, 3])
            generator.fillNormal(noise.matrix)
            var pattern: [Bool] = []
            var h = x.matrix
            for layer in vae.encoder.body.layers { h = layer.forward(h); pattern += kinkPattern(h, .relu) }
            reparameterize(into: z.matrix, mu: vae.encoder.muHead.forward(h), logvar: vae.encoder.logvarHead.forward(h),
                           noise: noise.matrix)
            var d = z.matrix
            for layer in vae.decoder.layers.dropLast() { d = layer.forward(d); pattern += kinkPattern(d, .relu) }
            return pattern
        }

        vae.parameters.zeroGradients()
        vae.rng = saved
        let losses = vae.accumulateGradients(on: x.matrix, beta: beta)
        let gradients = vae.parameters.map(\.gradient.values)
        #expect(losses.beta == beta)
        #expect(isClose(losses.loss, losses.reconstruction + 0.5 * losses.kl, relative: 1e-12))
        #expect(losses.kl > 0)

        // evaluate() with the same ε gives the same terms (β = 1 there).
        var generator = saved
        let evaluated = vae.evaluate(x.matrix, noise: &generator)
        #expect(isClose(evaluated.reconstruction, losses.reconstruction, relative: 1e-12))
        #expect(isClose(evaluated.kl, losses.kl, relative: 1e-12))

        let label = switch likelihood {
        case .bernoulli: "bernoulli"
        case .gaussian(_, false): "gaussian.fixed"
        case .gaussian(_, true): "gaussian.learned"
        }
        for (parameter, gradient) in zip(vae.parameters, gradients) {
            checkGradient("vae.\(label).\(parameter.name)", of: parameter.value, analytic: gradient,
                          kinks: kinks, loss: loss)
        }
    }

    @Test("VAE: β scales only the KL's share of the gradient")
    func vaeBetaScaling() throws {
        var configuration = VAEConfiguration()
        configuration.inputWidth = 6
        configuration.encoderWidths = [5]
        configuration.latentWidth = 3
        configuration.decoderWidths = [4]
        let vae = try VAE(configuration, batchCapacity: 4, seed: 5)
        let x = Tensor.uniform([3, 6], seed: 43)
        let saved = vae.rng
        func gradients(beta: Float) -> [Float] {
            vae.parameters.zeroGradients()
            vae.rng = saved
            _ = vae.accumulateGradients(on: x.matrix, beta: beta)
            return vae.parameters.flatMap(\.gradient.values)
        }
        // The loss is linear in β, so g(0.5) = ½ (g(0) + g(1)).
        let g0 = gradients(beta: 0), g1 = gradients(beta: 1), half = gradients(beta: 0.5)
        for i in g0.indices {
            let mean = 0.5 * (Double(g0[i]) + Double(g1[i]))
            #expect(isClose(Double(half[i]), mean, relative: 1e-5, absolute: 1e-7), "index \(i)")
        }
        #expect(g0 != g1)
    }
}
