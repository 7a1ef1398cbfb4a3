// AlternatingOptimizer: the GAN's training schedule (Goodfellow et al. 2014, Algorithm 1):
// k discriminator steps with G fixed, then one (or more) generator steps with D fixed, each
// player with its own optimizer. A fixed player's parameters and optimizer state do not change.

/// What one call to `step(real:)` did.
public struct AlternatingStep: Sendable {
    public var discriminator: DiscriminatorLosses
    /// The last generator step of this call, if the round ended with one.
    public var generator: GeneratorLosses?
}

/// Drives a GAN's two optimizers in rounds of k discriminator steps and m generator steps.
///
/// ```swift
/// let schedule = try AlternatingOptimizer(gan: gan,
///     discriminatorOptimizer: Adam(parameters: gan.discriminator.parameters, learningRate: 2e-4, beta1: 0.5),
///     generatorOptimizer: Adam(parameters: gan.generator.parameters, learningRate: 2e-4, beta1: 0.5))
/// let report = schedule.step(real: batch)   // one D step; a G step after every k-th
/// ```
public final class AlternatingOptimizer {
    public let gan: GAN
    public let discriminatorOptimizer: any Optimizer
    public let generatorOptimizer: any Optimizer
    /// k: discriminator steps per round.
    public let discriminatorSteps: Int
    /// Generator steps at the end of each round.
    public let generatorSteps: Int
    /// Discriminator steps taken in the current round; saved in checkpoints.
    public var discriminatorStepsInRound = 0
    /// The generator's weight average, updated after each generator step (when kept).
    public let generatorAverage: ExponentialMovingAverage?
    /// Sums each player's gradients (and figures) across the ranks of a data-parallel run, in
    /// that player's own step; nil alone.
    public var reducer: GradientReducer?
    /// Each player's buckets, when the reducer overlaps the backward pass.
    public var buckets: (discriminator: GradientBuckets?, generator: GradientBuckets?) = (nil, nil)

    public init(gan: GAN, discriminatorOptimizer: any Optimizer, generatorOptimizer: any Optimizer,
                discriminatorSteps: Int = 1, generatorSteps: Int = 1,
                generatorAverage: ExponentialMovingAverage? = nil) throws(VAEGANError) {
        try require(discriminatorSteps >= 1, "discriminator steps per round (k) must be at least 1, not \(discriminatorSteps)")
        try require(generatorSteps >= 1, "generator steps per round must be at least 1, not \(generatorSteps)")
        try require(discriminatorOptimizer.store === gan.discriminatorStore && generatorOptimizer.store === gan.generatorStore,
                    "each optimizer must own exactly its player's parameters")
        self.gan = gan
        self.discriminatorOptimizer = discriminatorOptimizer
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorSteps = discriminatorSteps
        self.generatorSteps = generatorSteps
        try require(generatorAverage.map { $0.store === gan.generatorStore } ?? true,
                    "the generator's average must be of the generator's parameters")
        self.generatorAverage = generatorAverage
    }

    /// One discriminator step on `real` (G fixed); when it completes a round of k, then
    /// `generatorSteps` generator steps with batches of the same size (D fixed).
    public func step(real: Matrix) -> AlternatingStep {
        gan.discriminatorStore.zeroGradients()
        buckets.discriminator?.begin()
        var d = gan.accumulateDiscriminatorGradients(real: real)
        if let reducer {
            reducer.reduce(gan.discriminatorStore, buckets: buckets.discriminator)
            reducer.sum(&d)
        }
        discriminatorOptimizer.step()
        discriminatorStepsInRound += 1
        guard discriminatorStepsInRound == discriminatorSteps else { return AlternatingStep(discriminator: d) }
        discriminatorStepsInRound = 0
        var g: GeneratorLosses?
        for _ in 0..<generatorSteps {
            gan.generatorStore.zeroGradients()
            buckets.generator?.begin()
            var losses = gan.accumulateGeneratorGradients(rows: real.rows)
            if let reducer {
                reducer.reduce(gan.generatorStore, buckets: buckets.generator)
                reducer.sum(&losses)
            }
            g = losses
            generatorOptimizer.step()
            generatorAverage?.update()
        }
        return AlternatingStep(discriminator: d, generator: g)
    }
}
