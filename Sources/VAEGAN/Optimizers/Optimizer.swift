// Optimizer: what every update rule offers. Rules are ordered simplest first in their own
// files: SGD.swift, Adam.swift (Adam and AdamW).

/// An update rule that owns its state (allocated when created) for a fixed list of parameters.
public protocol Optimizer: AnyObject {
    var parameters: [Parameter] { get }
    /// Updates applied so far.
    var stepCount: Int { get set }
    var learningRate: Float { get set }
    /// Applies one update from the parameters' current gradients.
    func step()
    /// The optimizer's own tensors by name (moments, velocities), for checkpoints.
    var stateTensors: [(name: String, tensor: Tensor)] { get }
}

func validateLearningRate(_ learningRate: Float) throws(VAEGANError) {
    try require(learningRate.isFinite && learningRate > 0,
                "learning rate must be positive and finite, not \(learningRate)")
}
