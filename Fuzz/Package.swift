// swift-tools-version: 6.1
// Fuzz harnesses for VAEGAN's parsers of untrusted bytes, kept out of the root package so the
// default build and CI never build them. Each target is one libFuzzer binary; build and run them
// with scripts/fuzz.sh (which passes -sanitize=fuzzer,address). Seeds are in Corpus/<harness>/;
// inputs that ever crashed are copied into Tests/VAEGANTests/Fixtures/fuzz-regressions/ and run
// by the normal suite (FuzzRegressionTests.swift).
import PackageDescription

let harnesses = ["FuzzSafeTensors", "FuzzNPY", "FuzzIDX", "FuzzGzip", "FuzzJSON", "FuzzSpec"]

let package = Package(
    name: "VAEGANFuzz",
    dependencies: [.package(name: "VAEGAN", path: "..")],
    targets: [.target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
              .target(name: "FuzzEntry", dependencies: ["FuzzDriver"], path: "Sources/FuzzEntry")] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzEntry", .product(name: "VAEGAN", package: "VAEGAN")],
            path: "Sources/\(name)"
        )
    }
)
