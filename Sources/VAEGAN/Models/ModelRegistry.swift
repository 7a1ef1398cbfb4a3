// ModelRegistry: every kind of generative model, registered once (the pattern of
// swift-argument-parser's subcommand list). Checkpoints name their kind ("model"), the tool
// takes it as --model, the C ABI as vg_model_kind; all three look it up here. Adding a kind
// means its own files (model, configuration, training adapter, metrics, pictures, C fields)
// plus one entry in `kinds`.
import CVAEGAN

public enum ModelRegistry {
    /// Every kind, in the order of their vg_model_kind constants.
    public static let kinds: [any GenerativeTraining.Type] = [VAETraining.self, GANTraining.self, VAEGANTraining.self]

    /// The kinds' names: "vae", "gan", "vaegan".
    public static var names: [String] { kinds.map { $0.kind } }

    /// The kind called `name`; `.wrongModel` naming the known ones otherwise.
    public static func kind(named name: String) throws(VAEGANError) -> any GenerativeTraining.Type {
        guard let kind = kinds.first(where: { $0.kind == name }) else {
            throw .wrongModel("unknown model kind '\(name)' (known: \(names.joined(separator: ", ")))")
        }
        return kind
    }

    /// The kind a checkpoint holds (its "model" metadata), after checking the entries that
    /// describe the file (`format`, `<part>_output_type`): every reader of models starts here.
    public static func kind(of file: SafeTensorsFile) throws(VAEGANError) -> any GenerativeTraining.Type {
        try file.validateDescription()
        let name = try file.string("model")
        guard let kind = kinds.first(where: { $0.kind == name }) else {
            throw .wrongModel("\(file.source): unknown model kind '\(name)'")
        }
        return kind
    }

    /// The kind whose vg_model_kind constant is `value`.
    static func kind(cKind value: Int32) throws(VAEGANError) -> any GenerativeTraining.Type {
        guard let kind = kinds.first(where: { Int32(bitPattern: $0.cKind.rawValue) == value }) else {
            let known = kinds.map { "\($0.cKind.rawValue) (\($0.displayName))" }.joined(separator: ", ")
            throw .invalidArgument("kind \(value) is not a model kind (\(known))")
        }
        return kind
    }
}
