// Optimizer: what every update rule offers. Rules are ordered simplest first in their own
// files: SGD.swift, Adam.swift (Adam and AdamW).

/// An update rule that owns its state (allocated when created, in its store's layout) for
/// the parameters of one `ParameterStore`.
public protocol Optimizer: AnyObject {
    /// The model part it trains.
    var store: ParameterStore { get }
    /// Updates applied so far.
    var stepCount: Int { get set }
    var learningRate: Float { get set }
    /// Applies one update from the parameters' current gradients.
    func step()
    /// The optimizer's own tensors by name (moments, velocities), for checkpoints.
    var stateTensors: [(name: String, tensor: Tensor)] { get }
}

extension Optimizer {
    /// The store's parameters, in its order.
    public var parameters: [Parameter] { store.parameters }
}

func validateLearningRate(_ learningRate: Float) throws(VAEGANError) {
    try require(learningRate.isFinite && learningRate > 0,
                "learning rate must be positive and finite, not \(learningRate)")
}
