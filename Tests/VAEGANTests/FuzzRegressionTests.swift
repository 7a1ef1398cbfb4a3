// FuzzRegressionTests: every input that ever crashed a fuzz harness (Fixtures/fuzz-regressions)
// and every seed of the harnesses (Fuzz/Corpus), fed to the parser its harness drives, with the
// harness's checks: a thrown VAEGANError or a value that survives its round trip, never a trap.
// The bodies mirror Fuzz/Sources/*/main.swift.
import Foundation
import Testing
@testable import VAEGAN

@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The files of one harness: its seeds and its regressions.
    static func inputs(_ harness: String) -> [(name: String, bytes: [UInt8])] {
        let folders = ["Fuzz/Corpus/\(harness)", "Tests/VAEGANTests/Fixtures/fuzz-regressions/\(harness)"]
        return folders.flatMap { folder -> [(name: String, bytes: [UInt8])] in
            let url = root.appendingPathComponent(folder)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
                .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
            return names.map { ("\(folder)/\($0)", [UInt8]((try? Data(contentsOf: url.appendingPathComponent($0))) ?? Data())) }
        }
    }

    @Test func harnessesHaveSeeds() {
        for harness in ["safetensors", "npy", "idx", "gzip", "json", "spec"] {
            #expect(!Self.inputs(harness).isEmpty, "no seeds for \(harness) in Fuzz/Corpus")
        }
    }

    @Test func safeTensors() {
        for (name, bytes) in Self.inputs("safetensors") {
            guard let file = try? SafeTensorsFile(serialized: bytes, source: name) else { continue }
            let again = try? SafeTensorsFile(serialized: file.serialized(), source: name)
            #expect(again?.tensors == file.tensors && again?.metadata == file.metadata, "\(name): round trip")
            if let kind = try? ModelRegistry.kind(named: file.string("model")) { _ = try? kind.loadTraining(from: file) }
        }
    }

    @Test func npy() {
        for (name, bytes) in Self.inputs("npy") {
            guard let matrix = try? NPYMatrix(npyBytes: bytes, source: name) else { continue }
            #expect((try? NPYMatrix(npyBytes: matrix.npyBytes(), source: name)) == matrix, "\(name): round trip")
        }
    }

    @Test func idx() {
        for (name, original) in Self.inputs("idx") {
            var bytes = original
            if Gzip.isCompressed(bytes) {
                guard let inflated = try? Gzip.decompress(bytes, format: .gzip, source: name) else { continue }
                bytes = inflated
            }
            if let images = try? IDXImages(idxBytes: bytes, source: name) {
                #expect((try? IDXImages(idxBytes: images.idxBytes(), source: name))?.pixels == images.pixels, "\(name)")
            }
            if let labels = try? IDXLabels(idxBytes: bytes, source: name) {
                #expect((try? IDXLabels(idxBytes: labels.idxBytes(), source: name))?.labels == labels.labels, "\(name)")
            }
        }
    }

    @Test func gzip() {
        for (name, bytes) in Self.inputs("gzip") {
            if let inflated = try? Gzip.decompress(bytes, format: .gzip, source: name) {
                #expect((try? Gzip.decompress(Gzip.compress(inflated), format: .gzip, source: name)) == inflated, "\(name)")
            }
            _ = try? Gzip.decompress(bytes, format: .zlib, source: name)
        }
    }

    @Test func json() {
        for (name, bytes) in Self.inputs("json") {
            if let value = try? JSONValue(parsing: bytes[...], what: "document", source: name), case .string(let text) = value {
                #expect((try? JSONValue(parsing: Array(JSONValue.quoted(text).utf8)[...], what: "document", source: name)) == value)
            }
        }
    }

    @Test func spec() {
        for (name, bytes) in Self.inputs("spec") {
            guard let spec = try? NetworkSpec(json: String(decoding: bytes, as: UTF8.self), source: name),
                  (try? spec.shapes()) != nil else { continue }
            #expect((try? NetworkSpec(json: spec.json, source: name)) == spec, "\(name): round trip")
        }
    }
}
