// Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) and AdamW (Loshchilov & Hutter
// 2019, https://arxiv.org/abs/1711.05101), bias-corrected, as torch.optim.Adam and AdamW.
import CVAEGAN

/// Adam with optional L2 weight decay (added to the gradient, as PyTorch's Adam does).
///
/// ```swift
/// let adam = try Adam(parameters: model.parameters, learningRate: 1e-3)
/// model.parameters.zeroGradients(); /* forward, backward */; adam.step()
/// ```
public final class Adam: Optimizer {
    public let parameters: [Parameter]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// True for AdamW's decoupled decay p ← p − lr·λ·p.
    public let decoupledWeightDecay: Bool
    public var stepCount = 0
    private let firstMoments: [Tensor]
    private let secondMoments: [Tensor]

    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0)
        throws(VAEGANError)
    {
        try self.init(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                      epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    init(parameters: [Parameter], learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         weightDecay: Float, decoupled: Bool) throws(VAEGANError) {
        try validateLearningRate(learningRate)
        try require((0..<1).contains(beta1) && (0..<1).contains(beta2),
                    "Adam betas must be in [0, 1), not (\(beta1), \(beta2))")
        try require(epsilon > 0, "Adam epsilon must be positive, not \(epsilon)")
        try require(weightDecay >= 0, "weight decay must be non-negative, not \(weightDecay)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        decoupledWeightDecay = decoupled
        firstMoments = parameters.map { Tensor(shape: $0.shape) }
        secondMoments = parameters.map { Tensor(shape: $0.shape) }
    }

    public func step() {
        stepCount += 1
        for index in parameters.indices {
            let p = parameters[index]
            vg_adam_step(p.value.pointer, firstMoments[index].pointer, secondMoments[index].pointer,
                         p.gradient.pointer, Int64(p.value.count), learningRate, beta1, beta2, epsilon,
                         weightDecay, decoupledWeightDecay, Int64(stepCount))
        }
    }

    public var stateTensors: [(name: String, tensor: Tensor)] {
        parameters.indices.flatMap { i in
            [("\(parameters[i].name).exp_avg", firstMoments[i]),
             ("\(parameters[i].name).exp_avg_sq", secondMoments[i])]
        }
    }
}

/// AdamW: Adam with decoupled weight decay p ← p − lr·λ·p (default λ = 0.01, as PyTorch).
public final class AdamW: Optimizer {
    private let adam: Adam

    public init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01)
        throws(VAEGANError)
    {
        adam = try Adam(parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2,
                        epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    public var parameters: [Parameter] { adam.parameters }
    public var stepCount: Int {
        get { adam.stepCount }
        set { adam.stepCount = newValue }
    }
    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }
    public var weightDecay: Float { adam.weightDecay }
    public func step() { adam.step() }
    public var stateTensors: [(name: String, tensor: Tensor)] { adam.stateTensors }
}
