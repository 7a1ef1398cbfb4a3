// LearningRateSchedule: the rate an optimizer takes for each step, as a function of the steps
// already taken: constant, the IWAE paper's stepped decay, and cosine decay. It only computes
// rates; the trainer that owns the optimizer sets `learningRate` from it before each step
// (VAETraining). The classifier's cosine decay (Classifier+Training.swift) is its own.
import Foundation

/// How the learning rate moves over a run of `totalEpochs` epochs of `stepsPerEpoch` steps.
///
/// ```swift
/// let schedule = LearningRateSchedule.cosine
/// optimizer.learningRate = schedule.rate(base: 1e-3, step: optimizer.stepCount,
///                                        stepsPerEpoch: 469, totalEpochs: 100)
/// optimizer.step()
/// ```
public enum LearningRateSchedule: Equatable, Sendable, CaseIterable {
    /// The base rate throughout.
    case constant
    /// Burda et al. 2015 (IWAE, https://arxiv.org/abs/1509.00519, section 5): 8 stages, stage
    /// i = 1…8 lasting 3^(i−1) epochs (3,280 in all) at base·10^(−(i−1)/7), the stages scaled
    /// to the run's length; after the last stage, the last stage's rate.
    case stepped
    /// base·½(1 + cos(π·t/T)) over the run's T steps (Loshchilov & Hutter 2017, SGDR, without
    /// restarts, https://arxiv.org/abs/1608.03983).
    case cosine

    /// The name in flags and checkpoint metadata (`lr_schedule`).
    public var name: String {
        switch self {
        case .constant: "constant"
        case .stepped: "stepped"
        case .cosine: "cosine"
        }
    }

    /// The schedule called `name`; nil for an unknown name.
    public init?(name: String) {
        guard let schedule = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = schedule
    }

    /// The stepped schedule's stage count, and its length in the paper's epochs: Σ 3^(i−1) for
    /// i = 1…8 = (3^8 − 1)/2 = 3,280. Stage i ends after (3^i − 1)/2 of them.
    static let steppedStages = 8
    static let steppedPaperEpochs = 3280

    /// The rate for the next step, after `step` steps (0-based) of a run of `totalEpochs` epochs
    /// of `stepsPerEpoch` steps. Always positive and finite when `base` is, even past the run's
    /// end, so Adam can take it (it refuses a rate of 0).
    ///
    /// - Parameters:
    ///   - base: the rate the schedule starts at (`--lr`).
    ///   - step: optimizer steps already taken.
    ///   - stepsPerEpoch: batches per epoch.
    ///   - totalEpochs: the epochs the schedule spans (a span of no steps counts as one step).
    public func rate(base: Float, step: Int, stepsPerEpoch: Int, totalEpochs: Int) -> Float {
        let totalSteps = max(totalEpochs * stepsPerEpoch, 1)
        let step = max(step, 0)
        let value: Double
        switch self {
        case .constant:
            return base
        case .stepped:
            // Stage i ends after totalEpochs·(3^i − 1)/6560 epochs, i.e. at step
            // totalSteps·(3^i − 1)/6560; compared in integers so stage ends are exact.
            var stage = 1, end = 3
            while stage < Self.steppedStages, step * 2 * Self.steppedPaperEpochs >= totalSteps * (end - 1) {
                stage += 1
                end *= 3
            }
            value = Double(base) * pow(10, -Double(stage - 1) / 7)
        case .cosine:
            // t stops at T − 1, the last step taken, whose rate is tiny but not 0. ½(1 + cos x) is
            // computed as cos²(x/2): near x = π, 1 + cos x would cancel to a few digits.
            let progress = Double(min(step, totalSteps - 1)) / Double(totalSteps)
            let half = cos(Double.pi * progress / 2)
            value = Double(base) * half * half
        }
        // Underflow could only come from absurd spans; never hand the optimizer a 0.
        return max(Float(value), .leastNormalMagnitude)
    }
}
