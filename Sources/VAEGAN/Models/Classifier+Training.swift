// Training a classifier from labelled images: AdamW with a cosine learning-rate decay, as the
// domain classifiers are trained, through the one training loop (TrainingLoop).
import Foundation

/// A classifier's training figures for one epoch.
public struct ClassifierMetrics: EpochMetrics {
    /// Mean softmax cross-entropy per training example.
    public var loss: Double
    /// Share of the training examples predicted right during the epoch.
    public var accuracy: Double

    public var namedValues: [(name: String, value: Double)] { [("loss", loss), ("accuracy", accuracy)] }
    public static let lossPanels = [(title: "cross-entropy", metrics: ["loss"]), (title: "train accuracy", metrics: ["accuracy"])]
}

/// A classifier being trained: AdamW, the cosine schedule over `totalSteps`, and the labels of
/// the rows `loader` draws.
public final class ClassifierTraining: Trainable {
    public let classifier: Classifier
    public let optimizer: AdamW
    private let labels: [UInt8]
    /// Whose batches are trained on: its `batchIndices` name the rows, hence their labels.
    private let loader: BatchLoader
    private let totalSteps: Double
    private var batchLabels: [Int32]
    private var sums = (loss: 0.0, correct: 0, examples: 0)

    public init(classifier: Classifier, labels: [UInt8], loader: BatchLoader, epochs: Int) throws(VAEGANError) {
        let c = classifier.configuration
        self.classifier = classifier
        optimizer = try AdamW(parameters: classifier.parameters, learningRate: c.learningRate, weightDecay: c.weightDecay)
        self.labels = labels
        self.loader = loader
        totalSteps = Double(epochs * loader.batchesPerEpoch)
        batchLabels = [Int32](repeating: 0, count: loader.batchSize)
    }

    public var inputWidth: Int { classifier.inputWidth }

    public func startEpoch(_ epoch: Int) { sums = (0, 0, 0) }

    /// Returns the batch's summed loss over the configured batch size (the progress bar's
    /// running mean is then the loss per example).
    public func trainStep(on x: Matrix) throws(VAEGANError) -> Double {
        let c = classifier.configuration
        let progressed = Double(optimizer.stepCount) / totalSteps
        optimizer.learningRate = c.learningRate * Float(0.5 * (1 + cos(Double.pi * progressed)))
        for (row, index) in loader.batchIndices.enumerated() { batchLabels[row] = Int32(labels[Int(index)]) }
        classifier.parameters.zeroGradients()
        let result = try batchLabels.withUnsafeBufferPointer { all throws(VAEGANError) in
            try classifier.accumulateGradients(on: x, labels: UnsafeBufferPointer(rebasing: all[0..<x.rows]))
        }
        optimizer.step()
        sums.loss += result.loss
        sums.correct += result.correct
        sums.examples += x.rows
        return result.loss / Double(c.batchSize)
    }

    public func finishEpoch(test: ImageDataset?) -> ClassifierMetrics {
        let n = Double(max(sums.examples, 1))
        return ClassifierMetrics(loss: sums.loss / n, accuracy: Double(sums.correct) / n)
    }
}

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
        let loader = try BatchLoader(examples, batchSize: configuration.batchSize, seed: configuration.seed)
        let training = try ClassifierTraining(classifier: classifier, labels: labels, loader: loader,
                                              epochs: configuration.epochs)
        let loop = try TrainingLoop(model: training, loader: loader)
        if let progress {
            progress.summaryLine = { record in
                String(format: "classifier epoch %d/%d  loss %.4f  train accuracy %.4f", record.epoch,
                       configuration.epochs, record["loss"] ?? .nan, record["accuracy"] ?? .nan)
            }
            loop.observers = [progress]
        }
        try loop.run(through: configuration.epochs, test: nil)
        return classifier
    }
}
