// The VAE-GAN's own vg_config fields: three networks' widths, slope, γ, objective, feature
// layer, gate and λ, written from and read into its VAEGANTrainingConfiguration.
import CVAEGAN

extension VAEGANTraining {
    public static var cKind: vg_model_kind { VG_MODEL_VAEGAN }

    public static func write(_ t: Configuration, into c: inout vg_config) {
        let m = t.model
        (c.encoder, c.decoder, c.discriminator) = (m.encoderWidths, m.decoderWidths, m.discriminatorWidths)
        c.setObjective(m.objective)
        (c.leaky_slope, c.gamma, c.pixel_weight) = (m.leakySlope, m.gamma, Double(m.pixelWeight))
        c.feature_layer = Int64(m.featureLayer)
        c.gating = m.gating ? 1 : 0
    }

    public static func read(_ c: vg_config, into t: inout Configuration) throws(VAEGANError) {
        (t.model.encoderWidths, t.model.decoderWidths) = (try c.checkedEncoder(), try c.checkedDecoder())
        t.model.discriminatorWidths = try c.checkedDiscriminator()
        (t.model.leakySlope, t.model.gamma) = (c.leaky_slope, c.gamma)
        t.model.objective = try c.checkedObjective()
        try require(c.feature_layer >= 0 && c.feature_layer < c.discriminator_layers,
                    "feature_layer must index one of D's \(c.discriminator_layers) hidden layers, not \(c.feature_layer)")
        t.model.featureLayer = Int(c.feature_layer)
        t.model.gating = try vg_config.flag(c.gating, "gating")
        t.model.pixelWeight = Float(c.pixel_weight)
        try t.model.validate()
    }
}
