// GradientReducer: the step of data-parallel training between the backward pass and the
// optimizer. Each rank has computed its shard's share of the batch's gradient (losses scaled
// by 1/global rows, BatchShard.swift), so one in-place sum over the ranks of a part's flat
// gradient store gives every rank the whole batch's gradient, and identical optimizer steps
// keep identical weights: an allreduce sums in the same order on every rank, so the results
// are bitwise equal everywhere. The step's figures (losses, probabilities) are summed the same
// way, so every rank reports, and decides on (the VAE-GAN's gate), the whole batch's values.

import Dispatch

/// Sums gradients and figures across the ranks of a `Communicator`.
///
/// ```swift
/// let reducer = GradientReducer(communicator: mpi)
/// store.zeroGradients(); /* forward, backward on this rank's shard */
/// reducer.reduce(store)            // now the global batch's gradient, on every rank
/// optimizer.step()
/// ```
public final class GradientReducer {
    public let communicator: any Communicator
    /// This rank's rows of each batch.
    public let shard: BatchShard
    /// Seconds spent inside sums (blocking, or waiting for started ones) since the last reset:
    /// the communication the step could not hide.
    public private(set) var waitingSeconds = 0.0
    /// Whether the models start summing a part's last layers while the backward pass computes
    /// the earlier ones (GradientBuckets) rather than summing the whole store after it.
    public let overlapsBackward: Bool

    public init(communicator: any Communicator, overlapsBackward: Bool = true) {
        self.communicator = communicator
        self.overlapsBackward = overlapsBackward
        shard = BatchShard(of: communicator)
    }

    /// Replaces the store's gradients with their sum over the ranks (padding included: it is
    /// zero everywhere, and one contiguous sum is cheaper than one per parameter).
    public func reduce(_ store: ParameterStore) {
        timed { communicator.sum(store.gradients.pointer, count: store.count) }
    }

    /// The store's buckets when the backward pass is overlapped; nil when it is not.
    public func buckets(for store: ParameterStore) -> GradientBuckets? {
        overlapsBackward ? GradientBuckets(store: store, reducer: self) : nil
    }

    /// After the backward pass: the store's buckets' sums finished, or the whole store summed.
    public func reduce(_ store: ParameterStore, buckets: GradientBuckets?) {
        if let buckets { buckets.finish() } else { reduce(store) }
    }

    /// Replaces each of up to eight figures with its sum over the ranks (a SIMD value: no heap).
    public func sum(_ figures: inout SIMD8<Double>) {
        withUnsafeMutableBytes(of: &figures) { bytes in
            let values = bytes.baseAddress!.assumingMemoryBound(to: Double.self)
            timed { communicator.sum(values, count: 8) }
        }
    }

    /// Replaces `values` with their sums over the ranks (per-epoch figures; it may allocate).
    public func sum(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { buffer in
            timed { communicator.sum(buffer.baseAddress!, count: buffer.count) }
        }
    }

    /// Starts the waiting-time tally afresh.
    public func resetWaitingTime() { waitingSeconds = 0 }

    func timed(_ body: () -> Void) {
        let started = DispatchTime.now().uptimeNanoseconds
        body()
        waitingSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
    }
}
