// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "VAEGAN",
    products: [
        .library(name: "VAEGAN", targets: ["VAEGAN"]),
        // The C core on its own, for benchmarks and callers who want the kernels.
        .library(name: "CVAEGAN", targets: ["CVAEGAN"]),
        .executable(name: "vaegan", targets: ["vaegan"]),
        // The C ABI (include/vaegan.h) as a shared library, libVAEGANC.so. Not named "vaegan":
        // a library and an executable product of the same name collide silently (only the
        // library gets built). scripts/install.sh installs it as libvaegan.so.
        .library(name: "VAEGANC", type: .dynamic, targets: ["VAEGAN"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The C core: GEMM, element-wise kernels, losses, optimizer updates, random numbers.
        .target(
            name: "CVAEGAN",
            path: "CSources/CVAEGAN",
            publicHeadersPath: "include",
            linkerSettings: [
                .linkedLibrary("openblas"), .linkedLibrary("lapacke"), .linkedLibrary("m"),
            ]
        ),
        // zlib, for gzip-compressed IDX files and PNG output.
        .systemLibrary(name: "CZlib", path: "CSources/CZlib"),
        .target(
            name: "VAEGAN",
            dependencies: ["CVAEGAN", "CZlib"],
            path: "Sources/VAEGAN"
        ),
        .executableTarget(
            name: "vaegan",
            dependencies: ["VAEGAN", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/vaegan"
        ),
        // Test-only: counts heap allocations by interposing malloc in the test executable.
        .target(name: "CAllocationCounter", path: "CSources/CAllocationCounter"),
        .testTarget(
            name: "VAEGANTests",
            dependencies: ["VAEGAN", "CVAEGAN", "CAllocationCounter"],
            path: "Tests/VAEGANTests",
            resources: [.copy("Fixtures")]
        ),
    ]
)
