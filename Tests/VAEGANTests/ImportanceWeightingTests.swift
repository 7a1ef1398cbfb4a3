// ImportanceWeightingTests: the importance-weighted objective (iwae.c,
// ImportanceWeightedLatent, VAE's IWAE step): the row-wise BCE against its reference, the
// bound and weights against a direct computation, K = 1 against the ELBO, the IWAE gradient
// and the DReG gradient against finite differences (of the bound, and of DReG's surrogate).
import CVAEGAN
import Foundation
import Testing
@testable import VAEGAN

@Suite struct ImportanceWeightingTests {
    // MARK: Kernels

    @Test("vg_bce_logits_rows: each row as vg_bce_logits of its target row, gradients scaled per row",
          arguments: [(rows: 6, cols: 784, repeat: 3), (rows: 5, cols: 13, repeat: 1), (rows: 40, cols: 600, repeat: 8)])
    func rowsMatchPerRowCalls(shape: (rows: Int, cols: Int, repeat: Int)) {
        let (rows, cols, rep) = shape
        let logits = Tensor.normal([rows, cols], seed: 1, scale: 4).values
        let targets = Tensor.uniform([rows / rep, cols], seed: 2).values
        let scales = Tensor.uniform([rows], seed: 3).values
        var loss = [Double](repeating: 0, count: rows), reference = loss
        var grad = [Float](repeating: 0, count: rows * cols), referenceGrad = grad
        vg_bce_logits_rows(&loss, &grad, logits, targets, Int64(rows), Int64(cols), Int64(rep), scales, 0.5)
        vg_bce_logits_rows_ref(&reference, &referenceGrad, logits, targets, Int64(rows), Int64(cols), Int64(rep), scales, 0.5)
        for r in 0..<rows {
            var one = 0.0
            var oneGrad = [Float](repeating: 0, count: cols)
            logits.withUnsafeBufferPointer { l in
                targets.withUnsafeBufferPointer { t in
                    vg_bce_logits_ref(&one, &oneGrad, l.baseAddress! + r * cols, t.baseAddress! + (r / rep) * cols,
                                      Int64(cols), 0.5 * scales[r])
                }
            }
            #expect(reference[r] == one, "row \(r): the reference differs from vg_bce_logits_ref")
            #expect(Array(referenceGrad[r * cols..<(r + 1) * cols]) == oneGrad)
            #expect(abs(loss[r] - one) <= 3e-7 * abs(one) + 1e-9, "row \(r): \(loss[r]) against \(one)")
            for c in 0..<cols {
                #expect(abs(grad[r * cols + c] - oneGrad[c]) <= 2e-7 * 0.5 * scales[r] + 1e-12)
            }
        }
        var lossOnly = [Double](repeating: 0, count: rows)
        vg_bce_logits_rows(&lossOnly, nil, logits, targets, Int64(rows), Int64(cols), Int64(rep), nil, 1)
        #expect(lossOnly == loss)
    }

    @Test("vg_iwae_sample and vg_iwae_combine against the formulas in double")
    func sampleAndCombine() {
        let (b, k, l) = (3, 5, 4)
        let mu = Tensor.normal([b, l], seed: 4).values, logvar = Tensor.normal([b, l], seed: 5, scale: 0.5).values
        let eps = Tensor.normal([b * k, l], seed: 6).values
        let nll = Tensor.uniform([b * k], seed: 7, in: 1...30).values.map(Double.init)
        var z = [Float](repeating: 0, count: b * k * l), ratio = [Double](repeating: 0, count: b * k)
        vg_iwae_sample(&z, &ratio, mu, logvar, eps, Int64(b), Int64(k), Int64(l))
        var bound = [Double](repeating: 0, count: b), weight = [Float](repeating: 0, count: b * k)
        vg_iwae_combine(&bound, &weight, ratio, nll, Int64(b), Int64(k))
        for e in 0..<b {
            var logW: [Double] = []
            for s in 0..<k {
                let r = e * k + s
                var logPrior = 0.0, logQ = 0.0
                for j in 0..<l {
                    let sigma = exp(0.5 * Double(logvar[e * l + j]))
                    let zj = Double(mu[e * l + j]) + sigma * Double(eps[r * l + j])
                    #expect(abs(Double(z[r * l + j]) - zj) <= 1e-5 * max(1, abs(zj)))
                    logPrior += -0.5 * zj * zj - 0.5 * log(2 * Double.pi)
                    let u = (zj - Double(mu[e * l + j])) / sigma
                    logQ += -0.5 * u * u - log(sigma) - 0.5 * log(2 * Double.pi)
                }
                #expect(abs(ratio[r] - (logPrior - logQ)) <= 1e-5)
                logW.append(-nll[r] + logPrior - logQ)
            }
            let top = logW.max()!
            let logSum = top + log(logW.map { exp($0 - top) }.reduce(0, +))
            #expect(abs(bound[e] - (logSum - log(Double(k)))) <= 1e-5)
            for s in 0..<k { #expect(abs(Double(weight[e * k + s]) - exp(logW[s] - logSum)) <= 1e-6) }
            #expect(abs(weight[e * k..<(e + 1) * k].reduce(0, +) - 1) <= 1e-5)
        }
    }

    // MARK: The objective

    /// A tiny VAE whose networks are smooth (tanh), so finite differences see no kinks.
    private func tinyVAE(samples: Int, dreg: Bool = false, likelihood: Likelihood = .bernoulli, seed: UInt64 = 3) throws -> VAE {
        var c = VAEConfiguration()
        c.inputWidth = 6
        c.latentWidth = 3
        c.encoderSpec = .mlp(input: 6, widths: [5], hidden: .tanh, output: .tanh)
        c.decoderSpec = .mlp(input: 3, widths: [4, 6], hidden: .tanh, output: .identity)
        c.likelihood = likelihood
        c.objective = .importanceWeighted(samples: samples, doublyReparameterized: dreg)
        return try VAE(c, batchCapacity: 4, seed: seed)
    }

    @Test("K = 1: the bound is the one-sample ELBO of the same ε, and averages to the closed-form ELBO")
    func oneSampleIsTheELBO() throws {
        let vae = try tinyVAE(samples: 1)
        let x = Tensor.uniform([3, 6], seed: 8)
        var elbo = vae.configuration
        elbo.objective = .elbo
        let reference = try vae.copy(batchCapacity: 4, objective: .elbo)

        // The same ε: −L_1 = −log p(x|z) + log q(z|x) − log p(z), term for term.
        let saved = vae.rng
        let losses = vae.accumulateGradients(on: x.matrix, beta: 1)
        var generator = saved
        let eps = Tensor(shape: [3, 3])
        generator.fillNormal(eps.matrix)
        let (mu, logvar) = vae.encode(x.matrix)
        var logRatio = 0.0 // Σ log q − log p over the batch
        for i in 0..<9 {
            let z = Double(mu.base[i]) + exp(0.5 * Double(logvar.base[i])) * Double(eps.pointer[i])
            logRatio += 0.5 * z * z - 0.5 * Double(logvar.base[i]) - 0.5 * Double(eps.pointer[i] * eps.pointer[i])
        }
        #expect(abs(losses.loss - (losses.reconstruction + logRatio / 3)) <= 1e-5 * abs(losses.loss))

        // Over many ε the mean of −L_1 is the closed-form negative ELBO.
        var draws: [Double] = [], closedForm: [Double] = []
        for seed in 0..<2000 as Range<UInt64> {
            vae.rng = RandomGenerator(seed: seed)
            draws.append(vae.accumulateGradients(on: x.matrix, beta: 1).loss)
            var g = RandomGenerator(seed: seed + 10_000)
            closedForm.append(reference.evaluate(x.matrix, noise: &g).negativeELBO)
        }
        let mean = draws.reduce(0, +) / Double(draws.count), target = closedForm.reduce(0, +) / Double(closedForm.count)
        let spread = (draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count - 1)).squareRoot()
        #expect(abs(mean - target) <= 4 * spread / Double(draws.count).squareRoot(),
                "mean −L_1 \(mean), closed-form −ELBO \(target), spread \(spread)")
    }

    @Test("the IWAE gradient (K = 4) against finite differences of −L_K with the same ε",
          arguments: [Likelihood.bernoulli, .gaussian(sigma: 0.7, learned: true)])
    func iwaeGradient(likelihood: Likelihood) throws {
        let vae = try tinyVAE(samples: 4, likelihood: likelihood)
        let x = likelihood == .bernoulli ? Tensor.uniform([3, 6], seed: 9) : Tensor.normal([3, 6], seed: 9, scale: 0.5)
        let saved = vae.rng
        func loss() -> Double {
            vae.rng = saved
            return vae.accumulateGradients(on: x.matrix, beta: 1).loss
        }
        vae.store.zeroGradients()
        vae.rng = saved
        let losses = vae.accumulateGradients(on: x.matrix, beta: 1)
        #expect(losses.importanceWeightedBound != nil && losses.kl > 0)
        let gradients = vae.parameters.map(\.gradient.values)
        for (parameter, gradient) in zip(vae.parameters, gradients) {
            checkGradient("iwae.\(parameter.name)", of: parameter.value, analytic: gradient, loss: loss)
        }
    }

    @Test("the bound tightens with K: L_1 ≤ L_5 ≤ L_50 on average, for the same weights")
    func boundGrowsWithK() throws {
        let x = Tensor.uniform([4, 6], seed: 10)
        func meanBound(_ k: Int) throws -> Double {
            let vae = try tinyVAE(samples: k, seed: 3)
            var sum = 0.0
            for seed in 0..<200 as Range<UInt64> {
                vae.rng = RandomGenerator(seed: seed)
                sum += vae.accumulateGradients(on: x.matrix, beta: 1).importanceWeightedBound!
            }
            return sum / 200
        }
        let (l1, l5, l50) = (try meanBound(1), try meanBound(5), try meanBound(50))
        #expect(l1 < l5 && l5 < l50, "L_1 \(l1), L_5 \(l5), L_50 \(l50)")
    }

    @Test("DReG: the decoder's gradient is IWAE's; the encoder's matches finite differences of its surrogate")
    func dregGradient() throws {
        let (rows, k, l) = (3, 4, 3)
        let plain = try tinyVAE(samples: k), dreg = try tinyVAE(samples: k, dreg: true)
        #expect(plain.store.values.values == dreg.store.values.values)
        let x = Tensor.uniform([rows, 6], seed: 11)
        let saved = dreg.rng
        for model in [plain, dreg] {
            model.store.zeroGradients()
            model.rng = saved
            _ = model.accumulateGradients(on: x.matrix, beta: 1)
        }
        let decoderNames = Set(dreg.decoder.parameters.map(\.name))
        for (p, q) in zip(plain.parameters, dreg.parameters) where decoderNames.contains(p.name) {
            #expect(p.gradient.values == q.gradient.values, "\(p.name): DReG changed the decoder's gradient")
        }

        // The surrogate: −(1/B) Σ_b Σ_k stop(w̃²) log w(z(φ)) with log q's parameters held at
        // their current values (μ₀, σ₀); only z = μ(φ) + σ(φ)·ε moves.
        let weights = dreg.weightedLatent!.weights.values
        var generator = saved
        let eps = Tensor(shape: [rows * k, l])
        generator.fillNormal(eps.matrix)
        let (mu0, logvar0) = dreg.encode(x.matrix)
        let fixedMu = Array(UnsafeBufferPointer(start: mu0.base, count: rows * l))
        let fixedLogvar = Array(UnsafeBufferPointer(start: logvar0.base, count: rows * l))
        let z = Tensor(shape: [rows * k, l])
        var nll = [Double](repeating: 0, count: rows * k)
        func surrogate() -> Double {
            let (mu, logvar) = dreg.encode(x.matrix)
            for r in 0..<rows * k {
                for j in 0..<l {
                    let i = (r / k) * l + j
                    z.pointer[r * l + j] = mu.base[i] + exp(0.5 * logvar.base[i]) * eps.pointer[r * l + j]
                }
            }
            let output = dreg.decoder.forward(z.matrix)
            dreg.rowNegativeLogLikelihoods(output: output, targets: x.matrix, samplesPerTarget: k, into: &nll)
            var sum = 0.0
            for r in 0..<rows * k {
                var logW = -nll[r]
                for j in 0..<l {
                    let i = (r / k) * l + j
                    let zj = Double(z.pointer[r * l + j]), sigma0 = exp(0.5 * Double(fixedLogvar[i]))
                    let u = (zj - Double(fixedMu[i])) / sigma0
                    logW += -0.5 * zj * zj + 0.5 * u * u + log(sigma0)
                }
                sum += Double(weights[r]) * Double(weights[r]) * logW
            }
            return -sum / Double(rows)
        }
        for parameter in dreg.encoder.parameters {
            let index = dreg.parameters.firstIndex { $0.name == parameter.name }!
            checkGradient("dreg.\(parameter.name)", of: parameter.value, analytic: dreg.parameters[index].gradient.values,
                          loss: surrogate)
        }
    }

    @Test("the objective is checked: β ≠ 1 and K outside 1…100000 are refused; it survives a checkpoint")
    func validationAndCheckpoint() throws {
        var c = VAEConfiguration()
        c.objective = .importanceWeighted(samples: 0, doublyReparameterized: false)
        #expect(throws: VAEGANError.self) { try c.validate() }
        c.objective = .importanceWeighted(samples: 5, doublyReparameterized: true)
        c.beta = 0.5
        #expect(throws: VAEGANError.self) { try c.validate() }
        c.beta = 1
        try c.validate()
        let vae = try tinyVAE(samples: 3, dreg: true)
        let training = try VAETraining(vae: vae, stepsPerEpoch: 1)
        let loaded = try VAETraining.load(from: training.checkpoint())
        #expect(loaded.vae.configuration.objective == .importanceWeighted(samples: 3, doublyReparameterized: true))
    }

    @Test("the presets: Burda et al.'s network, objective and schedule; every recipe is a valid configuration")
    func presets() throws {
        let paper = VAERecipe.iwaePaper.configuration
        #expect(paper.model.encoderNetwork == .mlp(input: 784, widths: [200, 200], hidden: .tanh, output: .tanh))
        #expect(paper.model.decoderNetwork == .mlp(input: 50, widths: [200, 200, 784], hidden: .tanh, output: .identity))
        #expect(paper.model.objective == .importanceWeighted(samples: 5, doublyReparameterized: false))
        #expect(paper.batchSize == 20 && paper.learningRate == 1e-3)
        #expect(paper.learningRateSchedule == .stepped && paper.scheduleEpochs == 3280 && VAERecipe.iwaePaper.epochs == 3280)
        for recipe in VAERecipe.allCases {
            try recipe.configuration.model.validate()
            #expect(recipe.configuration.scheduleEpochs == recipe.epochs)
        }
    }
}
