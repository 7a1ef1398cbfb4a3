// The β-VAE's vg_config fields: its defaults written from VAETrainingConfiguration(), and a
// caller's fields checked and turned into a VAETraining.
import CVAEGAN

extension VAETraining {
    public static var cKind: vg_model_kind { VG_MODEL_VAE }

    public static func writeDefaults(into c: inout vg_config) {
        let t = Configuration()
        c.input_width = Int64(t.model.inputWidth)
        c.latent_width = Int64(t.model.latentWidth)
        CConfigField.set(&c.encoder_widths, &c.encoder_layers, to: t.model.encoderWidths)
        CConfigField.set(&c.decoder_widths, &c.decoder_layers, to: t.model.decoderWidths)
        switch t.model.likelihood {
        case .bernoulli:
            c.likelihood = Int32(VG_LIKELIHOOD_BERNOULLI.rawValue)
            c.sigma = Likelihood.defaultGaussianSigma
            c.learn_sigma = 0
        case .gaussian(let sigma, let learned):
            c.likelihood = Int32(VG_LIKELIHOOD_GAUSSIAN.rawValue)
            c.sigma = sigma
            c.learn_sigma = learned ? 1 : 0
        }
        c.beta = t.model.beta
        c.warmup_epochs = Int64(t.warmupEpochs)
        c.learning_rate = t.learningRate
        c.batch_size = Int64(t.batchSize)
        c.seed = t.seed
    }

    public static func make(from c: vg_config, common: CConfigCommon) throws(VAEGANError) -> VAETraining {
        var t = Configuration()
        t.model.inputWidth = common.inputWidth
        t.model.latentWidth = common.latentWidth
        t.model.encoderWidths = try CConfigField.widths(c.encoder_widths, count: c.encoder_layers, "encoder", minimumLayers: 1)
        t.model.decoderWidths = try CConfigField.widths(c.decoder_widths, count: c.decoder_layers, "decoder", minimumLayers: 0)
        t.model.beta = c.beta
        switch vg_likelihood(rawValue: UInt32(bitPattern: c.likelihood)) {
        case VG_LIKELIHOOD_BERNOULLI: t.model.likelihood = .bernoulli
        case VG_LIKELIHOOD_GAUSSIAN:
            t.model.likelihood = .gaussian(sigma: c.sigma, learned: try CConfigField.flag(c.learn_sigma, "learn_sigma"))
        default: throw .invalidArgument("likelihood \(c.likelihood) is not a vg_likelihood")
        }
        try require(c.warmup_epochs >= 0, "warmup_epochs must be non-negative, not \(c.warmup_epochs)")
        t.warmupEpochs = Int(c.warmup_epochs)
        try t.model.validate()
        try CConfigField.requireMemory(
            layers: [[common.inputWidth] + t.model.encoderWidths + [2 * common.latentWidth],
                     [common.latentWidth] + t.model.decoderWidths + [common.inputWidth]],
            batch: common.batchSize)
        t.learningRate = common.learningRate
        t.batchSize = common.batchSize
        t.seed = common.seed
        // The epoch length is learned at the first training call (CModel.train, prepare).
        return try t.makeTraining(inputWidth: common.inputWidth, stepsPerEpoch: 1)
    }
}
