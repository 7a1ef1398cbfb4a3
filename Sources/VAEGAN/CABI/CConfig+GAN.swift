// The GAN's vg_config fields: its defaults written from GANTrainingConfiguration(), and a
// caller's fields checked and turned into a GANTraining (the generator's widths are
// decoder_widths).
import CVAEGAN

extension GANTraining {
    public static var cKind: vg_model_kind { VG_MODEL_GAN }

    public static func writeDefaults(into c: inout vg_config) {
        let t = Configuration()
        c.input_width = Int64(t.model.dataWidth)
        c.latent_width = Int64(t.model.latentWidth)
        CConfigField.set(&c.decoder_widths, &c.decoder_layers, to: t.model.generatorWidths)
        CConfigField.set(&c.discriminator_widths, &c.discriminator_layers, to: t.model.discriminatorWidths)
        c.objective = CConfigField.objective(t.model.objective)
        c.generator_output = Int32(cOutput(t.model.generatorOutput).rawValue)
        c.leaky_slope = t.model.leakySlope
        c.real_label = t.model.realLabel
        c.discriminator_steps = Int64(t.discriminatorSteps)
        c.learning_rate = t.learningRate
        c.batch_size = Int64(t.batchSize)
        c.seed = t.seed
    }

    public static func make(from c: vg_config, common: CConfigCommon) throws(VAEGANError) -> GANTraining {
        var t = Configuration()
        t.model.dataWidth = common.inputWidth
        t.model.latentWidth = common.latentWidth
        t.model.generatorWidths = try CConfigField.widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
        t.model.discriminatorWidths = try CConfigField.widths(c.discriminator_widths, count: c.discriminator_layers,
                                                              "discriminator", minimumLayers: 1)
        t.model.leakySlope = c.leaky_slope
        t.model.realLabel = c.real_label
        t.model.objective = try CConfigField.objective(c.objective)
        switch vg_output(rawValue: UInt32(bitPattern: c.generator_output)) {
        case VG_OUTPUT_SIGMOID: t.model.generatorOutput = .sigmoid
        case VG_OUTPUT_TANH: t.model.generatorOutput = .tanh
        case VG_OUTPUT_IDENTITY: t.model.generatorOutput = .identity
        default: throw .invalidArgument("generator_output \(c.generator_output) is not a vg_output")
        }
        try require(c.discriminator_steps >= 1 && c.discriminator_steps <= 1_000_000,
                    "discriminator_steps must be in 1...1000000, not \(c.discriminator_steps)")
        t.discriminatorSteps = Int(c.discriminator_steps)
        try t.model.validate()
        try CConfigField.requireMemory(
            layers: [[common.latentWidth] + t.model.generatorWidths + [common.inputWidth],
                     [common.inputWidth] + t.model.discriminatorWidths + [1]],
            batch: common.batchSize)
        t.learningRate = common.learningRate
        t.batchSize = common.batchSize
        t.seed = common.seed
        return try t.makeTraining(inputWidth: common.inputWidth, stepsPerEpoch: 1)
    }

    private static func cOutput(_ activation: Activation) -> vg_output {
        switch activation {
        case .tanh: VG_OUTPUT_TANH
        case .identity: VG_OUTPUT_IDENTITY
        default: VG_OUTPUT_SIGMOID
        }
    }
}
