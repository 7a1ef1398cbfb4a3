// vaegan-bench: kernel and whole-step tables (see Benchmarks/README.md).
//
//   vaegan-bench kernels [--threads N]
//   vaegan-bench gemm [--threads 1,2]
//   vaegan-bench layers [--threads 2]
//   vaegan-bench steps [--models vae,gan,vaegan] [--batches 64,128,256] [--threads 1,2] [--steps 50]
//   vaegan-bench train --model vae|gan|vaegan [--architecture mlp|conv] [--steps 300] [--threads 2] [--batch 128]
import CVAEGAN
import FMAPeak
import Foundation
import VAEGAN

func option(_ name: String, _ arguments: [String]) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

func list(_ text: String?) -> [Int]? { text.map { $0.split(separator: ",").compactMap { Int($0) } } }

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "kernels":
    let threads = Int(option("--threads", arguments) ?? "1") ?? 1
    try Threads.set(threads)
    printKernelTable(peakGFLOPS: fma_peak_gflops(Int32(threads), 0.5))
case "gemm":
    let threads = list(option("--threads", arguments)) ?? [1, 2]
    if arguments.contains("--openblas-only") {
        try printOpenBLASOnly(threads: threads)
    } else {
        try printGemmTable(threads: threads)
    }
case "layers":
    try printLayerTable(threads: Int(option("--threads", arguments) ?? "2") ?? 2)
case "steps":
    let models = (option("--models", arguments) ?? "vae,gan,vaegan").split(separator: ",").compactMap {
        ModelName(rawValue: String($0))
    }
    try printStepTable(models: models, batches: list(option("--batches", arguments)) ?? [64, 128, 256],
                       threads: list(option("--threads", arguments)) ?? [1, 2],
                       steps: Int(option("--steps", arguments) ?? "50") ?? 50)
case "train":
    guard let model = ModelName(rawValue: option("--model", arguments) ?? "vae") else {
        print("--model must be vae, gan or vaegan")
        exit(2)
    }
    guard let architecture = ArchitecturePreset(rawValue: option("--architecture", arguments) ?? "mlp") else {
        print("--architecture must be mlp or conv")
        exit(2)
    }
    try timeTraining(model: model, architecture: architecture, steps: Int(option("--steps", arguments) ?? "300") ?? 300,
                     threads: Int(option("--threads", arguments) ?? "2") ?? 2,
                     batch: Int(option("--batch", arguments) ?? "128") ?? 128)
default:
    print("usage: vaegan-bench kernels [--threads N] | gemm [--threads 1,2] | layers [--threads 2] | steps [--models vae,gan,vaegan] [--batches 64,128,256] [--threads 1,2] [--steps 50] | train --model vae|gan|vaegan [--architecture mlp|conv] [--steps 300] [--threads 2]")
}
