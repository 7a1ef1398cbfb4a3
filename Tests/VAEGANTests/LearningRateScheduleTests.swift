// LearningRateScheduleTests: each schedule's rate at chosen steps against its formula worked
// out here (the stepped one at the IWAE paper's length and scaled to shorter runs, the cosine
// one at its ends and middle), rates Adam accepts past the end, the names, the β-VAE's
// checkpoint keys (old checkpoints load as constant, bad values are format errors), and a
// cosine or stepped run resumed from a checkpoint that repeats the uninterrupted run bit for bit.
//
// The suite is serialized because the resume test sets the process-wide thread count.
import Foundation
import Testing
@testable import VAEGAN

@Suite(.serialized) struct LearningRateScheduleTests {
    static let base: Float = 1e-3

    /// The stepped schedule's rate in stage `stage` (1…8): base·10^(−(stage−1)/7).
    static func steppedRate(stage: Int) -> Double { Double(base) * pow(10, -Double(stage - 1) / 7) }

    /// The cosine schedule's rate after t of T steps: base·½(1 + cos(π·t/T)).
    static func cosineRate(t: Int, of total: Int) -> Double {
        Double(base) * 0.5 * (1 + cos(Double.pi * Double(t) / Double(total)))
    }

    // MARK: Values at chosen steps

    @Test("Names round-trip; an unknown name is nil")
    func names() {
        #expect(LearningRateSchedule.allCases.map(\.name) == ["constant", "stepped", "cosine"])
        for schedule in LearningRateSchedule.allCases { #expect(LearningRateSchedule(name: schedule.name) == schedule) }
        #expect(LearningRateSchedule(name: "linear") == nil && LearningRateSchedule(name: "Cosine") == nil)
    }

    @Test("constant: the base rate at every step, past the end too")
    func constant() {
        for step in [0, 1, 99, 100, 10_000] {
            #expect(LearningRateSchedule.constant.rate(base: Self.base, step: step, stepsPerEpoch: 10, totalEpochs: 10) == Self.base)
        }
    }

    /// Stage i of the paper lasts 3^(i−1) epochs, so with one step per epoch it ends after
    /// 1, 4, 13, 40, 121, 364, 1093, 3280 steps; the last stage's rate holds after that.
    @Test("stepped over the paper's 3,280 epochs of one step: stage i = 1…8 at 1e-3·10^(−(i−1)/7)",
          arguments: [(0, 1), (1, 2), (3, 2), (4, 3), (12, 3), (13, 4), (39, 4), (40, 5), (120, 5), (121, 6),
                      (363, 6), (364, 7), (1092, 7), (1093, 8), (3279, 8), (3280, 8), (100_000, 8)])
    func steppedAtThePapersLength(step: Int, stage: Int) {
        let rate = LearningRateSchedule.stepped.rate(base: Self.base, step: step, stepsPerEpoch: 1, totalEpochs: 3280)
        #expect(isClose(Double(rate), Self.steppedRate(stage: stage)), "step \(step): \(rate)")
    }

    /// 328 epochs: stage i ends after 328·(3^i − 1)/6560 = (3^i − 1)/20 epochs, i.e. 0.1, 0.4,
    /// 1.3, 4, 12.1, 36.4, 109.3 and 328 epochs: at 100 steps per epoch, steps 10, 40, 130,
    /// 400, 1210, 3640, 10930, 32800.
    @Test("stepped scaled to 328 epochs of 100 steps: stages end at a tenth of the paper's epochs",
          arguments: [(0, 1), (9, 1), (10, 2), (39, 2), (40, 3), (129, 3), (130, 4), (399, 4), (400, 5),
                      (1209, 5), (1210, 6), (3639, 6), (3640, 7), (10_929, 7), (10_930, 8), (32_799, 8), (40_000, 8)])
    func steppedScaled(step: Int, stage: Int) {
        let rate = LearningRateSchedule.stepped.rate(base: Self.base, step: step, stepsPerEpoch: 100, totalEpochs: 328)
        #expect(isClose(Double(rate), Self.steppedRate(stage: stage)), "step \(step): \(rate)")
    }

    /// 10 epochs of 7 steps: stage i ends at step 70·(3^i − 1)/6560: 0.021, 0.085, 0.28, 0.85,
    /// 2.6, 7.8, 23.3, 70. The ends fall between steps: a step is in the stage its position falls in.
    @Test("stepped over a run whose stage ends fall between steps",
          arguments: [(0, 1), (1, 5), (2, 5), (3, 6), (7, 6), (8, 7), (23, 7), (24, 8), (69, 8)])
    func steppedBetweenSteps(step: Int, stage: Int) {
        let rate = LearningRateSchedule.stepped.rate(base: Self.base, step: step, stepsPerEpoch: 7, totalEpochs: 10)
        #expect(isClose(Double(rate), Self.steppedRate(stage: stage)), "step \(step): \(rate)")
    }

    @Test("cosine over T = 100 steps: base at 0, half at T/2, tiny but positive at T − 1 and after")
    func cosine() throws {
        func rate(_ step: Int) -> Float {
            LearningRateSchedule.cosine.rate(base: Self.base, step: step, stepsPerEpoch: 10, totalEpochs: 10)
        }
        #expect(rate(0) == Self.base)
        #expect(isClose(Double(rate(50)), Double(Self.base) / 2))
        #expect(isClose(Double(rate(25)), Self.cosineRate(t: 25, of: 100)))
        let last = Self.cosineRate(t: 99, of: 100)  // ≈ 2.47e-7
        #expect(isClose(Double(rate(99)), last, relative: 1e-5))
        #expect(rate(99) > 0 && rate(100) == rate(99) && rate(5000) == rate(99))
        #expect((1..<100).allSatisfy { rate($0) < rate($0 - 1) })
    }

    @Test("Every rate Adam is handed is positive and finite, over the paper's length at 3,000 steps an epoch",
          arguments: LearningRateSchedule.allCases)
    func ratesAdamAccepts(schedule: LearningRateSchedule) throws {
        let total = 3280 * 3000
        for step in [0, 1, total / 2, total - 2, total - 1, total, 10 * total] {
            let rate = schedule.rate(base: Self.base, step: step, stepsPerEpoch: 3000, totalEpochs: 3280)
            try validateLearningRate(rate)
        }
        #expect(LearningRateSchedule.cosine.rate(base: Self.base, step: total - 1, stepsPerEpoch: 3000, totalEpochs: 3280) > 0)
    }

    // MARK: In the β-VAE's training

    /// 16 features, hidden 8, latent 3, Bernoulli; batches of 4.
    static func tinyVAE() throws -> VAE {
        try VAE(.tiny, batchCapacity: 4, seed: 1)
    }

    /// 24 rows of 16 uniform values in [0, 1]: 6 batches of 4 per epoch.
    static let data: ImageDataset = {
        var rng = RandomGenerator(seed: 7)
        let pixels = (0..<24 * 16).map { _ in Float.random(in: 0...1, using: &rng) }
        return ImageDataset(count: 24, rows: 4, columns: 4, pixels: .floats(pixels))
    }()

    static func training(_ schedule: LearningRateSchedule, epochs: Int = 2) throws -> VAETraining {
        try VAETraining(vae: try tinyVAE(), learningRate: base, learningRateSchedule: schedule, scheduleEpochs: epochs,
                        stepsPerEpoch: 6)
    }

    static func weights(_ training: VAETraining) -> [[UInt32]] {
        training.vae.parameters.map { $0.value.values.map(\.bitPattern) }
    }

    /// `count` steps on the loader's batches, starting a new pass when one ends.
    static func steps(_ training: VAETraining, _ count: Int, from loader: BatchLoader) throws {
        for _ in 0..<count {
            var batch = loader.nextBatch()
            if batch == nil {
                loader.startEpoch()
                batch = loader.nextBatch()
            }
            _ = try training.trainStep(on: try #require(batch))
        }
    }

    @Test("A training step takes the schedule's rate for the steps already taken")
    func trainingStepsFollowTheSchedule() throws {
        let training = try Self.training(.cosine)
        let loader = try BatchLoader(Self.data, batchSize: 4, seed: 3)
        loader.startEpoch()
        for step in 0..<12 {
            try Self.steps(training, 1, from: loader)
            #expect(isClose(Double(training.optimizer.learningRate), Self.cosineRate(t: step, of: 12), relative: 1e-5),
                    "step \(step)")
        }
    }

    @Test("A schedule needs the epochs it spans")
    func scheduleNeedsItsSpan() throws {
        expectVAEGANError(VAEGANError.invalidArgument, mentioning: ["cosine", "positive", "not 0"]) {
            _ = try Self.training(.cosine, epochs: 0)
        }
        var c = VAETrainingConfiguration()
        c.model = try Self.tinyVAE().configuration
        c.learningRateSchedule = .stepped
        expectVAEGANError(VAEGANError.invalidArgument, mentioning: ["stepped", "scheduleEpochs"]) {
            _ = try c.makeTraining(stepsPerEpoch: 6)
        }
        c.scheduleEpochs = 5
        let training = try c.makeTraining(stepsPerEpoch: 6)
        #expect(training.learningRateSchedule == .stepped && training.scheduleEpochs == 5)
        #expect(try Self.training(.constant, epochs: 0).currentLearningRate == Self.base)
    }

    @Test("The checkpoint keeps the base rate, the schedule and its span; old checkpoints load as constant")
    func checkpointKeys() throws {
        let training = try Self.training(.cosine)
        let loader = try BatchLoader(Self.data, batchSize: 4, seed: 3)
        loader.startEpoch()
        try Self.steps(training, 5, from: loader)
        let file = training.checkpoint()
        #expect(file.metadata["learning_rate"] == String(Self.base))
        #expect(file.metadata["lr_schedule"] == "cosine" && file.metadata["lr_schedule_epochs"] == "2")
        #expect(training.optimizer.learningRate < Self.base)
        #expect(try Self.training(.constant, epochs: 7).checkpoint().metadata["lr_schedule_epochs"] == nil)

        var old = file
        old.metadata["lr_schedule"] = nil
        old.metadata["lr_schedule_epochs"] = nil
        let loadedOld = try VAETraining.load(from: old)
        #expect(loadedOld.learningRateSchedule == .constant && loadedOld.optimizer.learningRate == Self.base)

        for (key, value, fragment) in [("lr_schedule", "linear", "lr_schedule is linear"),
                                       ("lr_schedule_epochs", "two", "lr_schedule_epochs is not an integer"),
                                       ("lr_schedule_epochs", "0", "must be positive, not 0")] {
            var damaged = file
            damaged.metadata[key] = value
            expectVAEGANError(VAEGANError.format, mentioning: [fragment]) { _ = try VAETraining.load(from: damaged) }
        }
    }

    @Test("Resuming from a checkpoint continues the schedule: the same rate and, on 1 thread, the same weights",
          arguments: [LearningRateSchedule.cosine, .stepped])
    func resumeContinuesTheSchedule(schedule: LearningRateSchedule) throws {
        let threads = Threads.count
        try Threads.set(1)
        defer { try? Threads.set(threads) }

        // 12 steps straight (the whole 2-epoch schedule), and 5 + 7 with a restart between.
        let straight = try Self.training(schedule)
        let straightLoader = try BatchLoader(Self.data, batchSize: 4, seed: 3)
        straightLoader.startEpoch()
        try Self.steps(straight, 5, from: straightLoader)
        let rateAtTheCheckpoint = straight.optimizer.learningRate
        try Self.steps(straight, 1, from: straightLoader)
        let rateAfterTheNextStep = straight.optimizer.learningRate

        let interrupted = try Self.training(schedule)
        let loader = try BatchLoader(Self.data, batchSize: 4, seed: 3)
        loader.startEpoch()
        try Self.steps(interrupted, 5, from: loader)
        let resumed = try VAETraining.load(from: interrupted.checkpoint())
        #expect(resumed.step == 5 && resumed.learningRateSchedule == schedule && resumed.scheduleEpochs == 2)
        #expect(resumed.optimizer.learningRate == rateAtTheCheckpoint)
        try Self.steps(resumed, 1, from: loader)
        #expect(resumed.optimizer.learningRate == rateAfterTheNextStep)
        #expect(Self.weights(resumed) == Self.weights(straight))

        try Self.steps(straight, 6, from: straightLoader)
        try Self.steps(resumed, 6, from: loader)
        #expect(resumed.optimizer.learningRate == straight.optimizer.learningRate)
        #expect(Self.weights(resumed) == Self.weights(straight))
    }
}
