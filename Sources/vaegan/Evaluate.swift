// vaegan eval: a checkpoint's figures on the test set, and sample quality in the data set's
// domain-classifier features (FID, precision/recall, mode coverage) for a model's samples or
// for samples from anywhere (--samples-file). Prints a table and writes metrics.json.
import ArgumentParser
import Foundation
import VAEGAN

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a checkpoint or a .npy file of samples: test-set figures, IWAE log-likelihood (vae), FID, precision/recall and mode coverage in a domain classifier's features.",
        discussion: """
            Sample quality needs a built-in data set (--data fashion-mnist or mnist): its domain \
            classifier is trained on first use (about a minute) and cached (see vaegan classifier).
            """)

    @Option(help: "A checkpoint written by vaegan train, or a weights-only file (vaegan export).") var checkpoint: String?
    @Option(help: "Score these samples instead of a model's: a .npy matrix (n, 784) or (n, 28, 28), float32 in [0, 1] or uint8.")
    var samplesFile: String?
    @OptionGroup var dataOptions: DataOptions
    @Flag(help: "vae: the IWAE bound on log p(x) over the test set (slow: K decoder passes per image).")
    var likelihood = false
    @Option(help: "Importance samples K per test image for --likelihood (K = 1 is the ELBO).") var samples = 5000
    @Option(help: "Test images for --likelihood (default all).") var likelihoodImages: Int?
    @Option(help: "Samples drawn from the model for FID, precision/recall and coverage.") var sampleCount = 10_000
    @Flag(help: "Skip FID, precision/recall and coverage.") var noQuality = false
    @Option(help: "Seed of the samples and of the importance sampling.") var seed: UInt64 = 0
    @Option(help: "ema (the default when the checkpoint keeps an average: trained with --ema-decay) or raw (the last iterate's weights).")
    var weights: WeightChoice?
    @Flag(help: "raw weights: batch-norm statistics re-estimated for them as the average's always are, instead of the training's running ones (to compare the two on equal terms).")
    var reestimateStatistics = false
    @Option(help: "Threads for the whole process; 0 means all cores.") var threads = 0
    @Option(help: "metrics.json path (default: beside the checkpoint, or FILE-metrics.json beside --samples-file).")
    var out: String?

    func validate() throws {
        guard (checkpoint == nil) != (samplesFile == nil) else {
            throw ValidationError("give exactly one of --checkpoint and --samples-file")
        }
        guard samples >= 1, sampleCount >= 4 else { throw ValidationError("--samples must be ≥ 1 and --sample-count ≥ 4") }
        if likelihood, samplesFile != nil { throw ValidationError("--likelihood needs a β-VAE --checkpoint") }
        if let likelihoodImages, likelihoodImages < 1 { throw ValidationError("--likelihood-images must be positive") }
    }

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            if threads > 0 { try Threads.set(threads) }
            let (_, test) = try dataOptions.load()
            var report = EvaluationReport()
            report.context["data"] = dataOptions.data + (dataOptions.binarize ? " (binarized)" : "")
            let samples: [Float]
            let jsonPath: String
            if let samplesFile {
                report.context["samples_file"] = samplesFile
                let file = try ImageDataset(npyFile: samplesFile)
                guard file.featureCount == test.featureCount else {
                    throw .shapeMismatch("\(samplesFile) holds rows of \(file.featureCount) values; \(dataOptions.data) images have \(test.featureCount)")
                }
                samples = try file.rowsAsFloats(0..<file.count)
                jsonPath = out ?? (samplesFile.hasSuffix(".npy") ? String(samplesFile.dropLast(4)) : samplesFile) + "-metrics.json"
                print("\(samplesFile): \(file.count) samples against \(test.count) test images of \(dataOptions.data)")
            } else {
                let path = checkpoint!
                let model = try TrainedModel.load(from: path, batchCapacity: 256, weights: weights,
                                                  reestimatingStatistics: reestimateStatistics)
                guard test.featureCount == model.dataWidth else {
                    throw .shapeMismatch("the checkpoint takes rows of \(model.dataWidth) values; \(dataOptions.data) has \(test.featureCount)")
                }
                report.context["checkpoint"] = path
                report.context["model"] = model.kind
                report.context["weights"] = model.weights.rawValue
                if model.statisticsReestimated { report.context["batch_norm_statistics"] = "re-estimated" }
                print("checkpoint \(path): \(model.kind) (\(model.weights) weights), \(test.count) test examples of \(report.context["data"]!)")
                try addModelFigures(model, test: test, to: &report)
                samples = noQuality ? [] : try model.sampleImages(count: sampleCount, seed: seed)
                // An explicit --weights choice gets its own file, so raw and EMA figures sit side by side.
                let suffix = (weights.map { "-\($0)" } ?? "") + (reestimateStatistics ? "-reestimated" : "")
                jsonPath = out ?? (URL(fileURLWithPath: path).deletingLastPathComponent().path
                                   + (suffix.isEmpty ? "/metrics.json" : "/metrics\(suffix).json"))
            }
            if !noQuality {
                try addSampleQuality(samples, to: &report)
            }
            print(report.table)
            try report.writeJSON(to: jsonPath)
            print("wrote \(jsonPath)")
        }
    }

    /// The figures each capability allows: the ELBO (and the IWAE bound) of a β-VAE, the
    /// sharpness of any autoencoder's reconstructions, D's view of the test set for a GAN.
    private func addModelFigures(_ model: TrainedModel, test: ImageDataset, to report: inout EvaluationReport) throws(VAEGANError) {
        let vae = model.model as? VAE
        if likelihood, vae == nil {
            throw .wrongModel("--likelihood needs a β-VAE checkpoint, not a \(model.kind) one")
        }
        let images = try test.rowsAsFloats(0..<test.count)
        if let vae {
            let e = try vae.evaluate(test)
            report.add("negative_elbo", "test negative ELBO", e.negativeELBO, note: "nats/image (one z per image)")
            report.add("reconstruction", "  reconstruction", e.reconstruction, note: "nats/image")
            report.add("kl", "  KL", e.kl, note: "nats/image")
            report.add("active_units", "active latent units", Double(e.activeUnits),
                       note: "of \(vae.latentWidth) (KL > \(VAEEvaluation.activeThreshold) nats)")
            if likelihood { try addLikelihood(vae, test: test, to: &report) }
        }
        if let autoencoder = model.model as? any Autoencoding {
            try addSharpness(of: try autoencoder.decodeAll(try autoencoder.encodeMeans(images)), test: test, to: &report)
        }
        if let gan = model.model as? GAN {
            let probabilities = try gan.discriminateAll(images)
            report.add("mean_d_real", "mean D(x) on test", probabilities.reduce(0, +) / Double(probabilities.count))
        }
    }

    private func addLikelihood(_ vae: VAE, test: ImageDataset, to report: inout EvaluationReport) throws(VAEGANError) {
        let count = min(likelihoodImages ?? test.count, test.count)
        let progress = ProgressReporter(epochs: 1, batchesPerEpoch: count)
        let start = Date()
        let estimate = try vae.likelihoodEstimate(of: try test.rowsAsFloats(0..<count), samples: samples, seed: seed) { done, mean in
            progress.update(epoch: 1, batch: done, runningLoss: -mean)
            if !progress.isInteractive, done % 1280 == 0 || done == count {
                progress.note(String(format: "likelihood: %d/%d images, %.0f s", done, count, Date().timeIntervalSince(start)))
            }
        }
        progress.clearBar()
        let seconds = Date().timeIntervalSince(start)
        report.add("iwae_negative_log_likelihood", "−log p(x), IWAE bound, K=\(samples)", -estimate.mean,
                   note: String(format: "nats/image over %d test images, ± %.2f (standard error), %.0f s", count, estimate.standardError, seconds))
        report.add("iwae_standard_error", "  standard error", estimate.standardError, note: "nats (spread of the images / √n)")
    }

    private func addSharpness(of reconstructions: [Float], test: ImageDataset, to report: inout EvaluationReport) throws(VAEGANError) {
        guard test.rows > 1 else { return }
        let original = Sharpness.meanSquaredLaplacian(try test.rowsAsFloats(0..<test.count), width: test.columns, height: test.rows)
        report.add("reconstruction_sharpness", "reconstruction sharpness",
                   Sharpness.meanSquaredLaplacian(reconstructions, width: test.columns, height: test.rows),
                   note: String(format: "mean squared Laplacian (test images %.5f)", original))
    }

    private func addSampleQuality(_ samples: [Float], to report: inout EvaluationReport) throws(VAEGANError) {
        guard let dataset = dataOptions.builtIn else {
            throw .invalidArgument("sample quality needs a built-in data set's classifier (--data fashion-mnist or mnist); add --no-quality for \(dataOptions.data)")
        }
        let evaluator = try SampleQualityEvaluator(for: dataset)
        report.add(try evaluator.evaluate(samples), evaluator: evaluator)
    }
}
