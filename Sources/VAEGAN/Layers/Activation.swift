// Activation: the element-wise nonlinearities, as the C core names them.
import CVAEGAN

/// An element-wise nonlinearity. Each derivative is computed from the output alone.
public enum Activation: Equatable, Sendable, CustomStringConvertible {
    case identity
    case relu
    /// x for x > 0, slope·x otherwise; slope ≥ 0.
    case leakyReLU(slope: Float)
    case sigmoid
    case tanh

    var kind: vg_activation {
        switch self {
        case .identity: VG_ACTIVATION_IDENTITY
        case .relu: VG_ACTIVATION_RELU
        case .leakyReLU: VG_ACTIVATION_LEAKY_RELU
        case .sigmoid: VG_ACTIVATION_SIGMOID
        case .tanh: VG_ACTIVATION_TANH
        }
    }

    var alpha: Float {
        if case .leakyReLU(let slope) = self { return slope }
        return 0
    }

    public var description: String {
        switch self {
        case .identity: "identity"
        case .relu: "relu"
        case .leakyReLU(let slope): "leaky_relu(\(slope))"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        }
    }

    /// Parses `description`'s form back (for checkpoints).
    public init?(description: String) {
        switch description {
        case "identity": self = .identity
        case "relu": self = .relu
        case "sigmoid": self = .sigmoid
        case "tanh": self = .tanh
        default:
            guard description.hasPrefix("leaky_relu("), description.hasSuffix(")"),
                  let slope = Float(description.dropFirst(11).dropLast()), slope >= 0
            else { return nil }
            self = .leakyReLU(slope: slope)
        }
    }
}
