// Classifier: an MLP image classifier trained with softmax cross-entropy. VAEGAN trains one per
// built-in data set as its domain classifier: the penultimate layer's activations are the
// feature space of FID and precision/recall, its predictions the labels of mode coverage.
import CVAEGAN

/// Architecture and training schedule of a ``Classifier``.
public struct ClassifierConfiguration: Equatable, Sendable {
    public var inputWidth = 784
    /// Hidden ReLU layers; the last one is the feature space.
    public var hiddenWidths = [512, 256]
    public var classCount = 10
    public var epochs = 20
    public var batchSize = 128
    /// Adam's learning rate at the start, decayed to 0 along a cosine over the run.
    public var learningRate: Float = 1e-3
    /// AdamW's decoupled weight decay.
    public var weightDecay: Float = 1e-4
    public var seed: UInt64 = 0

    public init() {}

    public func validate() throws(VAEGANError) {
        try require(inputWidth > 0 && classCount >= 2 && !hiddenWidths.isEmpty && hiddenWidths.allSatisfy { $0 > 0 },
                    "a classifier needs positive widths, at least one hidden layer and two classes")
        try require(epochs > 0 && batchSize > 0, "epochs and batch size must be positive")
    }
}

/// An MLP: input → ReLU hidden layers (the last is the feature space) → class logits.
///
/// ```swift
/// let classifier = try Classifier.train(on: train, configuration: ClassifierConfiguration())
/// let accuracy = try classifier.accuracy(on: test)
/// let features = try classifier.featuresAll(try test.rowsAsFloats(0..<test.count))
/// ```
public final class Classifier {
    public let configuration: ClassifierConfiguration
    public let batchCapacity: Int
    /// Input → features.
    public let body: Sequential
    /// Features → logits.
    public let head: Dense
    /// Body and head in one buffer.
    public let store: ParameterStore
    public var parameters: [Parameter] { store.parameters }
    private let logitGradient: Tensor

    public init(_ configuration: ClassifierConfiguration, batchCapacity: Int = 128) throws(VAEGANError) {
        try configuration.validate()
        try require(batchCapacity > 0, "batch size must be positive, not \(batchCapacity)")
        self.configuration = configuration
        self.batchCapacity = batchCapacity
        var rng = RandomGenerator(seed: configuration.seed)
        let c = configuration
        let layout = ParameterStore.Layout()
        body = try .mlp(name: "classifier", widths: [c.inputWidth] + c.hiddenWidths, hidden: .relu, output: .relu,
                        batchCapacity: batchCapacity, parameters: layout)
        head = try Dense(name: "classifier.\(c.hiddenWidths.count)", inputWidth: c.hiddenWidths.last!,
                         outputWidth: c.classCount, batchCapacity: batchCapacity, parameters: layout)
        store = try ParameterStore(layout, initializingWith: &rng)
        logitGradient = try .zeros([batchCapacity, c.classCount])
    }

    public var inputWidth: Int { configuration.inputWidth }
    public var featureWidth: Int { head.inputWidth }
    public var classCount: Int { configuration.classCount }

    /// Class logits for rows of `x` (a view into the head's buffer, valid until the next call).
    public func logits(_ x: Matrix) -> Matrix { head.forward(body.forward(x)) }

    /// Forward and backward on one batch: adds ∂(mean loss)/∂parameters into the gradients and
    /// returns the batch's summed loss and its number of correct predictions.
    public func accumulateGradients(on x: Matrix, labels: UnsafeBufferPointer<Int32>) throws(VAEGANError)
        -> (loss: Double, correct: Int)
    {
        let output = logits(x)
        let gradient = Matrix(logitGradient.pointer, rows: x.rows, columns: classCount)
        let loss = try softmaxCrossEntropy(logits: output, labels: labels, gradient: gradient,
                                           gradientScale: 1 / Float(x.rows))
        var correct = 0
        for row in 0..<x.rows where Self.argmax(output.row(row), count: classCount) == Int(labels[row]) { correct += 1 }
        body.backward(head.backward(gradient), computeInputGradient: false, accumulateParameterGradients: true)
        return (loss, correct)
    }

    /// The feature-space rows (the last hidden layer's activations) of any number of rows.
    ///
    /// - Throws: `.outOfMemory` when the features cannot be allocated.
    public func featuresAll(_ rows: [Float]) throws(VAEGANError) -> [Float] {
        try mapRowsInChunks(rows, width: inputWidth, capacity: batchCapacity) { body.forward($0) }
    }

    /// The predicted class of each row (as many Ints as the logits' Floats fill: bounded by them).
    ///
    /// - Throws: `.outOfMemory` when the logits cannot be allocated.
    public func predictAll(_ rows: [Float]) throws(VAEGANError) -> [Int] {
        let logits = try mapRowsInChunks(rows, width: inputWidth, capacity: batchCapacity) { self.logits($0) }
        return logits.withUnsafeBufferPointer { buffer in
            (0..<(logits.count / classCount)).map { Self.argmax(buffer.baseAddress! + $0 * classCount, count: classCount) }
        }
    }

    /// The share of `examples` whose label is predicted.
    public func accuracy(on examples: ImageDataset) throws(VAEGANError) -> Double {
        guard let labels = examples.labels else { throw .invalidArgument("accuracy needs a labelled data set") }
        try require(examples.featureCount == inputWidth,
                    "the classifier takes rows of \(inputWidth) values, the data has \(examples.featureCount)")
        let predictions = try predictAll(try examples.rowsAsFloats(0..<examples.count))
        return Double(zip(predictions, labels).filter { $0 == Int($1) }.count) / Double(max(examples.count, 1))
    }

    private static func argmax(_ values: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for i in 1..<count where values[i] > values[best] { best = i }
        return best
    }
}
