// Timed training on Fashion-MNIST, step for step as Benchmarks/pytorch/train.py times PyTorch:
// one step = drawing the next shuffled batch + the whole optimization step. Prints one JSON
// line (the side-by-side script reads it), with every timed step's milliseconds in order
// ("step_ms"): on the shared VMs seen, two-thread steps run in phases of different speed.
import Foundation
import VAEGAN

func timeTraining(model: ModelName, architecture: ArchitecturePreset, steps: Int, threads: Int, batch: Int) throws {
    try Threads.set(threads)
    let (train, _) = try BuiltInDataset.fashionMNIST.load()
    let loader = try BatchLoader(train, batchSize: batch, seed: 1)
    let trainable = try makeTrainable(model, architecture: architecture, batch: batch)
    var times: [Double] = []
    let warmup = 20
    loader.startEpoch()
    for step in 0..<(steps + warmup) {
        let start = now()
        var next = loader.nextBatch()
        if next == nil || next!.rows < batch { // full batches only, as train.py drops the last
            loader.startEpoch()
            next = loader.nextBatch()
        }
        _ = try trainable.trainStep(on: next!)
        if step >= warmup { times.append(Double(now() - start) / 1e6) }
    }
    let total = times.reduce(0, +)
    let inOrder = times.map { ($0 * 100).rounded() / 100 } // each step, to see the machine's phases
    times.sort()
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let summary: [String: Any] = [
        "framework": "vaegan", "model": model.rawValue, "architecture": architecture.rawValue, "threads": threads, "batch": batch,
        "timed_steps": times.count, "median_ms": times[times.count / 2], "p10_ms": times[times.count / 10],
        "p90_ms": times[times.count * 9 / 10], "total_s": total / 1e3, "peak_rss_mib": Double(usage.ru_maxrss) / 1024,
        "step_ms": inOrder,
    ]
    let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}
