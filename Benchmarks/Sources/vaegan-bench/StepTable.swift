// The step table: whole training steps of the three reference configurations, in
// milliseconds (median and spread), beside the time of the same steps' GEMM calls alone.
import CVAEGAN
import VAEGAN

enum ModelName: String, CaseIterable {
    case vae, gan, vaegan
}

/// A reference-configuration trainer for `model` with `architecture`'s networks at `batch` rows.
func makeTrainable(_ model: ModelName, architecture: ArchitecturePreset = .mlp, batch: Int) throws -> any Trainable {
    switch model {
    case .vae:
        var configuration = VAEConfiguration()
        try configuration.use(architecture)
        return try VAETraining(vae: VAE(configuration, batchCapacity: batch, seed: 0), stepsPerEpoch: 1000)
    case .gan:
        var configuration = GANConfiguration()
        try configuration.use(architecture)
        return try GANTraining(gan: GAN(configuration, batchCapacity: batch, seed: 0))
    case .vaegan:
        var configuration = VAEGANConfiguration()
        try configuration.use(architecture)
        return try VAEGANTraining(model: VAEGAN(configuration, batchCapacity: batch, seed: 0))
    }
}

/// A batch of pixel-like data in [0, 1] (Fashion-MNIST-like statistics are not needed: the
/// step does the same work for any values).
func syntheticBatch(rows: Int, width: Int) -> Tensor {
    let t = Tensor(shape: [rows, width])
    var rng = RandomGenerator(seed: 3)
    rng.fillUniform(t.pointer, count: t.count)
    return t
}

struct StepResult {
    var model: ModelName
    var batch: Int
    var threads: Int
    var step: Timing
    var gemmMilliseconds: Double
    var gemmGFLOP: Double
}

func measureStep(_ model: ModelName, batch: Int, threads: Int, steps: Int) throws -> StepResult {
    try Threads.set(threads)
    let trainable = try makeTrainable(model, batch: batch)
    let data = syntheticBatch(rows: batch, width: trainable.inputWidth)
    let x = data.matrix
    for _ in 0..<10 { _ = try trainable.trainStep(on: x) }
    var stepTimes: [Double] = [], gemmTimes: [Double] = []
    var flops = 0.0
    for _ in 0..<steps {
        withDefaultPool { vg_pool_set_gemm_timing($0, true) }
        let start = now()
        _ = try trainable.trainStep(on: x)
        stepTimes.append(Double(now() - start) / 1e9)
        var seconds = 0.0, multiplyAdds = 0.0
        withDefaultPool { pool in
            vg_pool_gemm_totals(pool, &seconds, &multiplyAdds)
            vg_pool_set_gemm_timing(pool, false)
        }
        gemmTimes.append(seconds)
        flops = 2 * multiplyAdds
    }
    stepTimes.sort()
    gemmTimes.sort()
    let timing = Timing(median: stepTimes[steps / 2], p10: stepTimes[steps / 10], p90: stepTimes[steps * 9 / 10])
    return StepResult(model: model, batch: batch, threads: threads, step: timing,
                      gemmMilliseconds: gemmTimes[steps / 2] * 1e3, gemmGFLOP: flops / 1e9)
}

func printStepTable(models: [ModelName], batches: [Int], threads: [Int], steps: Int) throws {
    print(pad("model", 8) + padLeft("batch", 6) + padLeft("threads", 8) + padLeft("ms/step", 9)
          + padLeft("p10", 8) + padLeft("p90", 8) + padLeft("GEMM ms", 9) + padLeft("GFLOP", 7)
          + padLeft("GFLOP/s", 9) + padLeft("step/GEMM", 10))
    for model in models {
        for batch in batches {
            for t in threads {
                let r = try measureStep(model, batch: batch, threads: t, steps: steps)
                print(pad(model.rawValue, 8) + padLeft("\(batch)", 6) + padLeft("\(t)", 8)
                      + padLeft(String(format: "%.2f", r.step.median * 1e3), 9)
                      + padLeft(String(format: "%.2f", r.step.p10 * 1e3), 8)
                      + padLeft(String(format: "%.2f", r.step.p90 * 1e3), 8)
                      + padLeft(String(format: "%.2f", r.gemmMilliseconds), 9)
                      + padLeft(String(format: "%.3f", r.gemmGFLOP), 7)
                      + padLeft(String(format: "%.0f", r.gemmGFLOP / (r.gemmMilliseconds / 1e3)), 9)
                      + padLeft(String(format: "%.2f×", r.step.median * 1e3 / r.gemmMilliseconds), 10))
            }
        }
    }
    print("")
    print("GEMM ms: the step's GEMMs alone, timed by the pool inside the same steps (median). step/GEMM is the goal's")
    print("ratio: 1.15× means everything else (element-wise work, losses, optimizer updates, copies) is 15% of the step.")
}

/// Runs `body` with the process-wide pool held (so it is not replaced meanwhile).
func withDefaultPool<T>(_ body: (OpaquePointer?) throws -> T) rethrows -> T {
    let pool = vg_default_pool_acquire()
    defer { vg_default_pool_release() }
    return try body(pool)
}
