// The process-wide thread count: the size of VAEGAN's own thread pool, which runs the GEMMs
// and the large element-wise passes (and, for evaluation's eigensolvers, OpenBLAS's count).
import CVAEGAN

public enum Threads {
    /// The number of threads in force for the whole process: `VAEGAN_NUM_THREADS` at start-up,
    /// or else one per CPU the process may run on, until ``set(_:)`` changes it.
    public static var count: Int { Int(vg_thread_count()) }

    /// Sets the thread count for the whole process; 0 means one per available CPU.
    /// Not while another thread is inside the library.
    public static func set(_ count: Int) throws(VAEGANError) {
        try require(count >= 0, "thread count must be 0 (all cores) or positive, not \(count)")
        try check(vg_set_thread_count(Int32(clamping: count)))
    }
}
