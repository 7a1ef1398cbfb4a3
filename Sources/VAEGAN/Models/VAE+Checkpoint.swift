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
        case "gaussian": likelihood = .gaussian(sigma: try file.float("sigma"), learned: try file.boolean("learned_sigma"))
        case let other: throw .format("\(file.source): unknown likelihood \(other)")
        }
        // Checkpoints from before specs existed have widths only: their MLPs.
        adopt(encoder: try file.spec("encoder_spec"), decoder: try file.spec("decoder_spec"))
        do { try validate() } catch { throw .format("\(file.source): \(error.message)") }
    }
}

extension SafeTensorsFile {
    /// The β-VAE's learning-rate schedule and the epochs it spans; checkpoints from before
    /// schedules existed have neither key and trained at a constant rate.
    func learningRateSchedule() throws(VAEGANError) -> (schedule: LearningRateSchedule, epochs: Int) {
        let name = metadata["lr_schedule"] ?? LearningRateSchedule.constant.name
        guard let schedule = LearningRateSchedule(name: name) else {
            let names = LearningRateSchedule.allCases.map(\.name).joined(separator: ", ")
            throw .format("\(source): metadata lr_schedule is \(name), not one of \(names)")
        }
        let epochs = try integer("lr_schedule_epochs", default: 0)
        guard epochs >= 0, schedule == .constant || epochs > 0 else {
            throw .format("\(source): metadata lr_schedule_epochs of the \(name) schedule must be positive, not \(epochs)")
        }
        return (schedule, epochs)
    }
}

extension VAETraining {
    public func checkpoint() -> SafeTensorsFile {
        var file = SafeTensorsFile(metadata: ["model": Self.kind, "format": SafeTensorsFile.checkpointFormat])
        vae.configuration.store(into: &file)
        // The base rate: optimizer.learningRate is the scheduled one of the last step.
        file.metadata["learning_rate"] = String(baseLearningRate)
        file.metadata["lr_schedule"] = learningRateSchedule.name
        // Only a schedule that moves has a span: a constant run's checkpoint must not depend on
        // --epochs (a run resumed to more epochs ends with the uninterrupted run's bytes).
        if learningRateSchedule != .constant { file.metadata["lr_schedule_epochs"] = String(scheduleEpochs) }
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
        let schedule = try file.learningRateSchedule()
        let training = try VAETraining(vae: vae, learningRate: try file.float("learning_rate"),
                                       learningRateSchedule: schedule.schedule, scheduleEpochs: schedule.epochs,
                                       warmupEpochs: try file.integer("warmup_epochs"),
                                       stepsPerEpoch: try file.integer("steps_per_epoch"))
        try file.restore([vae.store])
        try file.restore(training.optimizer, part: "vae")
        // Adam's rate as the saved run left it: the scheduled rate of its last step.
        if training.step > 0 {
            training.optimizer.learningRate = schedule.schedule.rate(
                base: training.baseLearningRate, step: training.step - 1,
                stepsPerEpoch: training.stepsPerEpoch, totalEpochs: schedule.epochs)
        }
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
