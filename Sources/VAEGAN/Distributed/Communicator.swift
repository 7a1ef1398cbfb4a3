// Communicator: what data-parallel training needs from the processes it runs in — ranks, sums
// across them (blocking, and nonblocking for overlapping the backward pass), and a way to stop
// them all. MPIPlugin is the one implementation; a single process needs none (no reducer).

/// A group of processes that each hold one copy of the model.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    var size: Int { get }
    /// Processes on this machine (they share its cores).
    var localSize: Int { get }
    /// Replaces `count` floats at `values` with their sum over all ranks.
    func sum(_ values: UnsafeMutablePointer<Float>, count: Int)
    /// Replaces `count` doubles at `values` with their sum over all ranks.
    func sum(_ values: UnsafeMutablePointer<Double>, count: Int)
    /// Starts the sum of `count` floats in place; the buffer belongs to the reduction until
    /// `wait` (or a `test` that returned true) for the returned handle.
    func startSum(_ values: UnsafeMutablePointer<Float>, count: Int) -> Int
    /// Lets a started sum progress; true once it has finished (the handle is then spent).
    func test(_ handle: Int) -> Bool
    /// Waits for a started sum to finish.
    func wait(_ handle: Int)
    /// Ends every process of the group with `code` (one failed on its own; the others would
    /// wait for it forever in their next sum).
    func abort(code: Int32) -> Never
    /// Leaves the group; the last call.
    func finish()
}
