// The process-wide thread count: OpenBLAS's threads (VAEGAN starts none of its own).
import CVAEGAN

public enum Threads {
    /// The number of threads in force for the whole process.
    public static var count: Int { Int(vg_thread_count()) }

    /// Sets the thread count for the whole process; 0 means all cores.
    public static func set(_ count: Int) throws(VAEGANError) {
        try require(count >= 0, "thread count must be 0 (all cores) or positive, not \(count)")
        try check(vg_set_thread_count(Int32(clamping: count)))
    }
}
