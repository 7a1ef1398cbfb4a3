// The old-checkpoint fixtures: one small checkpoint per model kind, written before the engine
// refactor of issue 12 by scripts/make-checkpoint-fixtures.py, with the samples each gave for
// a fixed seed. Each must still load, through the Swift API (`vaegan sample`'s path) and the
// C ABI (vg_model_load, which rebuilds the whole training state), and sample the recorded
// values. Within 1e-5 absolute, not bitwise: a new GEMM rounds the last bits differently.
import CVAEGAN
import Foundation
import Testing

@testable import VAEGAN

@Suite struct CheckpointFixtureTests {
    /// One `<kind>-samples.json`: what the script recorded for `<kind>-checkpoint.safetensors`.
    struct Record: Decodable {
        let kind: String
        let checkpoint: String
        let sample_count: Int
        let sample_seed: UInt64
        let width: Int
        let samples: [Float]
    }

    static let tolerance: Float = 1e-5

    static func record(_ kind: String) throws -> (Record, path: String) {
        let folder = try #require(Bundle.module.resourcePath).appending("/Fixtures")
        let json = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(kind)-samples.json"))
        let record = try JSONDecoder().decode(Record.self, from: json)
        try #require(record.kind == kind && record.samples.count == record.sample_count * record.width)
        return (record, "\(folder)/\(record.checkpoint)")
    }

    /// The largest |a − b|, reported as llm.c's check_tensor does rather than pass/fail alone.
    static func maximumDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: ["vae", "gan", "vaegan"])
    func swiftLoaderSamplesTheRecordedValues(kind: String) throws {
        let (record, path) = try Self.record(kind)
        let model = try TrainedModel.load(from: path)
        #expect(model.kind == kind)
        #expect(model.dataWidth == record.width)
        let samples = try model.sample(count: record.sample_count, seed: record.sample_seed)
        try #require(samples.count == record.samples.count)
        let difference = Self.maximumDifference(samples, record.samples)
        #expect(difference <= Self.tolerance, "\(kind): samples differ from the recorded ones by up to \(difference)")
    }

    @Test(arguments: ["vae", "gan", "vaegan"])
    func cLoaderSamplesTheRecordedValues(kind: String) throws {
        let (record, path) = try Self.record(kind)
        var handle: OpaquePointer?
        let status = vg_model_load(&handle, path)
        try #require(status == VG_OK, "vg_model_load: \(String(cString: vg_last_error_message()))")
        defer { vg_model_free(handle) }
        var samples = [Float](repeating: .nan, count: record.samples.count)
        #expect(vg_model_sample(handle, &samples, Int64(samples.count), Int64(record.sample_count), record.sample_seed) == VG_OK)
        let difference = Self.maximumDifference(samples, record.samples)
        #expect(difference <= Self.tolerance, "\(kind): samples differ from the recorded ones by up to \(difference)")
    }

    /// The comparison can fail: a checkpoint of another kind does not sample the recorded values.
    @Test func recordsTellTheModelsApart() throws {
        let (vae, _) = try Self.record("vae")
        let (_, vaeganPath) = try Self.record("vaegan")
        let other = try TrainedModel.load(from: vaeganPath).sample(count: vae.sample_count, seed: vae.sample_seed)
        #expect(Self.maximumDifference(other, vae.samples) > 100 * Self.tolerance)
    }
}
