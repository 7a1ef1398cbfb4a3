// swift-tools-version: 6.1
// The benchmarks: a nested package, so the root package's build and CI never compile the
// harness. `vaegan-bench` prints kernel and whole-step tables; `StepBenchmarks` (ordo-one's
// package-benchmark) measures steps with malloc counts.
import Foundation
import PackageDescription

// The root package's identity is its folder's name, whatever the clone was called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "VAEGANBenchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The machine's FMA peak, measured: the yardstick of the GEMM table.
        .target(name: "FMAPeak", path: "Sources/FMAPeak"),
        .executableTarget(
            name: "vaegan-bench",
            dependencies: [
                .product(name: "VAEGAN", package: rootIdentity), .product(name: "CVAEGAN", package: rootIdentity),
                "FMAPeak",
            ],
            path: "Sources/vaegan-bench"
        ),
        .executableTarget(
            name: "StepBenchmarks",
            dependencies: [
                .product(name: "VAEGAN", package: rootIdentity),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/StepBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
