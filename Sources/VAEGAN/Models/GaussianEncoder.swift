// GaussianEncoder: q(z|x) = N(μ(x), diag exp(logvar(x))), the encoder of the β-VAE and of the
// VAE-GAN: an MLP body ("encoder.0", "encoder.1", …) and two linear heads ("mu", "logvar").
import CVAEGAN

/// A body (an MLP, or any network ending in [features]) followed by linear heads for μ and
/// log σ², with its buffers sized once.
public final class GaussianEncoder {
    /// The hidden layers, ReLU after each.
    public let body: Sequential
    public let muHead: Dense
    public let logvarHead: Dense
    /// body, then μ head, then logvar head (stored: steps read it without allocating).
    public let parameters: [Parameter]
    /// ∂L/∂h for the body's output h, which feeds both heads.
    private let hiddenGradient: Tensor

    /// Declares the body's and the heads' parameters in `layout`, in that order.
    public convenience init(inputWidth: Int, hiddenWidths: [Int], latentWidth: Int, initialization: Initialization,
                            batchCapacity: Int, parameters layout: ParameterStore.Layout) throws(VAEGANError) {
        precondition(!hiddenWidths.isEmpty, "GaussianEncoder needs at least one hidden layer")
        try self.init(body: .mlp(input: inputWidth, widths: hiddenWidths, hidden: .relu, output: .relu),
                      latentWidth: latentWidth, initialization: initialization, batchCapacity: batchCapacity,
                      parameters: layout)
    }

    /// A body from a spec ending in [features] ("encoder.<index>"), then the two heads.
    public init(body spec: NetworkSpec, latentWidth: Int, initialization: Initialization, batchCapacity: Int,
                parameters layout: ParameterStore.Layout) throws(VAEGANError) {
        let features = try spec.outputShape()
        guard features.count == 1 else {
            throw .shapeMismatch("the encoder's body ends in \(features); the μ and log σ² heads need [features]")
        }
        let hidden = features[0]
        body = try spec.build(name: "encoder", initialization: initialization, batchCapacity: batchCapacity,
                              parameters: layout)
        muHead = try Dense(name: "mu", inputWidth: hidden, outputWidth: latentWidth,
                           initialization: initialization, batchCapacity: batchCapacity, parameters: layout)
        logvarHead = try Dense(name: "logvar", inputWidth: hidden, outputWidth: latentWidth,
                               initialization: initialization, batchCapacity: batchCapacity, parameters: layout)
        parameters = body.parameters + muHead.parameters + logvarHead.parameters
        hiddenGradient = try .zeros([batchCapacity, hidden])
    }

    /// μ and log σ² for rows of `x` (views into the heads' buffers, valid until the next call).
    public func forward(_ x: Matrix) -> (mu: Matrix, logvar: Matrix) {
        let h = body.forward(x)
        return (muHead.forward(h), logvarHead.forward(h))
    }

    /// Given ∂L/∂μ and ∂L/∂logvar for the last forward, adds ∂L/∂parameters into the gradients.
    /// (No gradient for x: nothing upstream of an encoder trains.)
    public func backward(muGradient: Matrix, logvarGradient: Matrix) {
        // h feeds both heads, so its gradient is the sum of theirs.
        let dh = Matrix(hiddenGradient.pointer, rows: muGradient.rows, columns: muHead.inputWidth)
        dh.copy(from: muHead.backward(muGradient))
        vg_axpy(dh.base, 1, logvarHead.backward(logvarGradient).base, Int64(dh.count))
        body.backward(dh, computeInputGradient: false, accumulateParameterGradients: true)
    }
}
