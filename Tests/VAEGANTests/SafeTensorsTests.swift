// safetensors: round trips of every supported dtype, deterministic aligned layout, typed
// accessors, and every kind of broken file (length field, JSON, dtype, shape, offsets,
// overlaps, gaps). Broken files are built by hand from a header string and data bytes.
import Foundation
import Testing

@testable import VAEGAN

@Suite final class SafeTensorsTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vaegan-safetensors-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func path(_ name: String) -> String { "\(folder)/\(name)" }

    /// A file whose length field says `declaredLength` (the header's length by default).
    private func write(header: String, data: [UInt8], declaredLength: UInt64? = nil, to name: String) -> String {
        let headerBytes = Array(header.utf8)
        let length = declaredLength ?? UInt64(headerBytes.count)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + headerBytes + data
        _ = FileManager.default.createFile(atPath: path(name), contents: Data(bytes))
        return path(name)
    }

    private let checkpoint = SafeTensorsFile(
        metadata: ["model": "vae", "note": "a \"quoted\"\nline, β=1"],
        tensors: [
            "encoder.weight": StoredTensor(floats: (0..<12).map { Float($0) / 4 }, shape: [3, 4]),
            "encoder.bias": StoredTensor(floats: [-1, 0, .greatestFiniteMagnitude]),
            "step": StoredTensor(int64s: [1234]),
            "rng.state": StoredTensor(uint64s: [.max, 0, 42]),
            "scale": StoredTensor(doubles: [0.1], shape: []),
            "mask": StoredTensor(uint8s: [1, 0, 1], shape: [3, 1]),
            "empty": StoredTensor(floats: [], shape: [0, 5]),
        ])

    @Test func everyDtypeRoundTrips() throws {
        try checkpoint.write(to: path("model.safetensors"))
        let read = try SafeTensorsFile.read(from: path("model.safetensors"))
        #expect(read.metadata == checkpoint.metadata)
        #expect(read.tensors == checkpoint.tensors)
        #expect(try read.floats("encoder.weight", shape: [3, 4]) == (0..<12).map { Float($0) / 4 })
        #expect(try read.uint64s("rng.state") == [.max, 0, 42])
        #expect(try read.int64s("step") == [1234])
        #expect(try read.doubles("scale", shape: []) == [0.1])
        #expect(try read.uint8s("mask") == [1, 0, 1])
        #expect(try read.floats("empty").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])
    }

    @Test func layoutIsDeterministicPaddedAndAligned() throws {
        let bytes = checkpoint.serialized()
        #expect(bytes == checkpoint.serialized())
        let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) })
        #expect(headerLength % 8 == 0 && bytes[8] == UInt8(ascii: "{"))
        let header = try JSONValue(parsing: bytes[8..<8 + headerLength], what: "header", source: "test")
        guard case .object(let entries) = header else { Issue.record("header is not an object"); return }
        for (name, tensor) in checkpoint.tensors {
            guard case .object(let fields)? = entries[name], case .array(let offsets)? = fields["data_offsets"],
                case .integer(let begin) = offsets[0]
            else { Issue.record("no offsets for \(name)"); continue }
            #expect(begin % tensor.dtype.byteCount == 0, "\(name) starts at \(begin)")
        }
    }

    @Test func accessorsCheckNameDtypeAndShape() {
        expectVAEGANError(VAEGANError.format, mentioning: ["no tensor named 'decoder.weight'"]) {
            _ = try checkpoint.floats("decoder.weight")
        }
        expectVAEGANError(VAEGANError.format, mentioning: ["tensor 'step' is I64, expected F32"]) {
            _ = try checkpoint.floats("step")
        }
        expectVAEGANError(VAEGANError.shapeMismatch, mentioning: ["'encoder.weight'", "[3, 4]", "expected [4, 3]"]) {
            _ = try checkpoint.floats("encoder.weight", shape: [4, 3])
        }
    }

    @Test func badLengthFieldsAreRejected() {
        let tiny = path("tiny.safetensors")
        _ = FileManager.default.createFile(atPath: tiny, contents: Data([1, 2, 3, 4, 5]))
        expectVAEGANError(VAEGANError.format, mentioning: [tiny, "5 bytes is too short"]) { _ = try SafeTensorsFile.read(from: tiny) }

        let absurd = write(header: "{}", data: [], declaredLength: .max, to: "absurd.safetensors")
        expectVAEGANError(VAEGANError.format, mentioning: [absurd, "header length 18446744073709551615", "limit"]) {
            _ = try SafeTensorsFile.read(from: absurd)
        }
        let beyond = write(header: "{}", data: [], declaredLength: 4096, to: "beyond.safetensors")
        expectVAEGANError(VAEGANError.format, mentioning: [beyond, "header length 4096 is larger than the 2 bytes"]) {
            _ = try SafeTensorsFile.read(from: beyond)
        }
    }

    @Test func truncatedFilesAreRejected() throws {
        try checkpoint.write(to: path("whole.safetensors"))
        let bytes = try readFileBytes(atPath: path("whole.safetensors"))
        let cut = path("cut.safetensors")
        _ = FileManager.default.createFile(atPath: cut, contents: Data(bytes.dropLast(3)))
        expectVAEGANError(VAEGANError.format, mentioning: [cut, "outside the", "data section"]) { _ = try SafeTensorsFile.read(from: cut) }
        let cutInHeader = path("cut-header.safetensors")
        _ = FileManager.default.createFile(atPath: cutInHeader, contents: Data(bytes.prefix(40)))
        expectVAEGANError(VAEGANError.format, mentioning: [cutInHeader, "larger than the 32 bytes after it"]) {
            _ = try SafeTensorsFile.read(from: cutInHeader)
        }
    }

    @Test func brokenHeadersAreRejected() {
        let eightBytes = [UInt8](repeating: 0, count: 8)
        let cases: [(header: String, data: [UInt8], fragments: [String])] = [
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1000]}}"#, eightBytes, ["'a'", "[0, 1000]", "outside the 8-byte data section"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, eightBytes, ["'a' and 'b' overlap"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, eightBytes, ["data bytes 0..<4 belong to no tensor", "'a'"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, eightBytes, ["4 data bytes after the last tensor"]),
            (#"{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#, eightBytes, ["dtype 'F33'", "not supported", "F32, F64, I64, U64, U8"]),
            (#"{"a":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}}"#, eightBytes, ["dtype 'BF16'"]),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, eightBytes, ["span 8 bytes", "shape [3] of F32 needs 12"]),
            (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, eightBytes, ["non-negative integers"]),
            (#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#, eightBytes, ["non-negative integers"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0.0,8]}}"#, eightBytes, ["two integers"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, eightBytes, ["begin ≤ end"]),
            (#"{"a":{"dtype":"F32","shape":[2]}}"#, eightBytes, ["expected dtype, shape and data_offsets"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, eightBytes, ["\"a\" appears twice"]),
            (#"{"__metadata__":{"epoch":3}}"#, [], ["__metadata__ value for 'epoch' is not a string"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, eightBytes, ["not valid JSON", "expected ',' or '}'"]),
            (#"[1, 2]"#, [], ["not a JSON object"]),
            ("{\"a\u{1}\":1}", [], ["control character"]),
            (String(repeating: "[", count: 100), [], ["nested more than 64 levels"]),
        ]
        for (index, (header, data, fragments)) in cases.enumerated() {
            let file = write(header: header, data: data, to: "broken\(index).safetensors")
            expectVAEGANError(VAEGANError.format, mentioning: [file] + fragments) { _ = try SafeTensorsFile.read(from: file) }
        }
    }

    @Test func headersFromOtherWritersAreAccepted() throws {
        // Spaces, escapes and \u sequences as other JSON writers produce them; padding at the end.
        let header = #"{ "__metadata__" : { "format" : "pt", "w\u00e9ight\n" : "\ud83d\ude00" } , "x" : { "dtype" : "U8", "shape" : [ 2 ], "data_offsets" : [ 0, 2 ] } }    "#
        let file = write(header: header, data: [7, 9], to: "spaced.safetensors")
        let read = try SafeTensorsFile.read(from: file)
        #expect(read.metadata == ["format": "pt", "wéight\n": "😀"])
        #expect(try read.uint8s("x") == [7, 9])
    }

    @Test func failedWriteLeavesTheOldFileIntact() throws {
        let target = path("kept.safetensors")
        try checkpoint.write(to: target)
        let before = try readFileBytes(atPath: target)
        // A folder squatting on the temporary file's name makes the write fail before the rename.
        let temporary = "\(target).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: "\(temporary)/inside", withIntermediateDirectories: true)
        expectVAEGANError(VAEGANError.io, mentioning: [target, "cannot create temporary file"]) {
            try SafeTensorsFile(metadata: ["new": "yes"]).write(to: target)
        }
        #expect(try readFileBytes(atPath: target) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(temporary)") == ["inside"])
    }
}
