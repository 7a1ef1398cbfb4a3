// What runs on this machine: the CPU's features as CPUID reports them, the GEMM kernels chosen
// from them, the thread count, and the kernels OpenBLAS chose for the parts still on it.
import CVAEGAN

public struct MachineReport: Sendable {
    /// The processor brand string, e.g. "AMD EPYC 7B13".
    public var processor: String
    public var vendor: String
    public var family: Int, model: Int
    /// The vector extensions this CPU has and the OS enables, in the order they arrived.
    public var features: [String]
    /// VAEGAN's GEMM kernel set: "avx512", "avx2" or "portable".
    public var gemmKernels: String
    /// Threads of VAEGAN's pool (GEMMs and element-wise passes).
    public var threads: Int
    /// The kernel set OpenBLAS chose, used for evaluation's covariances and eigensolvers.
    public var openBLASCore: String
    /// Set when OpenBLAS chose kernels for an older CPU than this one: what to do about it.
    public var openBLASAdvice: String?

    public init() {
        let f = vg_cpu_features_detect()
        processor = Self.string(f.brand).trimmingSpaces()
        vendor = Self.string(f.vendor)
        family = Int(f.family)
        model = Int(f.model)
        let flags: [(String, Bool)] = [
            ("sse3", f.sse3), ("avx2", f.avx2), ("fma", f.fma), ("avx512f", f.avx512f),
            ("avx512bw", f.avx512bw), ("avx512vl", f.avx512vl), ("avx512_vnni", f.avx512_vnni),
            ("avx512_bf16", f.avx512_bf16), ("amx_tile", f.amx_tile), ("amx_bf16", f.amx_bf16),
        ]
        features = flags.filter(\.1).map(\.0)
        gemmKernels = String(cString: vg_gemm_kernel_name())
        threads = Threads.count
        openBLASCore = String(cString: vg_openblas_core_name()).trimmingSpaces()
        openBLASAdvice = Self.advice(core: openBLASCore, features: f)
    }

    /// OpenBLAS 0.3.21 picks kernels from a table of CPU models and falls back to old ones for
    /// models it does not know (Prescott, SSE3, on an AVX-512 Xeon of model 207).
    static func advice(core: String, features f: vg_cpu_features) -> String? {
        let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
        let avx2Cores = avx512Cores.union(["haswell", "zen"])
        let name = core.lowercased()
        let suggestion: String
        if f.avx512f && f.avx512bw && f.avx512vl && !avx512Cores.contains(name) {
            suggestion = f.avx512_bf16 ? "Cooperlake" : "SkylakeX"
        } else if f.avx2 && f.fma && !avx2Cores.contains(name) {
            suggestion = "Haswell"
        } else {
            return nil
        }
        return "OpenBLAS chose its \(core) kernels, older than this CPU; training does not use OpenBLAS, "
            + "but evaluation's covariances do: export OPENBLAS_CORETYPE=\(suggestion) before starting to speed them up"
    }

    /// Several lines for people: processor, features, kernels, threads, OpenBLAS.
    public var description: String {
        var lines = [
            "cpu:      \(processor) (\(vendor), family \(family), model \(model))",
            "features: \(features.joined(separator: " "))",
            "gemm:     VAEGAN's \(gemmKernels) kernels on \(threads) thread\(threads == 1 ? "" : "s")",
            "openblas: \(openBLASCore) kernels (evaluation's covariances and eigensolvers)",
        ]
        if let openBLASAdvice { lines.append("note:     \(openBLASAdvice)") }
        return lines.joined(separator: "\n")
    }

    private static func string<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

private extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
