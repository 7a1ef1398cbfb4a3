// Stopping a training call and watching its steps through the C ABI: vg_model_request_stop sets
// the handle's atomic stop flag (from any thread, even while a call runs), a progress callback
// is told about every step and may vote to stop, and the training loop asks both before each
// step (TrainingLoop.shouldStop), so a stop always lands on a step boundary.
import CVAEGAN
import Synchronization

@c @implementation
public func vg_model_request_stop(_ model: OpaquePointer?) -> vg_status {
    cCall("vg_model_request_stop") { () throws(VAEGANError) in
        try HandleRegistry.withLiveModel(model) { $0.stopRequested.store(true, ordering: .sequentiallyConsistent) }
    }
}

@c @implementation
public func vg_model_set_progress_callback(_ model: OpaquePointer?, _ callback: vg_progress_callback?,
                                           _ context: UnsafeMutableRawPointer?) -> vg_status {
    cCall("vg_model_set_progress_callback") { () throws(VAEGANError) in
        try HandleRegistry.withModel(model) { (model) throws(VAEGANError) in
            model.progress = callback.map { ($0, context) }
        }
    }
}

/// Passes every step of one training call to the handle's progress callback and remembers
/// whether it asked to stop.
final class ProgressCallbackObserver: TrainingObserver {
    private let callback: vg_progress_callback
    private let context: UnsafeMutableRawPointer?
    /// Steps in an epoch (vg_model_train) or in the call (vg_model_train_steps).
    private let steps: Int
    /// Whether the epoch number means anything (vg_model_train), 0 being passed otherwise.
    private let countsEpochs: Bool
    /// Set once the callback returns non-zero; the loop stops before the next step.
    private(set) var stopVoted = false

    init(callback: vg_progress_callback, context: UnsafeMutableRawPointer?, steps: Int, countsEpochs: Bool) {
        self.callback = callback
        self.context = context
        self.steps = steps
        self.countsEpochs = countsEpochs
    }

    func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {
        let answer = callback(context, countsEpochs ? Int64(epoch) : 0, Int64(step), Int64(steps), runningLoss)
        if answer != 0 { stopVoted = true }
    }
}

extension CModel {
    /// The progress observer for a call of `steps` steps per epoch (or in all), when a callback
    /// is installed.
    func progressObserver(steps: Int, countsEpochs: Bool) -> ProgressCallbackObserver? {
        progress.map { ProgressCallbackObserver(callback: $0.callback, context: $0.context, steps: steps, countsEpochs: countsEpochs) }
    }

    /// Whether the running call should stop now: a request (consumed here) or the callback's vote.
    func shouldStop(_ observer: ProgressCallbackObserver?) -> Bool {
        if observer?.stopVoted == true { return true }
        return stopRequested.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent).exchanged
    }
}
