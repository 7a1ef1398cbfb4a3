// The data width under one key for every kind: checkpoints write `data_width` (the β-VAE and
// VAE-GAN also `input_width`, their name for it before, for older readers); readers take
// either key alone (the fixtures have only the old one), and refuse the two when they differ.
import Foundation
import Testing

@testable import VAEGAN

@Suite struct MetadataKeyTests {
    @Test(arguments: ["vae", "gan", "vaegan"])
    func everyKindWritesDataWidth(kind: String) throws {
        let (file, record) = try WeightsCheckpointTests.fixture(kind)
        let checkpoint = try ModelRegistry.kind(of: file).loadTraining(from: file).training.checkpoint()
        #expect(checkpoint.metadata["data_width"] == String(record.width))
        #expect(checkpoint.metadata["input_width"] == (kind == "gan" ? nil : String(record.width)))
    }

    @Test(arguments: ["vae", "gan", "vaegan"])
    func eitherKeyReadsAndDisagreementIsAnError(kind: String) throws {
        let (file, record) = try WeightsCheckpointTests.fixture(kind)
        let checkpoint = try ModelRegistry.kind(of: file).loadTraining(from: file).training.checkpoint()
        for (kept, dropped) in [("data_width", "input_width"), ("input_width", "data_width")] {
            var one = checkpoint
            one.metadata[dropped] = nil
            one.metadata[kept] = String(record.width)
            let training = try ModelRegistry.kind(of: one).loadTraining(from: one).training
            #expect(training.inputWidth == record.width, "\(kind) with \(kept) alone")
        }
        var both = checkpoint
        both.metadata["data_width"] = String(record.width)
        both.metadata["input_width"] = String(record.width + 1)
        #expect(throws: VAEGANError.self) { try ModelRegistry.kind(of: both).loadTraining(from: both) }
    }
}
