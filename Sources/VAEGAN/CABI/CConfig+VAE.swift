// The β-VAE's own vg_config fields: widths, likelihood, β and warm-up, written from and read
// into its VAETrainingConfiguration.
import CVAEGAN

extension VAETraining {
    public static var cKind: vg_model_kind { VG_MODEL_VAE }

    public static func write(_ t: Configuration, into c: inout vg_config) {
        c.encoder = t.model.encoderWidths
        c.decoder = t.model.decoderWidths
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
    }

    public static func read(_ c: vg_config, into t: inout Configuration) throws(VAEGANError) {
        t.model.encoderWidths = try c.checkedEncoder()
        t.model.decoderWidths = try c.checkedDecoder()
        t.model.beta = c.beta
        switch vg_likelihood(rawValue: UInt32(bitPattern: c.likelihood)) {
        case VG_LIKELIHOOD_BERNOULLI: t.model.likelihood = .bernoulli
        case VG_LIKELIHOOD_GAUSSIAN: t.model.likelihood = .gaussian(sigma: c.sigma, learned: try vg_config.flag(c.learn_sigma, "learn_sigma"))
        default: throw .invalidArgument("likelihood \(c.likelihood) is not a vg_likelihood")
        }
        try require(c.warmup_epochs >= 0, "warmup_epochs must be non-negative, not \(c.warmup_epochs)")
        t.warmupEpochs = Int(c.warmup_epochs)
        try t.model.validate()
    }
}
