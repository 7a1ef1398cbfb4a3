// vaegan info: what runs on this machine (CPU features, GEMM kernels, threads, OpenBLAS).
import ArgumentParser
import VAEGAN

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the CPU's features, the GEMM kernels chosen from them, the thread count and OpenBLAS's kernels.")

    @Option(help: "Threads to report for (0: one per available CPU; default: VAEGAN_NUM_THREADS or all).")
    var threads: Int?

    func run() throws {
        try runReportingErrors { () throws(VAEGANError) in
            if let threads { try Threads.set(threads) }
            print("vaegan \(Library.version)")
            print(MachineReport().description)
        }
    }
}
