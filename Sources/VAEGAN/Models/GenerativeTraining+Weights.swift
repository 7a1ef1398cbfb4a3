// Each kind's training state around weights loaded from a weights-only file: the model's
// optimizers made afresh, with the file's hyperparameters where it has them and the kind's
// defaults (its TrainingConfiguration) where it does not. Used by loadTraining(from:)
// (Checkpoint/WeightsCheckpoint.swift).

extension VAETraining {
    public static func freshTraining(around vae: VAE, file: SafeTensorsFile) throws(VAEGANError) -> VAETraining {
        let defaults = Configuration()
        let schedule = try file.learningRateSchedule()
        return try VAETraining(vae: vae, learningRate: try file.float("learning_rate", default: defaults.learningRate),
                               learningRateSchedule: schedule.schedule, scheduleEpochs: schedule.epochs,
                               warmupEpochs: try file.integer("warmup_epochs", default: defaults.warmupEpochs),
                               stepsPerEpoch: try file.integer("steps_per_epoch", default: 1))
    }
}

extension GANTraining {
    public static func freshTraining(around gan: GAN, file: SafeTensorsFile) throws(VAEGANError) -> GANTraining {
        let defaults = Configuration()
        let training = try GANTraining(gan: gan, learningRate: try file.float("learning_rate", default: defaults.learningRate),
                               beta1: try file.float("beta1", default: defaults.beta1),
                               beta2: try file.float("beta2", default: defaults.beta2),
                               discriminatorSteps: try file.integer("discriminator_steps", default: defaults.discriminatorSteps),
                               generatorSteps: try file.integer("generator_steps", default: defaults.generatorSteps),
                               emaDecay: try file.averageDecay())
        // The generator's average travels with the weights (ema.<name>); without one it starts at them.
        if let average = training.averagedWeights, file.hasAveragedWeights { try file.restore(average) }
        return training
    }
}

extension VAEGANTraining {
    public static func freshTraining(around model: VAEGAN, file: SafeTensorsFile) throws(VAEGANError) -> VAEGANTraining {
        let defaults = Configuration()
        let learningRate = try file.float("learning_rate", default: defaults.learningRate)
        let discriminatorLearningRate = file.metadata["discriminator_learning_rate"] == nil
            ? defaults.discriminatorLearningRate : try file.float("discriminator_learning_rate")
        let training = try VAEGANTraining(model: model, learningRate: learningRate, discriminatorLearningRate: discriminatorLearningRate,
                                  beta1: try file.float("beta1", default: defaults.beta1),
                                  beta2: try file.float("beta2", default: defaults.beta2),
                                  emaDecay: try file.averageDecay())
        if let average = training.averagedWeights, file.hasAveragedWeights { try file.restore(average) }
        return training
    }
}
