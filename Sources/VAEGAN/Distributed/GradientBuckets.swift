// GradientBuckets: overlap of the gradient sum with the backward pass, as PyTorch DDP does with
// its buckets. A part's parameters are declared in forward order, so its backward pass finishes
// them from the end of the flat gradient store towards the start: once the layers past `offset`
// have finished their last backward pass of the step, gradients[offset...] are final. Whenever
// at least `bucketFloats` final floats have not been sent yet, their sum across the ranks is
// started (MPI_Iallreduce) and the backward pass goes on; `finish` starts the rest and waits.
// Open MPI has no progress thread by default, so every call also tests the sums in flight,
// which is what lets them move while the layers compute.

/// Told by a `Sequential` as its layers finish their backward pass.
public protocol BackwardListener: AnyObject {
    /// Gradients of the store from `offset` to its end are final for this step.
    func parameterGradientsAreFinal(from offset: Int)
}

/// The buckets of one part's gradient store.
///
/// ```swift
/// let buckets = GradientBuckets(store: vae.store, reducer: reducer)
/// vae.decoder.backwardListener = buckets        // on the part's last backward pass(es)
/// buckets.begin(); /* forward, backward */; buckets.finish()   // then optimizer.step()
/// ```
public final class GradientBuckets: BackwardListener {
    public let store: ParameterStore
    public let reducer: GradientReducer
    /// Floats per bucket at least (the last, at the store's start, may be smaller).
    public let bucketFloats: Int
    /// Sums started this step: handles and whether each has finished (capacity kept, so a step
    /// allocates nothing once the first has run).
    private var handles: [Int] = [], finished: [Bool] = []
    /// Gradients from here to the end are sent (or being sent).
    private var unsent = 0

    /// DDP's first bucket is 1 MB and the others 25 MB; our parts hold 1–7 MB, so 1 MB buckets
    /// (262,144 floats) throughout, one or two layers of the reference MLPs each.
    public static let defaultBucketFloats = 262_144

    public init(store: ParameterStore, reducer: GradientReducer, bucketFloats: Int = defaultBucketFloats) {
        self.store = store
        self.reducer = reducer
        self.bucketFloats = max(1, bucketFloats)
        handles.reserveCapacity(store.count / self.bucketFloats + 2)
        finished.reserveCapacity(store.count / self.bucketFloats + 2)
    }

    /// Before the step's backward passes: nothing sent.
    public func begin() {
        handles.removeAll(keepingCapacity: true)
        finished.removeAll(keepingCapacity: true)
        unsent = store.count
    }

    public func parameterGradientsAreFinal(from offset: Int) {
        progress()
        if unsent - offset >= bucketFloats { send(from: offset) }
    }

    /// After the backward passes: sends what is left and waits for every sum (the time spent
    /// waiting is the reducer's `waitingSeconds`).
    public func finish() {
        if unsent > 0 { send(from: 0) }
        reducer.timed {
            for i in handles.indices where !finished[i] { reducer.communicator.wait(handles[i]) }
        }
    }

    private func send(from offset: Int) {
        handles.append(reducer.communicator.startSum(store.gradients.pointer + offset, count: unsent - offset))
        finished.append(false)
        unsent = offset
    }

    /// Lets the sums in flight move on (MPI_Test).
    private func progress() {
        for i in handles.indices where !finished[i] { finished[i] = reducer.communicator.test(handles[i]) }
    }
}
