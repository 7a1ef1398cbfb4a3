// SampleQualityTests: precision/recall and mode coverage on constructed cases whose answers are
// known, and the evaluator end to end with a small domain classifier: the test images scored
// against themselves, a collapsed "model", and bad samples.
import Foundation
import Testing
@testable import VAEGAN

/// The VAEGANError `body` throws, or nil.
func thrownError(_ body: () throws -> Void) -> VAEGANError? {
    do { try body() } catch let error as VAEGANError { return error } catch { return nil }
    return nil
}

@Suite struct SampleQualityTests {
    /// n points around `center` in d dimensions.
    private func cluster(_ n: Int, d: Int, center: Float, seed: UInt64) -> [Float] {
        Tensor.normal([n, d], seed: seed, scale: 0.1, offset: center).values
    }

    @Test("precision and recall: the same set, a far set, and a collapsed set")
    func precisionRecallCases() throws {
        let real = cluster(100, d: 4, center: 0, seed: 1) + cluster(100, d: 4, center: 5, seed: 2)
        let manifold = try FeatureManifold(features: real, width: 4)
        let same = try PrecisionRecall(real: manifold, generated: real)
        #expect(same == PrecisionRecall(precision: 1, recall: 1))
        let far = try PrecisionRecall(real: manifold, generated: cluster(100, d: 4, center: 50, seed: 3))
        #expect(far == PrecisionRecall(precision: 0, recall: 0))
        // Samples from one of the two modes only: realistic, but half the data is missed.
        let collapsed = try PrecisionRecall(real: manifold, generated: cluster(100, d: 4, center: 5, seed: 4))
        #expect(collapsed.precision > 0.9)
        #expect(abs(collapsed.recall - 0.5) < 0.05)
    }

    @Test("mode coverage: classes covered and entropy")
    func modeCoverage() {
        let uniform = ModeCoverage(predictions: (0..<1000).map { $0 % 10 }, classCount: 10)
        #expect(uniform.classesCovered == 10)
        #expect(isClose(uniform.entropy, log(10), relative: 1e-12))
        let collapsed = ModeCoverage(predictions: Array(repeating: 3, count: 1000), classCount: 10)
        #expect(collapsed.classesCovered == 1 && collapsed.entropy == 0)
        #expect(collapsed.histogram[3] == 1000)
        // Nine stray samples in class 0 (below a tenth of a fair share, 10) do not cover it;
        // exactly ten do.
        let stray = ModeCoverage(predictions: Array(repeating: 0, count: 9) + Array(repeating: 1, count: 991), classCount: 10)
        #expect(stray.classesCovered == 1)
        let tenth = ModeCoverage(predictions: Array(repeating: 0, count: 10) + Array(repeating: 1, count: 990), classCount: 10)
        #expect(tenth.classesCovered == 2)
    }

    /// A domain classifier for 6×6 band images, trained once per test (cheap).
    private func bandEvaluator() throws -> (SampleQualityEvaluator, ImageDataset) {
        let train = bandImages(count: 300, seed: 11), test = bandImages(count: 150, seed: 12)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let domain = try DomainClassifier.load(for: .fashionMNIST, train: train, test: test, cacheDirectory: folder,
                                               configuration: smallClassifierConfiguration())
        return (try SampleQualityEvaluator(domain: domain, test: test), test)
    }

    @Test("the test images scored against themselves: FID 0, precision and recall 1, every class covered")
    func testImagesAgainstThemselves() throws {
        let (evaluator, test) = try bandEvaluator()
        let quality = try evaluator.evaluate(try test.rowsAsFloats(0..<test.count))
        #expect(quality.fid < 1e-6)
        #expect(quality.precisionRecall == PrecisionRecall(precision: 1, recall: 1))
        #expect(quality.coverage.classesCovered == 3)
        #expect(quality.sampleCount == test.count)
    }

    @Test("a collapsed model: one class only — low recall, one class covered, larger FID")
    func collapsedSamples() throws {
        let (evaluator, _) = try bandEvaluator()
        let oneClass = bandImages(count: 300, seed: 13)
        let rows = try (0..<300).filter { $0 % 3 == 0 }.flatMap { try oneClass.rowsAsFloats($0..<($0 + 1)) }
        let fresh = bandImages(count: 150, seed: 14)
        let healthy = try evaluator.evaluate(try fresh.rowsAsFloats(0..<150))
        let collapsed = try evaluator.evaluate(rows)
        #expect(collapsed.coverage.classesCovered == 1)
        #expect(collapsed.precisionRecall.recall < 0.5)
        #expect(collapsed.fid > 10 * healthy.fid)
        #expect(healthy.coverage.classesCovered == 3)
    }

    @Test("samples outside [0, 1], NaN, or of the wrong width are refused")
    func badSamples() throws {
        let (evaluator, test) = try bandEvaluator()
        var rows = try test.rowsAsFloats(0..<20)
        guard case .shapeMismatch = thrownError({ _ = try evaluator.evaluate(Array(rows.dropLast())) }) else {
            Issue.record("a partial row must be a shape mismatch"); return
        }
        rows[5] = 1.5
        guard case .invalidArgument = thrownError({ _ = try evaluator.evaluate(rows) }) else {
            Issue.record("a value outside [0, 1] must be an invalid argument"); return
        }
        rows[5] = .nan
        guard case .nonFinite = thrownError({ _ = try evaluator.evaluate(rows) }) else {
            Issue.record("NaN must be reported as non-finite"); return
        }
    }

    @Test("the report: aligned table and metrics.json with every figure")
    func report() throws {
        let (evaluator, test) = try bandEvaluator()
        var report = EvaluationReport()
        report.context["data"] = "bands"
        report.add("negative_elbo", "test negative ELBO", 241.5, note: "nats/image")
        report.add(try evaluator.evaluate(try test.rowsAsFloats(0..<test.count)), evaluator: evaluator)
        #expect(report.table.split(separator: "\n").count == report.entries.count)
        let json = try JSONSerialization.jsonObject(with: Data(try report.json())) as! [String: Any]
        let metrics = json["metrics"] as! [String: Double]
        for key in ["negative_elbo", "fid", "precision", "recall", "classes_covered", "label_entropy"] {
            #expect(metrics[key] != nil, "metrics.json lacks \(key)")
        }
        #expect(metrics["negative_elbo"] == 241.5)
        #expect((json["histograms"] as! [String: [Int]])["class_histogram"]?.reduce(0, +) == test.count)
    }

    @Test("training with sample quality: scored on every second epoch and the last, blank between")
    func trainerScoresSamples() throws {
        let (evaluator, _) = try bandEvaluator()
        let train = bandImages(count: 128, seed: 15), test = bandImages(count: 48, seed: 16)
        let training = try VAETraining(vae: try VAE(.small(inputWidth: 36, hidden: 16, latent: 2), batchCapacity: 32), learningRate: 3e-3, warmupEpochs: 0, stepsPerEpoch: 4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-quality-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = TrainingOptions(epochs: 3, outputDirectory: folder)
        options.quiet = true
        options.sampleQualityEvery = 2
        options.sampleQualityCount = 40
        let records = try Trainer(model: training, loader: try BatchLoader(train, batchSize: 32), test: test,
                                  options: options, sampleQuality: evaluator).run()
        #expect(records[0]["fid"] == nil)
        for record in records.dropFirst() {
            #expect(record["fid"]!.isFinite && record["fid"]! >= 0)
            #expect((0...1).contains(record["precision"]!) && (0...1).contains(record["recall"]!))
            #expect((1...3).contains(record["classes_covered"]!))
        }
        let logged = MetricsLog.read(from: options.metricsPath)
        #expect(logged.count == 3 && logged[0]["fid"]!.isNaN && logged[1]["fid"] == records[1]["fid"])
    }
}

@Suite struct BatchIndexAndLogTests {
    @Test("batchIndices name the rows of the last batch, and every example once per epoch")
    func batchIndicesMatchRows() throws {
        let data = bandImages(count: 70, seed: 21)
        let loader = try BatchLoader(data, batchSize: 32, seed: 3)
        loader.startEpoch()
        #expect(loader.batchIndices.isEmpty)
        var seen: [Int] = []
        while let batch = loader.nextBatch() {
            let indices = loader.batchIndices.map(Int.init)
            #expect(indices.count == batch.rows)
            for (row, index) in indices.enumerated() {
                #expect(Array(UnsafeBufferPointer(start: batch.row(row), count: 36)) == (try data.rowsAsFloats(index..<(index + 1))))
            }
            seen += indices
        }
        #expect(seen.sorted() == Array(0..<70))
        loader.startEpoch()
        #expect(loader.batchIndices.isEmpty)
    }

    @Test("the metrics log keeps every column when epochs report different figures, and reads back")
    func metricsLogUnionOfColumns() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = [EpochRecord(epoch: 1, values: [("loss", 3)]),
                       EpochRecord(epoch: 2, values: [("loss", 2), ("fid", 40)]),
                       EpochRecord(epoch: 3, values: [("loss", 1), ("pixel", 7)])]
        try MetricsLog.write(records, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("epoch,loss,fid,pixel\n"))
        let back = MetricsLog.read(from: path)
        #expect(back.count == 3)
        #expect(back[1]["fid"] == 40 && back[2]["pixel"] == 7 && back[0]["fid"]!.isNaN)
    }
}
