// The VAE-GAN's vg_config fields: its defaults written from VAEGANTrainingConfiguration(),
// and a caller's fields checked and turned into a VAEGANTraining.
import CVAEGAN

extension VAEGANTraining {
    public static var cKind: vg_model_kind { VG_MODEL_VAEGAN }

    public static func writeDefaults(into c: inout vg_config) {
        let t = Configuration()
        c.input_width = Int64(t.model.inputWidth)
        c.latent_width = Int64(t.model.latentWidth)
        CConfigField.set(&c.encoder_widths, &c.encoder_layers, to: t.model.encoderWidths)
        CConfigField.set(&c.decoder_widths, &c.decoder_layers, to: t.model.decoderWidths)
        CConfigField.set(&c.discriminator_widths, &c.discriminator_layers, to: t.model.discriminatorWidths)
        c.objective = CConfigField.objective(t.model.objective)
        c.leaky_slope = t.model.leakySlope
        c.gamma = t.model.gamma
        c.feature_layer = Int64(t.model.featureLayer)
        c.gating = t.model.gating ? 1 : 0
        c.pixel_weight = Double(t.model.pixelWeight)
        c.learning_rate = t.learningRate
        c.batch_size = Int64(t.batchSize)
        c.seed = t.seed
    }

    public static func make(from c: vg_config, common: CConfigCommon) throws(VAEGANError) -> VAEGANTraining {
        var t = Configuration()
        t.model.inputWidth = common.inputWidth
        t.model.latentWidth = common.latentWidth
        t.model.encoderWidths = try CConfigField.widths(c.encoder_widths, count: c.encoder_layers, "encoder", minimumLayers: 1)
        t.model.decoderWidths = try CConfigField.widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
        t.model.discriminatorWidths = try CConfigField.widths(c.discriminator_widths, count: c.discriminator_layers,
                                                              "discriminator", minimumLayers: 1)
        t.model.leakySlope = c.leaky_slope
        t.model.gamma = c.gamma
        t.model.objective = try CConfigField.objective(c.objective)
        try require(c.feature_layer >= 0 && c.feature_layer < c.discriminator_layers,
                    "feature_layer must index one of D's \(c.discriminator_layers) hidden layers, not \(c.feature_layer)")
        t.model.featureLayer = Int(c.feature_layer)
        t.model.gating = try CConfigField.flag(c.gating, "gating")
        t.model.pixelWeight = Float(c.pixel_weight)
        try t.model.validate()
        try CConfigField.requireMemory(
            layers: [[common.inputWidth] + t.model.encoderWidths + [2 * common.latentWidth],
                     [common.latentWidth] + t.model.decoderWidths + [common.inputWidth],
                     [common.inputWidth] + t.model.discriminatorWidths + [1]],
            batch: common.batchSize)
        t.learningRate = common.learningRate
        t.batchSize = common.batchSize
        t.seed = common.seed
        return try t.makeTraining(inputWidth: common.inputWidth, stepsPerEpoch: 1)
    }
}
