// SGD with momentum, as torch.optim.SGD (dampening 0, no Nesterov).
import CVAEGAN

/// v ← μ·v + (g + λ·p);  p ← p − lr·v.
public final class SGD: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    public var stepCount = 0
    private let velocities: [Tensor]

    public init(parameters: [Parameter], learningRate: Float, momentum: Float = 0,
                weightDecay: Float = 0) throws(VAEGANError) {
        try validateLearningRate(learningRate)
        try require(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), not \(momentum)")
        try require(weightDecay >= 0, "weight decay must be non-negative, not \(weightDecay)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocities = parameters.map { Tensor(shape: $0.shape) }
    }

    public func step() {
        stepCount += 1
        for index in parameters.indices { // not zip(…): in debug builds its iterator mallocs
            let parameter = parameters[index], velocity = velocities[index]
            vg_sgd_step(parameter.value.pointer, velocity.pointer, parameter.gradient.pointer,
                        Int64(parameter.value.count), learningRate, momentum, weightDecay)
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        zip(parameters, velocities).map { ("\($0.name).velocity", $1) }
    }
}
