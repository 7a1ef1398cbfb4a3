// vg_config: the C view of the three configurations. vg_config_init copies the library's own
// defaults (VAEConfiguration(), GANConfiguration(), VAEGANConfiguration() and the training
// adapters' learning rates), so the C defaults cannot drift from the Swift ones; `network`
// checks a caller's struct and builds the model it describes. Both touch only the caller's
// config->size bytes, which may be an older, smaller layout (configSizes).
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

/// The reference configuration of `kind`, every field set, `size` this library's sizeof.
private func referenceConfig(kind: Int32) throws(VAEGANError) -> vg_config {
    var c = vg_config()
    c.size = Int64(MemoryLayout<vg_config>.size)
    c.kind = kind
    c.batch_size = 128
    c.seed = 0
    let vae = VAEConfiguration(), gan = GANConfiguration(), vaegan = VAEGANConfiguration()
    // β-VAE fields, also the VAE-GAN's encoder and decoder.
    c.likelihood = Int32(VG_LIKELIHOOD_BERNOULLI.rawValue)
    c.sigma = 1
    c.learn_sigma = 0
    c.beta = vae.beta
    c.warmup_epochs = 0
    // GAN fields.
    c.generator_output = Int32(VG_OUTPUT_SIGMOID.rawValue)
    c.real_label = gan.realLabel
    c.discriminator_steps = 1
    c.leaky_slope = gan.leakySlope
    // VAE-GAN fields.
    c.gamma = vaegan.gamma
    c.feature_layer = Int64(vaegan.featureLayer)
    c.gating = vaegan.gating ? 1 : 0
    c.pixel_weight = Double(vaegan.pixelWeight)
    switch modelKind(kind) {
    case VG_MODEL_VAE:
        c.input_width = Int64(vae.inputWidth)
        c.latent_width = Int64(vae.latentWidth)
        setWidths(&c.encoder_widths, &c.encoder_layers, vae.encoderWidths)
        setWidths(&c.decoder_widths, &c.decoder_layers, vae.decoderWidths)
        c.learning_rate = 1e-3
        c.objective = Int32(VG_OBJECTIVE_NONSATURATING.rawValue)
    case VG_MODEL_GAN:
        c.input_width = Int64(gan.dataWidth)
        c.latent_width = Int64(gan.latentWidth)
        setWidths(&c.decoder_widths, &c.decoder_layers, gan.generatorWidths)
        setWidths(&c.discriminator_widths, &c.discriminator_layers, gan.discriminatorWidths)
        c.learning_rate = 2e-4
        c.objective = Int32((gan.objective == .minimax ? VG_OBJECTIVE_MINIMAX : VG_OBJECTIVE_NONSATURATING).rawValue)
    case VG_MODEL_VAEGAN:
        c.input_width = Int64(vaegan.inputWidth)
        c.latent_width = Int64(vaegan.latentWidth)
        setWidths(&c.encoder_widths, &c.encoder_layers, vaegan.encoderWidths)
        setWidths(&c.decoder_widths, &c.decoder_layers, vaegan.decoderWidths)
        setWidths(&c.discriminator_widths, &c.discriminator_layers, vaegan.discriminatorWidths)
        c.learning_rate = 3e-4
        c.objective = Int32((vaegan.objective == .minimax ? VG_OBJECTIVE_MINIMAX : VG_OBJECTIVE_NONSATURATING).rawValue)
        c.leaky_slope = vaegan.leakySlope
    default:
        throw .invalidArgument("kind \(kind) is not a model kind (VG_MODEL_VAE, VG_MODEL_GAN, VG_MODEL_VAEGAN)")
    }
    return c
}

/// An int32_t field as the C enum whose constants it holds (an unknown value stays unknown).
private func modelKind(_ value: Int32) -> vg_model_kind { vg_model_kind(rawValue: UInt32(bitPattern: value)) }

/// The hidden layers a vg_config can hold per network.
private let maximumLayers = Int(VG_MAX_HIDDEN_LAYERS)
/// Limits that keep a typo from asking for terabytes: widths and batch size.
private let maximumWidth = 1 << 24, maximumBatchSize = 1 << 20

private func setWidths(_ tuple: inout (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64), _ count: inout Int64,
                       _ widths: [Int]) {
    withUnsafeMutableBytes(of: &tuple) { raw in
        let slots = raw.bindMemory(to: Int64.self)
        for i in slots.indices { slots[i] = i < widths.count ? Int64(widths[i]) : 0 }
    }
    count = Int64(widths.count)
}

/// The first `count` widths of a vg_config array, checked.
private func widths(_ tuple: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64), count: Int64, _ name: String,
                    minimumLayers: Int) throws(VAEGANError) -> [Int] {
    try require(count >= Int64(minimumLayers) && count <= Int64(maximumLayers),
                "\(name)_layers must be in \(minimumLayers)...\(maximumLayers), not \(count)")
    let values = withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: Int64.self).prefix(Int(count))) }
    for (i, width) in values.enumerated() {
        try require(width >= 1 && width <= Int64(maximumWidth), "\(name)_widths[\(i)] must be in 1...\(maximumWidth), not \(width)")
    }
    return values.map { Int($0) }
}

private func width(_ value: Int64, _ name: String) throws(VAEGANError) -> Int {
    try require(value >= 1 && value <= Int64(maximumWidth), "\(name) must be in 1...\(maximumWidth), not \(value)")
    return Int(value)
}

private func flag(_ value: Int32, _ name: String) throws(VAEGANError) -> Bool {
    try require(value == 0 || value == 1, "\(name) must be 0 or 1, not \(value)")
    return value == 1
}

private func objective(_ value: Int32) throws(VAEGANError) -> GANObjective {
    switch vg_objective(rawValue: UInt32(bitPattern: value)) {
    case VG_OBJECTIVE_MINIMAX: return .minimax
    case VG_OBJECTIVE_NONSATURATING: return .nonSaturating
    default: throw .invalidArgument("objective \(value) is not a vg_objective")
    }
}

/// Floats a model of these dense layers holds (values, gradients, two Adam moments) plus its
/// per-row workspaces for `batch` rows: an estimate, for refusing what cannot be allocated.
private func estimatedFloats(layers: [[Int]], batch: Int) -> Double {
    var total = 0.0
    for widths in layers {
        for (a, b) in zip(widths, widths.dropFirst()) {
            total += 4 * (Double(a) * Double(b) + Double(b)) // value, gradient, Adam m and v
            total += 4 * Double(batch) * Double(b)           // activations and gradients
        }
        total += 2 * Double(batch) * Double(widths.first ?? 0)
    }
    return total
}

/// `.outOfMemory` unless the process can allocate about `floats` floats now.
private func requireMemory(floats: Double) throws(VAEGANError) {
    let bytes = floats * 4
    guard bytes < 0x1p40, let probe = malloc(Int(bytes)) else {
        throw .outOfMemory("the model would need about \(Int(bytes / 1e6)) MB")
    }
    free(probe)
}

extension CModel.Network {
    /// The model `config` describes, with fresh weights from its seed; every field checked.
    init(_ config: UnsafePointer<vg_config>) throws(VAEGANError) {
        // Read the size, then the kind (at the same offset in every layout), before the struct:
        // a caller's older, smaller struct must not be overread. Its missing fields keep the
        // kind's defaults; the caller's `size` bytes go over them.
        let raw = UnsafeRawPointer(config)
        let size = raw.load(as: Int64.self)
        try checkConfigSize(size, "config->size")
        var c = try referenceConfig(kind: raw.load(fromByteOffset: MemoryLayout<vg_config>.offset(of: \.kind)!, as: Int32.self))
        withUnsafeMutableBytes(of: &c) { $0.baseAddress!.copyMemory(from: raw, byteCount: Int(size)) }
        let inputWidth = try width(c.input_width, "input_width")
        let latentWidth = try width(c.latent_width, "latent_width")
        try require(c.batch_size >= 1 && c.batch_size <= Int64(maximumBatchSize),
                    "batch_size must be in 1...\(maximumBatchSize), not \(c.batch_size)")
        let batch = Int(c.batch_size)
        try require(c.learning_rate.isFinite && c.learning_rate > 0,
                    "learning_rate must be positive and finite, not \(c.learning_rate)")

        switch modelKind(c.kind) {
        case VG_MODEL_VAE:
            var v = VAEConfiguration()
            v.inputWidth = inputWidth
            v.latentWidth = latentWidth
            v.encoderWidths = try widths(c.encoder_widths, count: c.encoder_layers, "encoder", minimumLayers: 1)
            v.decoderWidths = try widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
            v.beta = c.beta
            switch vg_likelihood(rawValue: UInt32(bitPattern: c.likelihood)) {
            case VG_LIKELIHOOD_BERNOULLI: v.likelihood = .bernoulli
            case VG_LIKELIHOOD_GAUSSIAN: v.likelihood = .gaussian(sigma: c.sigma, learned: try flag(c.learn_sigma, "learn_sigma"))
            default: throw .invalidArgument("likelihood \(c.likelihood) is not a vg_likelihood")
            }
            try require(c.warmup_epochs >= 0, "warmup_epochs must be non-negative, not \(c.warmup_epochs)")
            try v.validate()
            try requireMemory(floats: estimatedFloats(
                layers: [[inputWidth] + v.encoderWidths + [2 * latentWidth], [latentWidth] + v.decoderWidths + [inputWidth]],
                batch: batch))
            let vae = try VAE(v, batchCapacity: batch, seed: c.seed)
            // The epoch length is learned at the first training call (CModel.prepareWarmup).
            self = .vae(try VAETraining(vae: vae, learningRate: c.learning_rate, warmupEpochs: Int(c.warmup_epochs),
                                        stepsPerEpoch: 1))
        case VG_MODEL_GAN:
            var g = GANConfiguration()
            g.dataWidth = inputWidth
            g.latentWidth = latentWidth
            g.generatorWidths = try widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
            g.discriminatorWidths = try widths(c.discriminator_widths, count: c.discriminator_layers, "discriminator",
                                               minimumLayers: 1)
            g.leakySlope = c.leaky_slope
            g.realLabel = c.real_label
            g.objective = try objective(c.objective)
            switch vg_output(rawValue: UInt32(bitPattern: c.generator_output)) {
            case VG_OUTPUT_SIGMOID: g.generatorOutput = .sigmoid
            case VG_OUTPUT_TANH: g.generatorOutput = .tanh
            case VG_OUTPUT_IDENTITY: g.generatorOutput = .identity
            default: throw .invalidArgument("generator_output \(c.generator_output) is not a vg_output")
            }
            try require(c.discriminator_steps >= 1 && c.discriminator_steps <= 1_000_000,
                        "discriminator_steps must be in 1...1000000, not \(c.discriminator_steps)")
            try g.validate()
            try requireMemory(floats: estimatedFloats(
                layers: [[latentWidth] + g.generatorWidths + [inputWidth], [inputWidth] + g.discriminatorWidths + [1]],
                batch: batch))
            let gan = try GAN(g, batchCapacity: batch, seed: c.seed)
            self = .gan(try GANTraining(gan: gan, learningRate: c.learning_rate,
                                        discriminatorSteps: Int(c.discriminator_steps)))
        case VG_MODEL_VAEGAN:
            var m = VAEGANConfiguration()
            m.inputWidth = inputWidth
            m.latentWidth = latentWidth
            m.encoderWidths = try widths(c.encoder_widths, count: c.encoder_layers, "encoder", minimumLayers: 1)
            m.decoderWidths = try widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
            m.discriminatorWidths = try widths(c.discriminator_widths, count: c.discriminator_layers, "discriminator",
                                               minimumLayers: 1)
            m.leakySlope = c.leaky_slope
            m.gamma = c.gamma
            m.objective = try objective(c.objective)
            try require(c.feature_layer >= 0 && c.feature_layer < c.discriminator_layers,
                        "feature_layer must index one of D's \(c.discriminator_layers) hidden layers, not \(c.feature_layer)")
            m.featureLayer = Int(c.feature_layer)
            m.gating = try flag(c.gating, "gating")
            m.pixelWeight = Float(c.pixel_weight)
            try m.validate()
            try requireMemory(floats: estimatedFloats(
                layers: [[inputWidth] + m.encoderWidths + [2 * latentWidth], [latentWidth] + m.decoderWidths + [inputWidth],
                         [inputWidth] + m.discriminatorWidths + [1]],
                batch: batch))
            let model = try VAEGAN(m, batchCapacity: batch, seed: c.seed)
            self = .vaegan(try VAEGANTraining(model: model, learningRate: c.learning_rate))
        default:
            throw .invalidArgument("kind \(c.kind) is not a model kind (VG_MODEL_VAE, VG_MODEL_GAN, VG_MODEL_VAEGAN)")
        }
    }
}
