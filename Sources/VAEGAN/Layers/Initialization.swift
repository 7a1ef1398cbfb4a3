// Initialization: how a layer's weights start, from their fan-in and fan-out.
import CVAEGAN

/// Weight initialization schemes (written for a dense weight [out, in]; convolutions pass their
/// fan-in and fan-out).
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
    ///
    /// - Throws: `.outOfMemory` when the orthogonal scheme's workspace cannot be allocated.
    func apply(weight: Tensor, bias: Tensor, using rng: inout RandomGenerator) throws(VAEGANError) {
        try apply(weight: weight, bias: bias, fanIn: weight.shape[1], fanOut: weight.shape[0], using: &rng)
    }

    /// Fills any weight from its fan-in and fan-out: a convolution's [out, in, k, k] has fan-in
    /// in·k², a transposed convolution's [in, out, k, k] has fan-in out·k² (PyTorch's reading of
    /// its dimension 1). An orthogonal weight is made for the [fanOut-like rows, the rest] view.
    ///
    /// - Throws: `.outOfMemory` when the orthogonal scheme's workspace cannot be allocated.
    func apply(weight: Tensor, bias: Tensor?, fanIn inputs: Int, fanOut out: Int,
               using rng: inout RandomGenerator) throws(VAEGANError) {
        bias?.zero()
        switch self {
        case .pytorchDefault:
            let bound = 1 / Float(inputs).squareRoot()
            fillUniform(weight, bound: bound, using: &rng)
            if let bias { fillUniform(bias, bound: bound, using: &rng) }
        case .heNormal:
            rng.fillNormal(weight.pointer, count: weight.count)
            vg_scale(weight.pointer, (2 / Float(inputs)).squareRoot(), Int64(weight.count))
        case .xavierUniform:
            fillUniform(weight, bound: (6 / Float(inputs + out)).squareRoot(), using: &rng)
        case .orthogonal(let gain):
            let rows = weight.shape[0], columns = weight.count / max(rows, 1)
            let workspace = try Tensor.zeros([Int(vg_orthogonal_workspace_size(Int64(rows), Int64(columns)))])
            let status = vg_orthogonal_init(weight.pointer, Int64(rows), Int64(columns), gain, &rng.state,
                                            workspace.pointer)
            precondition(status == VG_OK, String(cString: vg_last_error_message()))
        }
    }

    private func fillUniform(_ tensor: Tensor, bound: Float, using rng: inout RandomGenerator) {
        rng.fillUniform(tensor.pointer, count: tensor.count)
        for i in 0..<tensor.count { tensor.pointer[i] = (2 * tensor.pointer[i] - 1) * bound }
    }
}
