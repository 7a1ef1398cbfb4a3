// The figures each model's step returns, summed across ranks: each rank's are its shard's share
// of the batch's means (BatchShard.swift), so their sums are the batch's means, the same on
// every rank. One small allreduce per step, packed into a SIMD value so it allocates nothing.

extension GradientReducer {
    public func sum(_ losses: inout VAELosses) {
        var f = SIMD8<Double>(losses.reconstruction, losses.kl, 0, 0, 0, 0, 0, 0)
        sum(&f)
        losses.reconstruction = f[0]
        losses.kl = f[1]
    }

    public func sum(_ losses: inout DiscriminatorLosses) {
        var f = SIMD8<Double>(losses.loss, losses.realProbability, losses.fakeProbability, 0, 0, 0, 0, 0)
        sum(&f)
        losses = DiscriminatorLosses(loss: f[0], realProbability: f[1], fakeProbability: f[2])
    }

    public func sum(_ losses: inout GeneratorLosses) {
        var f = SIMD8<Double>(losses.loss, losses.fakeProbability, 0, 0, 0, 0, 0, 0)
        sum(&f)
        losses = GeneratorLosses(loss: f[0], fakeProbability: f[1])
    }

    /// A test set's figures, each rank's share of it summed (once an epoch: it may allocate).
    public func sum(_ evaluation: inout VAEEvaluation) {
        var values = [evaluation.reconstruction, evaluation.kl] + evaluation.klPerDimension
        sum(&values)
        evaluation.reconstruction = values[0]
        evaluation.kl = values[1]
        evaluation.klPerDimension = Array(values[2...])
    }

    /// The VAE-GAN's figures; the gate stays as it was (the caller decides it again on them).
    public func sum(_ step: inout VAEGANStep) {
        var f = SIMD8<Double>(step.prior, step.llike, step.pixel, step.gan, step.realProbability,
                              step.fakeProbability, step.discriminatorRealLoss, step.discriminatorFakeLoss)
        sum(&f)
        (step.prior, step.llike, step.pixel, step.gan) = (f[0], f[1], f[2], f[3])
        (step.realProbability, step.fakeProbability) = (f[4], f[5])
        (step.discriminatorRealLoss, step.discriminatorFakeLoss) = (f[6], f[7])
    }
}
