// MachineReportTests: `vaegan info`'s advice about OpenBLAS's choice of kernels, for the CPUs
// seen here (an AVX-512 Xeon that OpenBLAS 0.3.21 runs as Prescott, AVX2 EPYCs it runs as Zen).
import CVAEGAN
import Testing
@testable import VAEGAN

struct MachineReportTests {
    private func features(avx2: Bool = false, avx512: Bool = false, bf16: Bool = false) -> vg_cpu_features {
        var f = vg_cpu_features()
        f.sse3 = true
        f.avx2 = avx2 || avx512
        f.fma = avx2 || avx512
        f.avx512f = avx512
        f.avx512bw = avx512
        f.avx512vl = avx512
        f.avx512_bf16 = bf16
        return f
    }

    @Test("OpenBLAS on Prescott kernels on an AVX-512 Xeon with BF16: advise Cooperlake")
    func prescottOnXeon() throws {
        let advice = try #require(MachineReport.advice(core: "Prescott", features: features(avx512: true, bf16: true)))
        #expect(advice.contains("OPENBLAS_CORETYPE=Cooperlake"))
        #expect(advice.contains("Prescott"))
        let plain = try #require(MachineReport.advice(core: "Haswell", features: features(avx512: true)))
        #expect(plain.contains("OPENBLAS_CORETYPE=SkylakeX"))
    }

    @Test("Kernels that match the CPU get no advice; a CPU without AVX2 gets none either")
    func matchingCores() {
        #expect(MachineReport.advice(core: "Zen", features: features(avx2: true)) == nil)
        #expect(MachineReport.advice(core: "Haswell", features: features(avx2: true)) == nil)
        #expect(MachineReport.advice(core: "SkylakeX", features: features(avx512: true)) == nil)
        #expect(MachineReport.advice(core: "Prescott", features: features()) == nil)
        #expect(MachineReport.advice(core: "Prescott", features: features(avx2: true))?.contains("Haswell") == true)
    }

    @Test("The report names this machine's GEMM kernels from its own features")
    func reportMatchesFeatures() {
        let report = MachineReport()
        let f = vg_cpu_features_detect()
        let expected = f.avx512f ? "avx512" : (f.avx2 && f.fma ? "avx2" : "portable")
        #expect(report.gemmKernels == expected)
        #expect(report.threads == Threads.count)
        #expect(report.description.contains("gemm:     VAEGAN's \(expected) kernels"))
    }
}
