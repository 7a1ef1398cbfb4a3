// LikelihoodTests: the β-VAE's IWAE bound. With a one-dimensional latent, log p(x) =
// log ∫ p(x|z) N(z; 0, 1) dz can be computed by quadrature, so the bound can be checked against
// the quantity it bounds; at K = 1 it must average to the ELBO.
import Foundation
import Testing
@testable import VAEGAN

@Suite struct LikelihoodTests {
    /// A tiny Bernoulli VAE with one latent dimension, and some images for it.
    /// `weightScale` > 1 makes the true posterior far from q's Gaussian, so bounds for
    /// different K lie far apart.
    private func tinyModel(weightScale: Float = 1) throws -> (VAE, [Float]) {
        var c = VAEConfiguration()
        c.inputWidth = 5
        c.encoderWidths = [6]
        c.latentWidth = 1
        c.decoderWidths = [6]
        let vae = try VAE(c, batchCapacity: 4, seed: 3)
        for p in vae.parameters { for i in 0..<p.value.count { p.value.pointer[i] *= weightScale } }
        let images = Tensor.uniform([6, 5], seed: 4).values // 6 images: more than one chunk of 4
        return (vae, images)
    }

    /// log p(x) for one image by the trapezoid rule over z ∈ [−10, 10].
    private func logLikelihoodByQuadrature(_ vae: VAE, image: [Float]) -> Double {
        let steps = 4000, low = -10.0, high = 10.0, h = (high - low) / Double(steps)
        let z = Tensor(shape: [1, 1])
        let x = Tensor(shape: [1, 5])
        x.pointer.update(from: image, count: 5)
        var terms: [Double] = []
        for i in 0...steps {
            let zi = low + Double(i) * h
            z.pointer[0] = Float(zi)
            let logits = vae.decoder.forward(z.matrix)
            let logLikelihood = -vae.reconstructionLoss(output: logits, target: x.matrix, gradient: nil, scale: 1)
            let weight = (i == 0 || i == steps) ? 0.5 : 1
            terms.append(logLikelihood - 0.5 * zi * zi - 0.5 * log(2 * Double.pi) + log(weight * h))
        }
        let largest = terms.max()!
        return largest + log(terms.map { exp($0 - largest) }.reduce(0, +))
    }

    @Test("IWAE with many samples approaches log p(x) from below (quadrature in one latent dimension)")
    func approachesTrueLikelihood() throws {
        let (vae, images) = try tinyModel()
        // One estimate at K = 3000 scatters by about ±0.01 nats here (it bounds log p(x) only in
        // expectation): the mean of ten is held to the bound.
        var bound = [Double](repeating: 0, count: 6)
        for seed in 0..<10 as Range<UInt64> {
            for (i, value) in try vae.importanceWeightedLogLikelihood(of: images, samples: 3000, seed: seed).enumerated() {
                bound[i] += value / 10
            }
        }
        for i in 0..<6 {
            let truth = logLikelihoodByQuadrature(vae, image: Array(images[i * 5..<(i + 1) * 5]))
            #expect(bound[i] <= truth + 0.01, "image \(i): bound \(bound[i]) above log p(x) \(truth)")
            #expect(bound[i] >= truth - 0.05, "image \(i): bound \(bound[i]) far below log p(x) \(truth)")
        }
    }

    @Test("IWAE at K = 1 averages to the ELBO")
    func oneSampleIsTheELBO() throws {
        let (vae, images) = try tinyModel()
        let dataset = ImageDataset(count: 6, rows: 1, columns: 5, pixels: .floats(images))
        var singles: [Double] = [], elbos: [Double] = [] // the ELBO with analytic KL, one z per image
        for seed in 0..<400 as Range<UInt64> {
            singles += try vae.importanceWeightedLogLikelihood(of: images, samples: 1, seed: seed)
            elbos.append(-(try vae.evaluate(dataset, seed: seed + 1000)).negativeELBO)
        }
        let elbo = elbos.reduce(0, +) / Double(elbos.count)
        let mean = singles.reduce(0, +) / Double(singles.count)
        let spread = (singles.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(singles.count - 1)).squareRoot()
        // Both are Monte Carlo means of the same expectation; the IWAE draws vary more (they
        // also sample the KL term), so four of their standard errors bound the difference.
        #expect(abs(mean - elbo) <= 4 * spread / Double(singles.count).squareRoot(),
                "K=1 mean \(mean), ELBO \(elbo), spread \(spread)")
    }

    @Test("the IWAE bound tightens as K grows")
    func boundTightensWithK() throws {
        let (vae, images) = try tinyModel(weightScale: 3)
        func average(_ k: Int, seeds: Int) throws -> Double {
            var sum = 0.0
            for seed in 0..<UInt64(seeds) { sum += try vae.importanceWeightedLogLikelihood(of: images, samples: k, seed: seed).reduce(0, +) }
            return sum / Double(6 * seeds)
        }
        let (k1, k10, k1000) = (try average(1, seeds: 200), try average(10, seeds: 40), try average(1000, seeds: 2))
        #expect(k1 < k10 && k10 < k1000, "bounds \(k1), \(k10), \(k1000)")
    }

    @Test("IWAE rejects K < 1 and rows of another width")
    func likelihoodErrors() throws {
        let (vae, images) = try tinyModel()
        #expect(throws: VAEGANError.self) { try vae.importanceWeightedLogLikelihood(of: images, samples: 0) }
        #expect(throws: VAEGANError.self) { try vae.importanceWeightedLogLikelihood(of: [0, 1, 0], samples: 2) }
    }

    @Test("stochastic binarization: 0/1 pixels whose mean follows the intensities, the same for a seed")
    func binarization() throws {
        let images = ImageDataset(count: 100, rows: 10, columns: 10, pixels: .floats(Tensor.uniform([100, 100], seed: 6).values),
                                  labels: Array(repeating: 1, count: 100))
        let binary = try images.binarized(seed: 7)
        let bits = try binary.rowsAsFloats(0..<100), intensities = try images.rowsAsFloats(0..<100)
        #expect(bits.allSatisfy { $0 == 0 || $0 == 1 })
        let meanBits = bits.reduce(0, +) / Float(bits.count), meanIntensity = intensities.reduce(0, +) / Float(bits.count)
        #expect(abs(meanBits - meanIntensity) < 0.02)
        #expect(try binary.rowsAsFloats(0..<100) == images.binarized(seed: 7).rowsAsFloats(0..<100))
        #expect(try binary.rowsAsFloats(0..<100) != images.binarized(seed: 8).rowsAsFloats(0..<100))
        #expect(binary.labels == images.labels)
    }

    @Test("dynamic binarization: every pass draws new 0/1 images whose mean follows the intensities; the loader's generator replays them")
    func dynamicBinarization() throws {
        let images = ImageDataset(count: 50, rows: 4, columns: 5, pixels: .floats(Tensor.uniform([50, 20], seed: 8).values))
        let loader = try BatchLoader(images, batchSize: 50, shuffle: false, seed: 9, binarize: true)
        func pass() -> [Float] {
            loader.startEpoch()
            return Array(UnsafeBufferPointer(start: loader.nextBatch()!.base, count: 1000))
        }
        let before = loader.rng
        let first = pass(), second = pass()
        #expect(first.allSatisfy { $0 == 0 || $0 == 1 } && second.allSatisfy { $0 == 0 || $0 == 1 })
        #expect(first != second, "two passes drew the same bits")
        let intensities = try images.rowsAsFloats(0..<50)
        let mean = (first + second).reduce(0, +) / 2000, target = intensities.reduce(0, +) / 1000
        #expect(abs(mean - target) < 0.03, "bits average \(mean), intensities \(target)")
        loader.rng = before
        #expect(pass() == first, "the same generator state gave other bits")
    }
}
