// ModelSpec: a model's networks by part name ("generator" and "discriminator"; "encoder" and
// "decoder"), the JSON form `vaegan spec` prints and `vaegan train --spec` reads:
//
//   {
//     "generator": { "input": [64], "layers": [ … ] },
//     "discriminator": { "input": [1, 28, 28], "layers": [ … ] }
//   }

/// A model configuration whose networks are specs: each kind names its parts.
public protocol NetworkConfigurable {
    /// The parts' names, in the order the model builds them.
    static var networkParts: [String] { get }
    /// Each part's network as the model would build it.
    var networks: [String: NetworkSpec] { get }
    /// z's size, which the presets' latent sides follow.
    var latentWidth: Int { get set }
    /// Checks the whole configuration, networks included.
    func validate() throws(VAEGANError)
    /// Uses a preset for every part.
    mutating func use(_ architecture: ArchitecturePreset) throws(VAEGANError)
    /// Uses the given networks (parts not named keep theirs); an unknown part is an error.
    mutating func use(networks: [String: NetworkSpec]) throws(VAEGANError)
}

extension NetworkConfigurable {
    /// The networks as JSON, parts in build order.
    public var networksJSON: String {
        let parts = Self.networkParts.compactMap { name in
            networks[name].map { "  \(JSONValue.quoted(name)): " + $0.json.replacingOccurrences(of: "\n", with: "\n  ").dropLastSpaces() }
        }
        return "{\n" + parts.joined(separator: ",\n") + "\n}\n"
    }

    /// Reads `text` ({"part": spec, …}) and uses its networks.
    public mutating func use(networksJSON text: String, source: String) throws(VAEGANError) {
        let value = try JSONValue(parsing: Array(text.utf8)[...], what: "model spec", source: source)
        guard case .object(let object) = value else { throw .format("\(source): a model spec is a JSON object of networks") }
        var networks: [String: NetworkSpec] = [:]
        for name in object.keys.sorted() {
            guard Self.networkParts.contains(name) else {
                throw .format("\(source): unknown network \"\(name)\" (this model has \(Self.networkParts.joined(separator: ", ")))")
            }
            networks[name] = try NetworkSpec(object[name]!, source: "\(source): \(name)")
        }
        try use(networks: networks)
    }
}

private extension String {
    /// Without the trailing spaces the re-indentation leaves after the last newline.
    func dropLastSpaces() -> String {
        var s = self
        while s.last == " " || s.last == "\n" { s.removeLast() }
        return s
    }
}

extension GANConfiguration: NetworkConfigurable {
    public static let networkParts = ["generator", "discriminator"]
    public var networks: [String: NetworkSpec] { ["generator": generatorNetwork, "discriminator": discriminatorNetwork] }
    public mutating func use(networks: [String: NetworkSpec]) throws(VAEGANError) {
        adopt(generator: networks["generator"] ?? generatorNetwork, discriminator: networks["discriminator"] ?? discriminatorNetwork)
        try validate()
    }
}

extension VAEConfiguration: NetworkConfigurable {
    public static let networkParts = ["encoder", "decoder"]
    public var networks: [String: NetworkSpec] { ["encoder": encoderNetwork, "decoder": decoderNetwork] }
    public mutating func use(networks: [String: NetworkSpec]) throws(VAEGANError) {
        adopt(encoder: networks["encoder"] ?? encoderNetwork, decoder: networks["decoder"] ?? decoderNetwork)
        try validate()
    }
}

extension VAEGANConfiguration: NetworkConfigurable {
    public static let networkParts = ["encoder", "decoder", "discriminator"]
    public var networks: [String: NetworkSpec] {
        ["encoder": encoderNetwork, "decoder": decoderNetwork, "discriminator": discriminatorNetwork]
    }
    public mutating func use(networks: [String: NetworkSpec]) throws(VAEGANError) {
        adopt(encoder: networks["encoder"] ?? encoderNetwork, decoder: networks["decoder"] ?? decoderNetwork,
              discriminator: networks["discriminator"] ?? discriminatorNetwork)
        try validate()
    }
}
