// Initialization: how a dense layer's weights start.
import CVAEGAN

/// Weight initialization schemes for a weight of shape [out, in].
public enum Initialization: Equatable, Sendable {
    /// PyTorch's nn.Linear default: weight and bias uniform in ±1/√in.
    case pytorchDefault
    /// He et al. 2015 (for ReLU): weight normal with std √(2/in); bias zero.
    case heNormal
    /// Glorot & Bengio 2010: weight uniform in ±√(6/(in+out)); bias zero.
    case xavierUniform
    /// Saxe et al. 2014: a scaled random orthogonal matrix (QR through LAPACKE); bias zero.
    case orthogonal(gain: Float)

    /// Fills `weight` ([out, in]) and `bias` ([out]).
    func apply(weight: Tensor, bias: Tensor, using rng: inout RandomGenerator) {
        let out = weight.shape[0], inputs = weight.shape[1]
        bias.zero()
        switch self {
        case .pytorchDefault:
            let bound = 1 / Float(inputs).squareRoot()
            fillUniform(weight, bound: bound, using: &rng)
            fillUniform(bias, bound: bound, using: &rng)
        case .heNormal:
            rng.fillNormal(weight.pointer, count: weight.count)
            vg_scale(weight.pointer, (2 / Float(inputs)).squareRoot(), Int64(weight.count))
        case .xavierUniform:
            fillUniform(weight, bound: (6 / Float(inputs + out)).squareRoot(), using: &rng)
        case .orthogonal(let gain):
            let workspace = Tensor(shape: [Int(vg_orthogonal_workspace_size(Int64(out), Int64(inputs)))])
            let status = vg_orthogonal_init(weight.pointer, Int64(out), Int64(inputs), gain, &rng.state,
                                            workspace.pointer)
            precondition(status == VG_OK, String(cString: vg_last_error_message()))
        }
    }

    private func fillUniform(_ tensor: Tensor, bound: Float, using rng: inout RandomGenerator) {
        rng.fillUniform(tensor.pointer, count: tensor.count)
        for i in 0..<tensor.count { tensor.pointer[i] = (2 * tensor.pointer[i] - 1) * bound }
    }
}
