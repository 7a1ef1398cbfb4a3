// Training a classifier from labelled images: AdamW with a cosine learning-rate decay, as the
// domain classifiers are trained.
import Foundation

extension Classifier {
    /// Trains a new classifier on labelled `examples` with AdamW and a cosine learning-rate
    /// decay, reporting each epoch's loss and training accuracy to `progress`.
    public static func train(on examples: ImageDataset, configuration: ClassifierConfiguration = .init(),
                             progress: ProgressReporter? = nil) throws(VAEGANError) -> Classifier {
        guard let labels = examples.labels else { throw .invalidArgument("training a classifier needs labels") }
        try require(examples.featureCount == configuration.inputWidth,
                    "the classifier takes rows of \(configuration.inputWidth) values, the data has \(examples.featureCount)")
        if let bad = labels.first(where: { Int($0) >= configuration.classCount }) {
            throw .invalidArgument("label \(bad) is outside the classifier's \(configuration.classCount) classes")
        }
        let classifier = try Classifier(configuration, batchCapacity: configuration.batchSize)
        let optimizer = try AdamW(parameters: classifier.parameters, learningRate: configuration.learningRate,
                                  weightDecay: configuration.weightDecay)
        let loader = try BatchLoader(examples, batchSize: configuration.batchSize, seed: configuration.seed)
        var batchLabels = [Int32](repeating: 0, count: configuration.batchSize)
        let totalSteps = Double(configuration.epochs * loader.batchesPerEpoch)
        for epoch in 1...configuration.epochs {
            progress?.startEpoch()
            loader.startEpoch()
            var (loss, correct, batch) = (0.0, 0, 0)
            while let x = loader.nextBatch() {
                let progressed = Double(optimizer.stepCount) / totalSteps
                optimizer.learningRate = configuration.learningRate * Float(0.5 * (1 + cos(Double.pi * progressed)))
                for (row, index) in loader.batchIndices.enumerated() { batchLabels[row] = Int32(labels[Int(index)]) }
                classifier.parameters.zeroGradients()
                let result = try batchLabels.withUnsafeBufferPointer { all throws(VAEGANError) in
                    try classifier.accumulateGradients(on: x, labels: UnsafeBufferPointer(rebasing: all[0..<x.rows]))
                }
                optimizer.step()
                loss += result.loss
                correct += result.correct
                batch += 1
                progress?.update(epoch: epoch, batch: batch, runningLoss: loss / Double(batch * configuration.batchSize))
            }
            progress?.finishEpoch(String(format: "classifier epoch %d/%d  loss %.4f  train accuracy %.4f",
                                         epoch, configuration.epochs, loss / Double(examples.count),
                                         Double(correct) / Double(examples.count)))
        }
        return classifier
    }
}
