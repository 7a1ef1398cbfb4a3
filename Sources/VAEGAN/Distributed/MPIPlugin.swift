// MPIPlugin: the Communicator over MPI, through libvaegan_mpi.so (MPIPlugin/vg_mpi.c, built by
// scripts/build-mpi-plugin.sh), opened with dlopen at run time. The library never links MPI,
// so `swift build`, `swift test` and a single-process `vaegan train` work on machines without
// it; only a run started by mpirun (or another launcher that sets its ranks in the
// environment) looks for the plugin, and says how to get it when it is missing.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// MPI_COMM_WORLD as a Communicator.
///
/// ```swift
/// if let mpi = try MPIPlugin.launched() {   // nil unless started with more than one rank
///     try training.distribute(over: mpi)
/// }
/// ```
///
/// A failed MPI call ends the job (MPI's default error handler, MPI_ERRORS_ARE_FATAL).
public final class MPIPlugin: Communicator {
    public let rank: Int
    public let size: Int
    public let localSize: Int
    /// The MPI library's version line (for the run's first message).
    public let libraryVersion: String
    /// Where the plugin was loaded from.
    public let path: String

    private typealias FloatSum = @convention(c) (UnsafeMutablePointer<Float>, Int64) -> Int32
    private typealias DoubleSum = @convention(c) (UnsafeMutablePointer<Double>, Int64) -> Int32
    private typealias StartSum = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Float>, Int64) -> Int32
    private typealias Test = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias Wait = @convention(c) (Int32) -> Int32
    private typealias Abort = @convention(c) (Int32) -> Void
    private typealias Finalize = @convention(c) () -> Int32
    private let floatSum: FloatSum, doubleSum: DoubleSum, startSumFunction: StartSum
    private let testFunction: Test, waitFunction: Wait, abortFunction: Abort, finalize: Finalize

    /// Ranks the launcher announced in the environment (Open MPI's mpirun, MPICH's and Intel's
    /// Hydra, PMIx launchers), or nil when this process was not started by one.
    public static var launchedSize: Int? {
        let environment = ProcessInfo.processInfo.environment
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"] {
            if let value = environment[key].flatMap(Int.init) { return value }
        }
        return nil
    }

    /// The world of ranks when this process was started by an MPI launcher with more than one
    /// rank; nil otherwise (a single process trains alone, without MPI).
    ///
    /// - Throws: `.state` when the plugin or the MPI library cannot be loaded, saying how to
    ///   build or install it.
    public static func launched() throws(VAEGANError) -> MPIPlugin? {
        guard let size = launchedSize, size > 1 else { return nil }
        return try MPIPlugin(expectedSize: size)
    }

    /// Candidate paths: $VAEGAN_MPI_PLUGIN, beside the executable, then the loader's search path.
    private static var candidates: [String] {
        var paths: [String] = []
        if let path = ProcessInfo.processInfo.environment["VAEGAN_MPI_PLUGIN"] { return [path] }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            paths.append((executable as NSString).deletingLastPathComponent + "/libvaegan_mpi.so")
        }
        paths.append("libvaegan_mpi.so")
        return paths
    }

    /// Loads the plugin and joins MPI_COMM_WORLD.
    public init(expectedSize: Int? = nil) throws(VAEGANError) {
        var handle: UnsafeMutableRawPointer?
        var failures: [String] = [], loadedPath = ""
        for candidate in Self.candidates {
            // RTLD_GLOBAL: Open MPI opens its own components, which look for libmpi's symbols there.
            handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL)
            if handle != nil { loadedPath = candidate; break }
            failures.append(String(cString: dlerror()))
        }
        path = loadedPath
        guard let handle else {
            throw .state("""
                this run was started with \(expectedSize.map(String.init) ?? "several") MPI ranks, but the MPI plugin cannot be loaded \
                (\(failures.joined(separator: "; "))). Build it with scripts/build-mpi-plugin.sh (needs apt-get install \
                libopenmpi-dev openmpi-bin), or point VAEGAN_MPI_PLUGIN at libvaegan_mpi.so
                """)
        }
        func symbol<T>(_ name: String, as type: T.Type) throws(VAEGANError) -> T {
            try Self.symbol(name, in: handle, loadedFrom: loadedPath, as: type)
        }
        typealias Initialize = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
        typealias Version = @convention(c) () -> UnsafePointer<CChar>
        let initialize = try symbol("vg_mpi_init", as: Initialize.self)
        floatSum = try symbol("vg_mpi_allreduce_sum_float", as: FloatSum.self)
        doubleSum = try symbol("vg_mpi_allreduce_sum_double", as: DoubleSum.self)
        startSumFunction = try symbol("vg_mpi_iallreduce_sum_float", as: StartSum.self)
        testFunction = try symbol("vg_mpi_test", as: Test.self)
        waitFunction = try symbol("vg_mpi_wait", as: Wait.self)
        abortFunction = try symbol("vg_mpi_abort", as: Abort.self)
        finalize = try symbol("vg_mpi_finalize", as: Finalize.self)
        let version = try symbol("vg_mpi_library_version", as: Version.self)
        var rank: Int32 = 0, size: Int32 = 0, localSize: Int32 = 0
        let status = initialize(&rank, &size, &localSize)
        guard status == 0 else { throw .state("MPI_Init failed with MPI error \(status)") }
        self.rank = Int(rank)
        self.size = Int(size)
        self.localSize = Int(localSize)
        libraryVersion = String(cString: version()).split(separator: ",").first.map(String.init) ?? ""
        if let expectedSize, expectedSize != self.size {
            throw .state("the launcher announced \(expectedSize) ranks but MPI_COMM_WORLD has \(size): is the plugin built against the MPI that mpirun belongs to?")
        }
    }

    private static func symbol<T>(_ name: String, in handle: UnsafeMutableRawPointer, loadedFrom path: String,
                                  as type: T.Type) throws(VAEGANError) -> T {
        guard let address = dlsym(handle, name) else { throw .state("\(path) has no \(name): rebuild it with scripts/build-mpi-plugin.sh") }
        return unsafeBitCast(address, to: type)
    }

    /// MPI's handler ends the job on a failed call; a non-zero status getting here is a bug.
    private func require(_ status: Int32, _ call: String) {
        precondition(status == 0, "\(call) returned MPI error \(status)")
    }

    public func sum(_ values: UnsafeMutablePointer<Float>, count: Int) {
        require(floatSum(values, Int64(count)), "MPI_Allreduce")
    }

    public func sum(_ values: UnsafeMutablePointer<Double>, count: Int) {
        require(doubleSum(values, Int64(count)), "MPI_Allreduce")
    }

    public func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) -> Int {
        var handle: Int32 = -1
        require(startSumFunction(&handle, values, Int64(count)), "MPI_Iallreduce")
        return Int(handle)
    }

    public func test(_ handle: Int) -> Bool {
        var done: Int32 = 0
        require(testFunction(&done, Int32(handle)), "MPI_Test")
        return done != 0
    }

    public func wait(_ handle: Int) { require(waitFunction(Int32(handle)), "MPI_Wait") }

    public func abort(code: Int32) -> Never {
        abortFunction(code)
        exit(code) // MPI_Abort does not return; this is for the compiler
    }

    public func finish() { _ = finalize() }
}
