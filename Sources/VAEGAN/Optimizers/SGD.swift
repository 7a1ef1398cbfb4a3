// SGD with momentum, as torch.optim.SGD (dampening 0, no Nesterov).
import CVAEGAN

/// v ← μ·v + (g + λ·p);  p ← p − lr·v. The velocity is one buffer in the store's layout; a
/// step is one `vg_sgd_step` over the whole store.
public final class SGD: Optimizer {
    public let store: ParameterStore
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public var stepCount = 0
    private let velocity: Tensor
    public let stateTensors: [(name: String, tensor: Tensor)]

    /// SGD over the store that holds exactly `parameters`.
    ///
    /// - Throws: `.invalidArgument` when `parameters` is not one whole store.
    public convenience init(parameters: [Parameter], learningRate: Float, momentum: Float = 0,
                            weightDecay: Float = 0) throws(VAEGANError) {
        try self.init(store: try .holding(parameters), learningRate: learningRate, momentum: momentum,
                      weightDecay: weightDecay)
    }

    public init(store: ParameterStore, learningRate: Float, momentum: Float = 0,
                weightDecay: Float = 0) throws(VAEGANError) {
        try validateLearningRate(learningRate)
        try require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), not \(momentum)")
        try require(weightDecay >= 0, "weight decay must be non-negative, not \(weightDecay)")
        self.store = store
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        let v = try store.mirror()
        velocity = v
        stateTensors = store.parameters.map { ("\($0.name).velocity", store.view(of: $0, in: v)) }
    }

    public func step() {
        stepCount += 1
        vg_sgd_step(store.values.pointer, velocity.pointer, store.gradients.pointer, Int64(store.count),
                    learningRate, momentum, weightDecay)
    }
}
