// Adam (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980) and AdamW (Loshchilov & Hutter
// 2019, https://arxiv.org/abs/1711.05101), bias-corrected, as torch.optim.Adam and AdamW.
import CVAEGAN

/// Adam with optional L2 weight decay (added to the gradient, as PyTorch's Adam does).
///
/// ```swift
/// let adam = try Adam(store: vae.store, learningRate: 1e-3)
/// vae.store.zeroGradients(); /* forward, backward */; adam.step()
/// ```
///
/// Both moments are one buffer each in the store's layout, allocated here; a step is one
/// `vg_adam_step` over the whole store (which splits it over the thread pool).
public final class Adam: Optimizer {
    public let store: ParameterStore
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    /// True for AdamW's decoupled decay p ← p − lr·λ·p.
    public let decoupledWeightDecay: Bool
    public var stepCount = 0
    /// m and v, [store.count] each, at the parameters' offsets.
    private let firstMoments: Tensor
    private let secondMoments: Tensor
    public let stateTensors: [(name: String, tensor: Tensor)]

    public convenience init(store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0)
        throws(VAEGANError)
    {
        try self.init(store: store, learningRate: learningRate, beta1: beta1, beta2: beta2,
                      epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    /// Adam over the store that holds exactly `parameters` (a model part's list, such as
    /// `gan.discriminator.parameters`).
    ///
    /// - Throws: `.invalidArgument` when `parameters` is not one whole store.
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0)
        throws(VAEGANError)
    {
        try self.init(store: try .holding(parameters), learningRate: learningRate, beta1: beta1, beta2: beta2,
                      epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
    }

    init(store: ParameterStore, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         weightDecay: Float, decoupled: Bool) throws(VAEGANError) {
        try validateLearningRate(learningRate)
        try require((0..<1).contains(beta1) && (0..<1).contains(beta2),
                    "Adam betas must be in [0, 1), not (\(beta1), \(beta2))")
        try require(epsilon > 0, "Adam epsilon must be positive, not \(epsilon)")
        try require(weightDecay >= 0, "weight decay must be non-negative, not \(weightDecay)")
        self.store = store
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        decoupledWeightDecay = decoupled
        let m = try store.mirror(), v = try store.mirror()
        firstMoments = m
        secondMoments = v
        stateTensors = store.parameters.flatMap { p in
            [("\(p.name).exp_avg", store.view(of: p, in: m)), ("\(p.name).exp_avg_sq", store.view(of: p, in: v))]
        }
    }

    /// One update of every parameter of the store from its gradient. The padding between
    /// parameters has zero values, gradients and moments, and stays zero.
    public func step() {
        stepCount += 1
        vg_adam_step(store.values.pointer, firstMoments.pointer, secondMoments.pointer, store.gradients.pointer,
                     Int64(store.count), learningRate, beta1, beta2, epsilon, weightDecay, decoupledWeightDecay,
                     Int64(stepCount))
    }
}

/// AdamW: Adam with decoupled weight decay p ← p − lr·λ·p (default λ = 0.01, as PyTorch).
public final class AdamW: Optimizer {
    private let adam: Adam

    public init(store: ParameterStore, learningRate: Float = 1e-3, beta1: Float = 0.9,
                beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01)
        throws(VAEGANError)
    {
        adam = try Adam(store: store, learningRate: learningRate, beta1: beta1, beta2: beta2,
                        epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    /// AdamW over the store that holds exactly `parameters`.
    ///
    /// - Throws: `.invalidArgument` when `parameters` is not one whole store.
    public convenience init(parameters: [Parameter], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01)
        throws(VAEGANError)
    {
        try self.init(store: try .holding(parameters), learningRate: learningRate, beta1: beta1, beta2: beta2,
                      epsilon: epsilon, weightDecay: weightDecay)
    }

    public var store: ParameterStore { adam.store }
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
