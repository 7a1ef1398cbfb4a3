// ClassifierTests: the domain classifier — its gradient, training on separable data, its
// checkpoint, and the cache that trains it once and refuses a classifier too weak to trust.
import Foundation
import Testing
@testable import VAEGAN

/// 6×6 images of three classes: a bright 2×6 band at the top, middle or bottom, over noise.
func bandImages(count: Int, seed: UInt64) -> ImageDataset {
    var rng = RandomGenerator(seed: seed)
    var pixels = [Float](repeating: 0, count: count * 36)
    pixels.withUnsafeMutableBufferPointer { rng.fillUniform($0.baseAddress!, count: $0.count) }
    var labels = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        let label = i % 3
        labels[i] = UInt8(label)
        for p in 0..<36 {
            let band = (p / 6) / 2 == label
            pixels[i * 36 + p] = band ? 0.6 + 0.4 * pixels[i * 36 + p] : 0.5 * pixels[i * 36 + p]
        }
    }
    return ImageDataset(count: count, rows: 6, columns: 6, pixels: .floats(pixels), labels: labels)
}

/// A classifier small enough for a debug-build test.
func smallClassifierConfiguration() -> ClassifierConfiguration {
    var c = ClassifierConfiguration()
    c.inputWidth = 36
    c.hiddenWidths = [16, 8]
    c.classCount = 3
    c.epochs = 8
    c.batchSize = 32
    c.learningRate = 3e-3
    return c
}

@Suite struct ClassifierTests {
    @Test("the classifier's parameter gradients by finite differences")
    func classifierGradient() throws {
        var c = smallClassifierConfiguration()
        c.hiddenWidths = [5, 4]
        c.seed = 2
        let classifier = try Classifier(c, batchCapacity: 3)
        let data = bandImages(count: 3, seed: 1)
        let x = Tensor(shape: [3, 36])
        x.pointer.update(from: try data.rowsAsFloats(0..<3), count: 36 * 3)
        let labels = data.labels!.map(Int32.init)
        func loss() -> Double {
            try! labels.withUnsafeBufferPointer { l in
                try softmaxCrossEntropy(logits: classifier.logits(x.matrix), labels: l, gradient: nil) / 3
            }
        }
        let kinks = { () -> [Bool] in // which side of 0 every hidden ReLU unit is on
            var h = x.matrix, pattern: [Bool] = []
            for layer in classifier.body.layers {
                h = layer.forward(h)
                pattern += h.values.map { $0 > 0 }
            }
            return pattern
        }
        classifier.parameters.zeroGradients()
        _ = try labels.withUnsafeBufferPointer { l in try classifier.accumulateGradients(on: x.matrix, labels: l) }
        for p in classifier.parameters {
            checkGradient("classifier.\(p.name)", of: p.value, analytic: p.gradient.values, kinks: kinks, loss: loss)
        }
    }

    @Test("trains to high accuracy on separable images; the checkpoint round-trips")
    func trainsAndRoundTrips() throws {
        let train = bandImages(count: 300, seed: 2), test = bandImages(count: 90, seed: 3)
        let classifier = try Classifier.train(on: train, configuration: smallClassifierConfiguration())
        let accuracy = try classifier.accuracy(on: test)
        #expect(accuracy >= 0.95, "accuracy \(accuracy)")
        let restored = try Classifier.load(from: SafeTensorsFile(
            serialized: classifier.checkpoint(notes: ["dataset": "bands"]).serialized(), source: "memory"),
            batchCapacity: classifier.batchCapacity) // the same chunks, so the same GEMMs
        let rows = try test.rowsAsFloats(0..<test.count)
        #expect(try restored.predictAll(rows) == classifier.predictAll(rows))
        #expect(try restored.featuresAll(rows) == classifier.featuresAll(rows))
        #expect(try classifier.featuresAll(rows).count == test.count * 8)
    }

    @Test("training needs labels within the class count")
    func trainingErrors() {
        var unlabelled = bandImages(count: 30, seed: 4)
        unlabelled.labels = nil
        #expect(throws: VAEGANError.self) { try Classifier.train(on: unlabelled, configuration: smallClassifierConfiguration()) }
        var wrong = bandImages(count: 30, seed: 4)
        wrong.labels![0] = 7
        #expect(throws: VAEGANError.self) { try Classifier.train(on: wrong, configuration: smallClassifierConfiguration()) }
    }

    @Test("the domain classifier is trained once, cached, and loaded from the cache after")
    func domainClassifierCache() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let train = bandImages(count: 300, seed: 5), test = bandImages(count: 90, seed: 6)
        let first = try DomainClassifier.load(for: .fashionMNIST, train: train, test: test, cacheDirectory: folder,
                                              configuration: smallClassifierConfiguration())
        #expect(FileManager.default.fileExists(atPath: first.path))
        #expect(first.testAccuracy >= 0.95)
        // A second load must not train: give it data it could not learn from.
        let second = try DomainClassifier.load(for: .fashionMNIST, train: ImageDataset(count: 0, rows: 6, columns: 6, pixels: .floats([])),
                                               test: test, cacheDirectory: folder, configuration: smallClassifierConfiguration())
        #expect(second.testAccuracy == first.testAccuracy)
        let rows = try test.rowsAsFloats(0..<test.count)
        #expect(try second.classifier.predictAll(rows) == first.classifier.predictAll(rows))
    }

    @Test("a domain classifier below the required accuracy is refused and not cached")
    func weakDomainClassifierIsRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var noise = bandImages(count: 300, seed: 7)
        var rng = RandomGenerator(seed: 8)
        noise.labels = (0..<300).map { _ in UInt8(rng.next(below: 3)) } // labels unrelated to the images
        #expect(throws: VAEGANError.self) {
            try DomainClassifier.load(for: .fashionMNIST, train: noise, test: noise.prefix(90), cacheDirectory: folder,
                                      configuration: smallClassifierConfiguration())
        }
        #expect(!FileManager.default.fileExists(atPath: DomainClassifier.path(for: .fashionMNIST, in: folder)))
    }
}
