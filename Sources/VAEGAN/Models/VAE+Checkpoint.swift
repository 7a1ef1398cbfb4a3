// The β-VAE's checkpoint: configuration and schedule in the metadata, weights under their
// PyTorch-style names, Adam's moments, and both generators' states.

extension VAEConfiguration {
    func store(into file: inout SafeTensorsFile) {
        file.storeDataWidth(inputWidth, alsoAsInputWidth: true)
        file.metadata["encoder_widths"] = encoderWidths.map(String.init).joined(separator: ",")
        file.metadata["latent_width"] = String(latentWidth)
        file.metadata["decoder_widths"] = decoderWidths.map(String.init).joined(separator: ",")
        file.metadata["beta"] = String(beta)
        switch objective {
        case .elbo:
            file.metadata["objective"] = "elbo"
        case .importanceWeighted(let samples, let dreg):
            file.metadata["objective"] = dreg ? "iwae-dreg" : "iwae"
            file.metadata["importance_samples"] = String(samples)
        }
        file.metadata["encoder_spec"] = encoderNetwork.compactJSON
        file.metadata["decoder_spec"] = decoderNetwork.compactJSON
        switch likelihood {
        case .bernoulli:
            file.metadata["likelihood"] = "bernoulli"
        case .gaussian(let sigma, let learned):
            file.metadata["likelihood"] = "gaussian"
            file.metadata["sigma"] = String(sigma)
            file.metadata["learned_sigma"] = String(learned)
        }
    }

    init(from file: SafeTensorsFile) throws(VAEGANError) {
        self.init()
        inputWidth = try file.dataWidth()
        encoderWidths = try file.integers("encoder_widths")
        latentWidth = try file.integer("latent_width")
        decoderWidths = try file.integers("decoder_widths")
        beta = try file.float("beta")
        // Checkpoints from before the IWAE objective have no entry: the ELBO.
        switch file.metadata["objective"] ?? "elbo" {
        case "elbo": objective = .elbo
        case "iwae": objective = .importanceWeighted(samples: try file.integer("importance_samples"), doublyReparameterized: false)
        case "iwae-dreg": objective = .importanceWeighted(samples: try file.integer("importance_samples"), doublyReparameterized: true)
        case let other: throw .format("\(file.source): unknown objective \(other)")
        }
        switch try file.string("likelihood") {
        case "bernoulli": likelihood = .bernoulli
        case "gaussian": likelihood = .gaussian(sigma: try file.float("sigma"), learned: try file.string("learned_sigma") == "true")
        case let other: throw .format("\(file.source): unknown likelihood \(other)")
        }
        // Checkpoints from before specs existed have widths only: their MLPs.
        adopt(encoder: try file.spec("encoder_spec"), decoder: try file.spec("decoder_spec"))
        do { try validate() } catch { throw .format("\(file.source): \(error.message)") }
    }
}

extension VAETraining {
    public func checkpoint() -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: ["model": Self.kind, "format": "vaegan-checkpoint-1"])
        vae.configuration.store(into: &file)
        file.metadata["learning_rate"] = String(optimizer.learningRate)
        file.metadata["warmup_epochs"] = String(warmupEpochs)
        file.metadata["steps_per_epoch"] = String(stepsPerEpoch)
        file.metadata["batch_size"] = String(vae.batchCapacity)
        file.store([vae.store])
        file.store(optimizer, part: "vae")
        file.store(vae.rng, key: "rng")
        return file
    }

    /// Rebuilds the whole training state from a checkpoint written by `checkpoint()`.
    public static func load(from file: SafeTensorsFile) throws(VAEGANError) -> VAETraining {
        try file.requireModel(kind)
        let configuration = try VAEConfiguration(from: file)
        let vae = try VAE(configuration, batchCapacity: try file.integer("batch_size"))
        let training = try VAETraining(vae: vae, learningRate: try file.float("learning_rate"),
                                       warmupEpochs: try file.integer("warmup_epochs"),
                                       stepsPerEpoch: try file.integer("steps_per_epoch"))
        try file.restore([vae.store])
        try file.restore(training.optimizer, part: "vae")
        try file.restore(&vae.rng, key: "rng")
        return training
    }

    public static func loadModel(from file: SafeTensorsFile, batchCapacity: Int) throws(VAEGANError) -> VAE {
        try VAE.load(from: file, batchCapacity: batchCapacity)
    }
}

extension VAE {
    /// A model for inference from a checkpoint (weights only; any batch capacity).
    public static func load(from file: SafeTensorsFile, batchCapacity: Int = 128) throws(VAEGANError) -> VAE {
        try file.requireModel(kind)
        let vae = try VAE(try VAEConfiguration(from: file), batchCapacity: batchCapacity)
        try file.restore([vae.store])
        return vae
    }
}
