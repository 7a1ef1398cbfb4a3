// Whole training steps of the three reference configurations under ordo-one's
// package-benchmark: wall clock per step and heap allocations per step (the goal is 0), at
// batch 64, 128 and 256 with 1 and 2 threads. Run: swift package benchmark (Benchmarks/README.md).
import Benchmark
import VAEGAN

/// A reference-configuration trainer for `model` at `batch` rows.
func makeTrainable(_ model: String, batch: Int) throws -> any Trainable {
    switch model {
    case "vae": try VAETraining(vae: VAE(VAEConfiguration(), batchCapacity: batch, seed: 0), stepsPerEpoch: 1000)
    case "gan": try GANTraining(gan: GAN(GANConfiguration(), batchCapacity: batch, seed: 0))
    default: try VAEGANTraining(model: VAEGAN(VAEGANConfiguration(), batchCapacity: batch, seed: 0))
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 10,
        maxDuration: .seconds(3),
        maxIterations: 200
    )
    for model in ["vae", "gan", "vaegan"] {
        for batch in [64, 128, 256] {
            for threads in [1, 2] {
                Benchmark("\(model) step batch \(batch) threads \(threads)") { benchmark in
                    try Threads.set(threads)
                    let trainable = try makeTrainable(model, batch: batch)
                    let data = Tensor(shape: [batch, trainable.inputWidth])
                    var rng = RandomGenerator(seed: 3)
                    rng.fillUniform(data.pointer, count: data.count)
                    let x = data.matrix
                    for _ in 0..<5 { _ = try trainable.trainStep(on: x) }
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        blackHole(try trainable.trainStep(on: x))
                    }
                    benchmark.stopMeasurement()
                }
            }
        }
    }
}
