// AveragedWeightsObserver: runs another observer's end-of-epoch work (pictures) with a part's
// averaged weights swapped in, so what a run shows is what `vaegan sample` and `vaegan eval`
// draw by default: the EMA generator's output, not the last iterate's.

/// `observer`'s epoch hooks with `average`'s weights in its part; the rest passes through.
public final class AveragedWeightsObserver: TrainingObserver {
    public let observer: any TrainingObserver
    public let average: ExponentialMovingAverage

    public init(_ observer: any TrainingObserver, average: ExponentialMovingAverage) {
        self.observer = observer
        self.average = average
    }

    public func trainingWillStartEpoch(_ epoch: Int) { observer.trainingWillStartEpoch(epoch) }

    public func trainingDidFinishStep(_ step: Int, ofEpoch epoch: Int, runningLoss: Double) {
        observer.trainingDidFinishStep(step, ofEpoch: epoch, runningLoss: runningLoss)
    }

    public func figures(afterEpoch epoch: Int) throws(VAEGANError) -> [(name: String, value: Double)] {
        try average.withAveragedWeights { () throws(VAEGANError) in try observer.figures(afterEpoch: epoch) }
    }

    public func trainingDidFinishEpoch<Metrics: EpochMetrics>(_ report: EpochReport<Metrics>) throws(VAEGANError) {
        try average.withAveragedWeights { () throws(VAEGANError) in try observer.trainingDidFinishEpoch(report) }
    }

    public func trainingDidFail(atStep step: Int, ofEpoch epoch: Int) -> String? {
        observer.trainingDidFail(atStep: step, ofEpoch: epoch)
    }
}

extension Array where Element == any TrainingObserver {
    /// Each observer wrapped to see `average`'s weights, or as it is without one.
    func seeing(_ average: ExponentialMovingAverage?) -> [any TrainingObserver] {
        guard let average else { return self }
        return map { AveragedWeightsObserver($0, average: average) }
    }
}
