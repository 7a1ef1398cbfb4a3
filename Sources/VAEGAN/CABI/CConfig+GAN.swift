// The GAN's own vg_config fields: both players' widths (the generator's are decoder_widths),
// objective, output, slope, real label and k, written from and read into its
// GANTrainingConfiguration.
import CVAEGAN

extension GANTraining {
    public static var cKind: vg_model_kind { VG_MODEL_GAN }

    public static func write(_ t: Configuration, into c: inout vg_config) {
        c.decoder = t.model.generatorWidths
        c.discriminator = t.model.discriminatorWidths
        c.setObjective(t.model.objective)
        c.generator_output = Int32(outputs.first { $0.activation == t.model.generatorOutput }?.constant.rawValue ?? 0)
        c.leaky_slope = t.model.leakySlope
        c.real_label = t.model.realLabel
        c.discriminator_steps = Int64(t.discriminatorSteps)
    }

    public static func read(_ c: vg_config, into t: inout Configuration) throws(VAEGANError) {
        t.model.generatorWidths = try c.checkedDecoder()
        t.model.discriminatorWidths = try c.checkedDiscriminator()
        t.model.leakySlope = c.leaky_slope
        t.model.realLabel = c.real_label
        t.model.objective = try c.checkedObjective()
        guard let output = outputs.first(where: { Int32($0.constant.rawValue) == c.generator_output }) else {
            throw .invalidArgument("generator_output \(c.generator_output) is not a vg_output")
        }
        t.model.generatorOutput = output.activation
        try require(c.discriminator_steps >= 1 && c.discriminator_steps <= 1_000_000,
                    "discriminator_steps must be in 1...1000000, not \(c.discriminator_steps)")
        t.discriminatorSteps = Int(c.discriminator_steps)
        try t.model.validate()
    }

    /// The generator outputs vaegan.h names, both ways.
    private static let outputs: [(constant: vg_output, activation: Activation)] =
        [(VG_OUTPUT_SIGMOID, .sigmoid), (VG_OUTPUT_TANH, .tanh), (VG_OUTPUT_IDENTITY, .identity)]
}
