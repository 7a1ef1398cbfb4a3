// LikelihoodToolTests: the likelihood benchmark's path through `vaegan` (the debug tool built
// beside this test binary): an IWAE-trained run with DReG, dynamic binarization, a cosine
// schedule and test NLL estimates in metrics.csv; plot-likelihood drawing them; eval's bound
// with its standard error; and the flags that make no sense together refused.
import Foundation
import Testing
@testable import VAEGAN

@Suite("The likelihood benchmark from the tool", .serialized)
struct LikelihoodToolTests {
    private func workspace() throws -> String {
        let folder = NSTemporaryDirectory() + "vaegan-likelihood-tool-\(getpid())"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var generator = RandomGenerator(seed: 7)
        var pixels = [Float](repeating: 0, count: 60 * 784)
        pixels.withUnsafeMutableBufferPointer { generator.fillUniform($0.baseAddress!, count: $0.count) }
        try NPYMatrix(shape: [60, 784], storage: .bytes(pixels.map { UInt8($0 * 255) })).write(toFile: "\(folder)/data.npy")
        return folder
    }

    /// Runs the tool to its end: exit status, standard output and standard error.
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CheckpointFailureTests.tool)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, out, err)
    }

    @Test("train --objective iwae --dreg --lr-schedule cosine --likelihood-every, then plot-likelihood and eval --likelihood")
    func iwaeRunEndToEnd() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let out = "\(folder)/run"
        let train = try run(["train", "--model", "vae", "--data", "\(folder)/data.npy", "--binarize",
                             "--objective", "iwae", "--importance-samples", "3", "--dreg", "--lr-schedule", "cosine",
                             "--latent", "4", "--batch-size", "16", "--epochs", "2", "--threads", "1",
                             "--likelihood-every", "1", "--likelihood-samples", "8", "--likelihood-images", "5",
                             "--out", out, "--quiet"])
        #expect(train.status == 0, "train failed: \(train.errors)")
        let records = MetricsLog.read(from: "\(out)/metrics.csv")
        #expect(records.count == 2)
        for record in records {
            let nll = try #require(record["test_nll"]), se = try #require(record["test_nll_se"])
            #expect(nll.isFinite && nll > 0 && se.isFinite && se >= 0, "epoch \(record.epoch): test_nll \(nll), se \(se)")
        }
        let file = try SafeTensorsFile.read(from: "\(out)/checkpoint.safetensors")
        #expect(file.metadata["objective"] == "iwae-dreg" && file.metadata["importance_samples"] == "3")
        #expect(file.metadata["lr_schedule"] == "cosine")

        let plot = try run(["plot-likelihood", "\(out)=tiny", "--reference", "86.5", "--out", "\(folder)/nll.png"])
        #expect(plot.status == 0, "plot-likelihood failed: \(plot.errors)")
        #expect(plot.output.contains("tiny: 2 points"), "\(plot.output)")
        let png = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/nll.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))

        let eval = try run(["eval", "--checkpoint", "\(out)/checkpoint.safetensors", "--data", "\(folder)/data.npy",
                            "--binarize", "--likelihood", "--samples", "20", "--no-quality", "--threads", "1",
                            "--out", "\(folder)/metrics.json"])
        #expect(eval.status == 0, "eval failed: \(eval.errors)")
        #expect(eval.output.contains("IWAE bound, K=20") && eval.output.contains("standard error"), "\(eval.output)")
    }

    @Test("refused: --dreg without the IWAE objective, --objective iwae for a GAN, --likelihood-every for a GAN, an unknown --preset; plot-likelihood of a run without estimates")
    func refusals() throws {
        let folder = try workspace()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let data = ["--data", "\(folder)/data.npy", "--epochs", "1", "--out", "\(folder)/x", "--quiet"]
        for (arguments, message) in [(["--model", "vae", "--dreg"], "--dreg"),
                                     (["--model", "gan", "--objective", "iwae"], "--objective"),
                                     (["--model", "gan", "--likelihood-every", "1"], "--likelihood-every"),
                                     (["--model", "vae", "--preset", "nope"], "--preset")] {
            let result = try run(["train"] + arguments + data)
            #expect(result.status != 0 && result.errors.contains(message), "\(arguments): \(result.errors)")
        }
        let plain = try run(["train", "--model", "vae", "--latent", "2", "--threads", "1"] + data)
        #expect(plain.status == 0, "\(plain.errors)")
        let plot = try run(["plot-likelihood", "\(folder)/x", "--out", "\(folder)/p.png"])
        #expect(plot.status != 0 && plot.errors.contains("no test_nll"), "\(plot.errors)")
    }
}
