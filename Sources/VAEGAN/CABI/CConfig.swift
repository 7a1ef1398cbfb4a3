// vg_config: the C view of every kind's training configuration. vg_config_init copies the
// library's own defaults (each kind's TrainingConfiguration(), written by the kind itself in
// CABI/CConfig+<Kind>.swift), so the C defaults cannot drift from the Swift ones;
// `CModel.training(from:)` checks a caller's struct and has its kind build the model it
// describes. Both touch only the caller's config->size bytes, which may be an older, smaller
// layout (configSizes).
import CVAEGAN
#if canImport(Glibc)
import Glibc
#endif

/// Fills the caller's `size` bytes at `config` with the reference configuration of `kind`.
@c @implementation
public func vg_config_init(_ config: UnsafeMutablePointer<vg_config>?, _ size: Int64, _ kind: Int32) -> vg_status {
    cCall("vg_config_init") { () throws(VAEGANError) in
        let config = try nonNull(config, "config")
        try checkConfigSize(size, "size")
        var c = try referenceConfig(kind: kind)
        c.size = size
        // Only the caller's bytes: a struct from an older vaegan.h ends before our last fields.
        withUnsafeBytes(of: &c) { UnsafeMutableRawPointer(config).copyMemory(from: $0.baseAddress!, byteCount: Int(size)) }
    }
}

/// sizeof(vg_config) of every version of vaegan.h, oldest first, with what it ends with; the
/// last is this library's. A caller's `size` must be one of them: any other value is a struct
/// this library does not know how to read (or a `size` left unset).
let configSizes: [(size: Int64, version: String)] = [
    (344, "vaegan.h 0.1 before pixel_weight"),
    (Int64(MemoryLayout<vg_config>.size), "this library's vaegan.h"),
]

/// `.invalidArgument` unless `size` is a vg_config size listed in `configSizes`.
private func checkConfigSize(_ size: Int64, _ name: String) throws(VAEGANError) {
    guard !configSizes.contains(where: { $0.size == size }) else { return }
    let known = configSizes.map { "\($0.size) (\($0.version))" }.joined(separator: ", ")
    let current = configSizes.last!.size
    if size > current {
        throw .invalidArgument("\(name) is \(size): a vg_config from a newer vaegan.h than this library's (\(current) bytes)")
    }
    throw .invalidArgument("\(name) is \(size), not the size of any vg_config layout (\(known)); pass sizeof(vg_config)")
}

/// The reference configuration of `kind`, every field set, `size` this library's sizeof: each
/// field holds the default of a kind that uses it, the chosen kind's own where kinds share a
/// field (widths, learning rate, objective), so a caller may also switch `kind` after init.
private func referenceConfig(kind: Int32) throws(VAEGANError) -> vg_config {
    let chosen = try ModelRegistry.kind(cKind: kind)
    var c = vg_config()
    for other in ModelRegistry.kinds where ObjectIdentifier(other) != ObjectIdentifier(chosen) {
        other.writeDefaults(into: &c)
    }
    chosen.writeDefaults(into: &c)
    c.size = Int64(MemoryLayout<vg_config>.size)
    c.kind = kind
    return c
}

/// The fields every kind reads, checked once for all of them.
struct CConfigCommon: Sendable {
    public var inputWidth: Int
    public var latentWidth: Int
    public var batchSize: Int
    public var learningRate: Float
    public var seed: UInt64
}

/// The hidden layers a vg_config can hold per network.
private let maximumLayers = Int(VG_MAX_HIDDEN_LAYERS)
/// Limits that keep a typo from asking for terabytes: widths and batch size.
private let maximumWidth = 1 << 24, maximumBatchSize = 1 << 20

/// vg_config fields as Swift values, checked, and Swift values as vg_config fields: what the
/// kinds' CConfig+<Kind>.swift files share.
extension vg_config {
    /// A vg_config array of hidden widths.
    typealias Widths = (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64)

    var encoder: [Int] { get { Self.get(encoder_widths, encoder_layers) } set { Self.set(&encoder_widths, &encoder_layers, newValue) } }
    var decoder: [Int] { get { Self.get(decoder_widths, decoder_layers) } set { Self.set(&decoder_widths, &decoder_layers, newValue) } }
    var discriminator: [Int] {
        get { Self.get(discriminator_widths, discriminator_layers) }
        set { Self.set(&discriminator_widths, &discriminator_layers, newValue) }
    }

    /// The encoder's widths, checked: 1 to VG_MAX_HIDDEN_LAYERS layers.
    func checkedEncoder() throws(VAEGANError) -> [Int] {
        try Self.checked(encoder_widths, count: encoder_layers, "encoder", minimumLayers: 1)
    }
    /// The decoder's (generator's) widths, checked: 0 to VG_MAX_HIDDEN_LAYERS layers.
    func checkedDecoder() throws(VAEGANError) -> [Int] {
        try Self.checked(decoder_widths, count: decoder_layers, "decoder", minimumLayers: 0)
    }
    /// The discriminator's widths, checked: 1 to VG_MAX_HIDDEN_LAYERS layers.
    func checkedDiscriminator() throws(VAEGANError) -> [Int] {
        try Self.checked(discriminator_widths, count: discriminator_layers, "discriminator", minimumLayers: 1)
    }

    /// `objective` as a GANObjective, checked.
    func checkedObjective() throws(VAEGANError) -> GANObjective {
        switch vg_objective(rawValue: UInt32(bitPattern: objective)) {
        case VG_OBJECTIVE_MINIMAX: return .minimax
        case VG_OBJECTIVE_NONSATURATING: return .nonSaturating
        default: throw .invalidArgument("objective \(objective) is not a vg_objective")
        }
    }

    mutating func setObjective(_ value: GANObjective) {
        objective = Int32((value == .minimax ? VG_OBJECTIVE_MINIMAX : VG_OBJECTIVE_NONSATURATING).rawValue)
    }

    /// A 0-or-1 int32_t field as a Bool, checked.
    static func flag(_ value: Int32, _ name: String) throws(VAEGANError) -> Bool {
        try require(value == 0 || value == 1, "\(name) must be 0 or 1, not \(value)")
        return value == 1
    }

    private static func get(_ tuple: Widths, _ count: Int64) -> [Int] {
        withUnsafeBytes(of: tuple) { $0.bindMemory(to: Int64.self).prefix(Int(max(0, min(count, 8)))).map { Int($0) } }
    }

    private static func set(_ tuple: inout Widths, _ count: inout Int64, _ widths: [Int]) {
        withUnsafeMutableBytes(of: &tuple) { raw in
            let slots = raw.bindMemory(to: Int64.self)
            for i in slots.indices { slots[i] = i < widths.count ? Int64(widths[i]) : 0 }
        }
        count = Int64(widths.count)
    }

    /// The first `count` widths of a vg_config array, checked.
    private static func checked(_ tuple: Widths, count: Int64, _ name: String, minimumLayers: Int) throws(VAEGANError) -> [Int] {
        try require(count >= Int64(minimumLayers) && count <= Int64(maximumLayers),
                    "\(name)_layers must be in \(minimumLayers)...\(maximumLayers), not \(count)")
        let values = get(tuple, count)
        for (i, width) in values.enumerated() {
            try require(width >= 1 && width <= maximumWidth, "\(name)_widths[\(i)] must be in 1...\(maximumWidth), not \(width)")
        }
        return values
    }
}

private func width(_ value: Int64, _ name: String) throws(VAEGANError) -> Int {
    try require(value >= 1 && value <= Int64(maximumWidth), "\(name) must be in 1...\(maximumWidth), not \(value)")
    return Int(value)
}

extension GenerativeTraining {
    /// Writes every field this kind reads from `Configuration()`: the shared ones here, its own
    /// through `write(_:into:)`.
    static func writeDefaults(into c: inout vg_config) {
        let t = Configuration()
        c.input_width = Int64(t.model.inputWidth)
        c.latent_width = Int64(t.latentWidth)
        c.learning_rate = t.learningRate
        c.batch_size = Int64(t.batchSize)
        c.seed = t.seed
        write(t, into: &c)
    }

    /// The model and optimizers a vg_config with checked shared fields describes.
    static func make(from c: vg_config, common: CConfigCommon, networksJSON: String?,
                     architecture: ArchitecturePreset? = nil) throws(VAEGANError) -> Self {
        var t = Configuration()
        t.model.inputWidth = common.inputWidth
        t.latentWidth = common.latentWidth
        t.learningRate = common.learningRate
        t.batchSize = common.batchSize
        t.seed = common.seed
        try read(c, into: &t)
        if let architecture {
            guard var model = t.model as? any NetworkConfigurable else {
                throw .invalidArgument("architecture: the \(displayName) has no presets")
            }
            try model.use(architecture)
            try model.validate()
            t.model = model as! Configuration.Model
        }
        if let networksJSON {
            guard var model = t.model as? any NetworkConfigurable else {
                throw .invalidArgument("networks_json: the \(displayName)'s networks are MLPs of its widths; specs are for the β-VAE and the GAN")
            }
            try model.use(networksJSON: networksJSON, source: "networks_json")
            t.model = model as! Configuration.Model
        }
        // One step per epoch until the first training call says otherwise (CModel.train).
        return try t.makeTraining(stepsPerEpoch: 1)
    }
}

extension CModel {
    /// The model `config` describes, with fresh weights from its seed; every field checked.
    /// Also returns the seed (read from the caller's bytes only).
    static func training(from config: UnsafePointer<vg_config>, networksJSON: String? = nil,
                         architecture: ArchitecturePreset? = nil) throws(VAEGANError)
        -> (training: any GenerativeTraining, seed: UInt64)
    {
        // Read the size, then the kind (at the same offset in every layout), before the struct:
        // a caller's older, smaller struct must not be overread. Its missing fields keep the
        // kind's defaults; the caller's `size` bytes go over them.
        let raw = UnsafeRawPointer(config)
        let size = raw.load(as: Int64.self)
        try checkConfigSize(size, "config->size")
        let kind = raw.load(fromByteOffset: MemoryLayout<vg_config>.offset(of: \.kind)!, as: Int32.self)
        var c = try referenceConfig(kind: kind)
        withUnsafeMutableBytes(of: &c) { $0.baseAddress!.copyMemory(from: raw, byteCount: Int(size)) }
        let inputWidth = try width(c.input_width, "input_width")
        let latentWidth = try width(c.latent_width, "latent_width")
        try require(c.batch_size >= 1 && c.batch_size <= Int64(maximumBatchSize),
                    "batch_size must be in 1...\(maximumBatchSize), not \(c.batch_size)")
        try require(c.learning_rate.isFinite && c.learning_rate > 0,
                    "learning_rate must be positive and finite, not \(c.learning_rate)")
        let common = CConfigCommon(inputWidth: inputWidth, latentWidth: latentWidth, batchSize: Int(c.batch_size), learningRate: c.learning_rate, seed: c.seed)
        return (try ModelRegistry.kind(cKind: kind).make(from: c, common: common, networksJSON: networksJSON,
                                                                    architecture: architecture), c.seed)
    }
}
