// Checkpoints with NaN or infinity in a tensor are refused at load, by every loader (the
// inference-only TrainedModel, the training adapters, the C ABI's vg_model_load), with a
// .nonFinite error (VG_ERROR_NON_FINITE) naming the tensor. Each case writes a valid small
// checkpoint, checks it loads, then corrupts one value and checks that it no longer does.
import CVAEGAN
import Foundation
import Testing

@testable import VAEGAN

@Suite final class CheckpointValidationTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-nonfinite-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// A freshly initialized β-VAE's training checkpoint: 16 features, hidden 8, latent 3.
    private func vaeCheckpoint() throws -> SafeTensorsFile {
        let vae = try VAE(.tiny, batchCapacity: 4, seed: 1)
        return try VAETraining(vae: vae, learningRate: 1e-3, warmupEpochs: 0, stepsPerEpoch: 1).checkpoint()
    }

    /// A freshly initialized GAN's training checkpoint: 16 features, G 3-8-16, D 16-8-1.
    private func ganCheckpoint() throws -> SafeTensorsFile {
        var c = GANConfiguration()
        c.dataWidth = 16
        c.latentWidth = 3
        c.generatorWidths = [8]
        c.discriminatorWidths = [8]
        let gan = try GAN(c, batchCapacity: 4, seed: 1)
        return try GANTraining(gan: gan, learningRate: 2e-4).checkpoint()
    }

    /// `file` with element `index` of tensor `name` replaced by `value`, written to `<label>.safetensors`.
    private func write(_ file: SafeTensorsFile, setting name: String, index: Int, to value: Float, label: String) throws -> String {
        var file = file
        var values = try file.floats(name)
        values[index] = value
        file.tensors[name] = StoredTensor(floats: values, shape: file.tensors[name]!.shape)
        let path = "\(folder)/\(label).safetensors"
        try file.write(to: path)
        return path
    }

    /// vg_model_load's status and message for `path`; frees the handle if one was made.
    private func loadThroughC(_ path: String) -> (vg_status, String, madeHandle: Bool) {
        var handle: OpaquePointer?
        vg_error_clear()
        let status = vg_model_load(&handle, path)
        let message = String(cString: vg_last_error_message())
        vg_model_free(handle)
        return (status, message, handle != nil)
    }

    @Test("vg_model_load: metadata that does not parse is a format error, a tensor of the wrong shape a shape mismatch")
    func damagedMetadataIsRefused() throws {
        var file = try vaeCheckpoint()
        file.metadata["epoch"] = "x"
        let badEpoch = "\(folder)/bad-epoch.safetensors"
        try file.write(to: badEpoch)
        let (status, message, madeHandle) = loadThroughC(badEpoch)
        #expect(status == VG_ERROR_FORMAT && !madeHandle, "\(message)")
        #expect(message.contains("epoch"), "\(message)")

        var wide = try vaeCheckpoint()
        wide.tensors["encoder.0.weight"] = StoredTensor(floats: [Float](repeating: 0.1, count: 8 * 20), shape: [8, 20])
        let badShape = "\(folder)/bad-shape.safetensors"
        try wide.write(to: badShape)
        let (shapeStatus, shapeMessage, _) = loadThroughC(badShape)
        #expect(shapeStatus == VG_ERROR_SHAPE_MISMATCH, "\(shapeStatus): \(shapeMessage)")
    }

    /// Every metadata entry of each kind's checkpoint (training and weights-only), in turn set
    /// to a value that does not parse ("x") or parses but no model can take ("0", "-1"): the
    /// load is a format error (the model entry: an unknown kind), never a success with a default,
    /// never an invalid argument (the file is not the caller's argument).
    @Test("vg_model_load: every metadata value that does not parse, or that no model takes, is a format error")
    func everyDamagedMetadataValueIsAFormatError() throws {
        let vaegan = try VAEGAN(VAEGANModelTests.tinyConfiguration(), batchCapacity: 4, seed: 1)
        let vaeganFile = try VAEGANTraining(model: vaegan).checkpoint()
        let files = [("vae", try vaeCheckpoint()), ("gan", try ganCheckpoint()), ("vaegan", vaeganFile)]
        var checked = 0
        for (kind, training) in files {
            for (form, file) in [("checkpoint", training), ("weights", try training.weightsOnly())] {
                for key in file.metadata.keys.sorted() {
                    for value in ["x", "0", "-1"] where value == "x" || Int(file.metadata[key]!) != nil || Float(file.metadata[key]!) != nil {
                        var damaged = file
                        damaged.metadata[key] = value
                        let path = "\(folder)/\(kind)-\(form)-\(key).safetensors"
                        try damaged.write(to: path)
                        let (status, message, madeHandle) = loadThroughC(path)
                        // Some numbers are values a model takes (an epoch of 0, a β of 0).
                        if status == VG_OK && value != "x" { continue }
                        let expected = key == "model" ? VG_ERROR_WRONG_MODEL : VG_ERROR_FORMAT
                        #expect(status == expected && !madeHandle,
                                "\(kind) \(form), \(key) = \(value): \(String(cString: vg_status_string(status))): \(message)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func validCheckpointsLoad() throws {
        for (label, file) in [("vae", try vaeCheckpoint()), ("gan", try ganCheckpoint())] {
            let path = "\(folder)/\(label)-valid.safetensors"
            try file.write(to: path)
            _ = try TrainedModel.load(from: path)
            let (status, message, madeHandle) = loadThroughC(path)
            #expect(status == VG_OK, "\(label): \(message)")
            #expect(madeHandle)
        }
    }

    @Test func nanWeightIsRefusedNamingTheTensor() throws {
        let path = try write(try vaeCheckpoint(), setting: "decoder.1.weight", index: 8 * 3 + 5, to: .nan, label: "vae-nan")
        let fragments = ["decoder.1.weight", "nan", "[3, 5]", path]
        expectVAEGANError(VAEGANError.nonFinite, mentioning: fragments) { _ = try TrainedModel.load(from: path) }
        expectVAEGANError(VAEGANError.nonFinite, mentioning: fragments) {
            _ = try VAETraining.load(from: try SafeTensorsFile.read(from: path))
        }
        let (status, message, madeHandle) = loadThroughC(path)
        #expect(status == VG_ERROR_NON_FINITE)
        #expect(message.contains("vg_model_load") && message.contains("decoder.1.weight"), "\(message)")
        #expect(!madeHandle)
    }

    @Test func infiniteWeightIsRefusedNamingTheTensor() throws {
        let path = try write(try ganCheckpoint(), setting: "generator.0.bias", index: 2, to: .infinity, label: "gan-inf")
        let fragments = ["generator.0.bias", "inf", "[2]"]
        expectVAEGANError(VAEGANError.nonFinite, mentioning: fragments) { _ = try TrainedModel.load(from: path) }
        expectVAEGANError(VAEGANError.nonFinite, mentioning: fragments) {
            _ = try GANTraining.load(from: try SafeTensorsFile.read(from: path))
        }
        let (status, message, madeHandle) = loadThroughC(path)
        #expect(status == VG_ERROR_NON_FINITE)
        #expect(message.contains("generator.0.bias"), "\(message)")
        #expect(!madeHandle)
    }

    /// Optimizer state is training state too: resuming from NaN moments would poison every step.
    @Test func nonFiniteOptimizerMomentIsRefusedWhenTrainingStateLoads() throws {
        let name = "optimizer.vae.mu.weight.exp_avg_sq"
        let path = try write(try vaeCheckpoint(), setting: name, index: 0, to: -.infinity, label: "vae-moment")
        expectVAEGANError(VAEGANError.nonFinite, mentioning: [name, "-inf"]) {
            _ = try VAETraining.load(from: try SafeTensorsFile.read(from: path))
        }
        let (status, message, _) = loadThroughC(path)
        #expect(status == VG_ERROR_NON_FINITE)
        #expect(message.contains(name), "\(message)")
    }
}
