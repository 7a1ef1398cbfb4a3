// The GEMM table: every GEMM shape of the three reference training steps (batch 128), at each
// thread count: VAEGAN's kernels, OpenBLAS as it comes, and OpenBLAS with the best
// OPENBLAS_CORETYPE this CPU can run, in GFLOP/s and as a share of the FMA peak measured here.
//
// OpenBLAS reads OPENBLAS_CORETYPE once, when it loads, so each core type (and OpenBLAS as it
// comes, with the variable unset) is timed in a child process of this executable (`gemm
// --openblas-only`), which prints one line per measurement.
import CVAEGAN
import FMAPeak
import Foundation
import VAEGAN

struct GemmShape: Hashable {
    var role: String  // "forward x·Wᵀ", "weight grad dyᵀ·x", "input grad dy·W"
    var m: Int, n: Int, k: Int
    var transA: Bool, transB: Bool
    var key: String { "\(transA ? "T" : "N")\(transB ? "T" : "N")-\(m)x\(n)x\(k)" }
    var flops: Double { 2 * Double(m) * Double(n) * Double(k) }

    /// The dense layers (in, out) of the β-VAE (784-512-256, heads 256→32 twice, decoder
    /// 32-256-512-784), the GAN (G 64-256-512-784, D 784-512-256-1) and the VAE-GAN (the two
    /// combined), each as forward, weight gradient and input gradient at batch 128.
    static let referenceSteps: [GemmShape] = {
        let batch = 128
        let layers = [(784, 512), (512, 256), (256, 32), (32, 256), (256, 512), (512, 784), (64, 256), (256, 1)]
        return layers.flatMap { (input, output) in [
            GemmShape(role: "forward x·Wᵀ", m: batch, n: output, k: input, transA: false, transB: true),
            GemmShape(role: "weight grad dyᵀ·x", m: output, n: input, k: batch, transA: true, transB: false),
            GemmShape(role: "input grad dy·W", m: batch, n: input, k: output, transA: false, transB: false),
        ] }
    }()
}

/// Seconds per call of `shape` through `gemm`, the median of 15 samples of about 2 ms each.
private func time(_ shape: GemmShape, _ buffers: Buffers,
                  _ gemm: (Bool, Bool, Int64, Int64, Int64, Float, UnsafePointer<Float>, Int64,
                           UnsafePointer<Float>, Int64, Float, UnsafeMutablePointer<Float>, Int64) -> vg_status) -> Double {
    let a = buffers.make(shape.m * shape.k, scale: 0.1), b = buffers.make(shape.k * shape.n, scale: 0.1)
    let c = buffers.make(shape.m * shape.n)
    let lda = Int64(shape.transA ? shape.m : shape.k), ldb = Int64(shape.transB ? shape.k : shape.n)
    let body = {
        _ = gemm(shape.transA, shape.transB, Int64(shape.m), Int64(shape.n), Int64(shape.k), 1, a, lda, b, ldb,
                 0, c, Int64(shape.n))
    }
    return Timing.measure(samples: 15, repeats: repeatsFor(body), body).median
}

/// OpenBLAS's GFLOP/s for each shape and thread count, in this process.
func measureOpenBLAS(threads: [Int]) throws -> [String: Double] {
    let buffers = Buffers()
    var result: [String: Double] = [:]
    for t in threads {
        try Threads.set(t)  // also OpenBLAS's count
        for shape in GemmShape.referenceSteps {
            result["\(shape.key)@\(t)"] = shape.flops / time(shape, buffers, vg_gemm_openblas) / 1e9
        }
    }
    return result
}

/// `gemm --openblas-only`: one "key GFLOP/s" line per measurement, for the parent to read.
func printOpenBLASOnly(threads: [Int]) throws {
    for (key, gflops) in try measureOpenBLAS(threads: threads).sorted(by: { $0.key < $1.key }) {
        print("\(key) \(gflops)")
    }
}

/// The OpenBLAS core types this CPU can run that are meant for its widest vector unit.
func openBLASCandidates(_ report: MachineReport) -> [String] {
    let has = Set(report.features)
    if has.isSuperset(of: ["avx512f", "avx512bw", "avx512vl"]) {
        return ["SkylakeX"] + (has.contains("avx512_bf16") ? ["Cooperlake"] : [])
            + (has.contains("amx_bf16") ? ["SapphireRapids"] : [])
    }
    if has.isSuperset(of: ["avx2", "fma"]) { return ["Haswell", "Zen"] }
    return []
}

/// Runs this executable with OPENBLAS_CORETYPE=core (nil: unset, OpenBLAS as it comes to users)
/// and reads its measurements.
func measureOpenBLAS(core: String?, threads: [Int]) throws -> [String: Double] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    process.arguments = ["gemm", "--openblas-only", "--threads", threads.map(String.init).joined(separator: ",")]
    var environment = ProcessInfo.processInfo.environment
    environment["OPENBLAS_CORETYPE"] = core
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    var result: [String: Double] = [:]
    for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
        let parts = line.split(separator: " ")
        if parts.count == 2, let value = Double(parts[1]) { result[String(parts[0])] = value }
    }
    return result
}

func printGemmTable(threads: [Int]) throws {
    let report = MachineReport()
    print("cpu: \(report.processor) (family \(report.family), model \(report.model)); features: \(report.features.joined(separator: " "))")
    print("VAEGAN kernels: \(report.gemmKernels); OpenBLAS as it comes: \(report.openBLASCore)")
    var peaks: [Int: Double] = [:]
    for t in threads {
        peaks[t] = fma_peak_gflops(Int32(t), 0.5)
        print(String(format: "FMA peak (%@, %d thread%@, measured): %.1f GFLOP/s", String(cString: fma_peak_instruction_set()),
                     t, t == 1 ? "" : "s", peaks[t]!))
    }
    // OpenBLAS, each in a child process of its own: as it comes, then each candidate core type.
    let asItComes = try measureOpenBLAS(core: nil, threads: threads)
    var best: [String: (gflops: Double, core: String)] = asItComes.mapValues { ($0, report.openBLASCore) }
    for core in openBLASCandidates(report) where core.lowercased() != report.openBLASCore.lowercased() {
        for (key, gflops) in try measureOpenBLAS(core: core, threads: threads) where gflops > (best[key]?.gflops ?? 0) {
            best[key] = (gflops, core)
        }
    }
    // Ours, on a pool of each size.
    let buffers = Buffers()
    var ours: [String: Double] = [:]
    for t in threads {
        var pool: OpaquePointer?
        guard vg_pool_create(&pool, Int32(t), vg_gemm_scratch_floats()) == VG_OK else {
            throw VAEGANError.outOfMemory(String(cString: vg_last_error_message()))
        }
        defer { vg_pool_free(pool) }
        for shape in GemmShape.referenceSteps {
            let seconds = time(shape, buffers) { vg_gemm_with_pool(pool, $0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) }
            ours["\(shape.key)@\(t)"] = shape.flops / seconds / 1e9
        }
    }
    print("")
    print(pad("GEMM", 20) + pad("M×N×K", 14) + padLeft("threads", 8) + padLeft("ours", 8) + padLeft("of peak", 8)
          + padLeft("OpenBLAS", 10) + padLeft("best", 8) + pad("  (core)", 18) + padLeft("ours/best", 10))
    var worst: (ratio: Double, what: String) = (.infinity, "")
    for t in threads {
        for shape in GemmShape.referenceSteps {
            let key = "\(shape.key)@\(t)"
            guard let mine = ours[key], let plain = asItComes[key], let top = best[key] else { continue }
            let ratio = mine / top.gflops
            if ratio < worst.ratio { worst = (ratio, "\(shape.role) \(shape.m)×\(shape.n)×\(shape.k) at \(t)") }
            print(pad(shape.role, 20) + pad("\(shape.m)×\(shape.n)×\(shape.k)", 14) + padLeft("\(t)", 8)
                  + padLeft(String(format: "%.1f", mine), 8)
                  + padLeft(String(format: "%.0f%%", 100 * mine / peaks[t]!), 8)
                  + padLeft(String(format: "%.1f", plain), 10) + padLeft(String(format: "%.1f", top.gflops), 8)
                  + pad("  (\(top.core))", 18) + padLeft(String(format: "%.2f", ratio), 10))
        }
    }
    print("")
    print(String(format: "GFLOP/s; lowest ours/best: %.2f (%@). OpenBLAS best: the fastest of the core types this CPU runs,", worst.ratio, worst.what))
    print("each timed in its own process (OPENBLAS_CORETYPE is read at load).")
}
