// Reshape: a change of shape between layers ([features] ↔ [C, H, W]) that moves no data.

/// Between [features] and [C, H, W]: the same floats read another way, so forward and backward
/// return their argument itself (no copy). In a network it records where shapes change.
public final class Reshape: Layer {
    public let inputShape: [Int]
    public let outputShape: [Int]
    public let batchCapacity: Int
    public var parameters: [Parameter] { [] }
    /// Stored: computing them with reduce would allocate in debug builds, on every call.
    public let inputWidth: Int
    public let outputWidth: Int

    public init(from inputShape: [Int], to outputShape: [Int], batchCapacity: Int) throws(VAEGANError) {
        try require(inputShape.allSatisfy { $0 > 0 } && outputShape.allSatisfy { $0 > 0 },
                    "reshape: dimensions must be positive, not \(inputShape) → \(outputShape)")
        guard inputShape.reduce(1, *) == outputShape.reduce(1, *) else {
            throw .shapeMismatch("reshape from \(inputShape) (\(inputShape.reduce(1, *)) values) to \(outputShape) (\(outputShape.reduce(1, *)) values)")
        }
        self.inputShape = inputShape
        self.outputShape = outputShape
        inputWidth = inputShape.reduce(1, *)
        outputWidth = outputShape.reduce(1, *)
        self.batchCapacity = batchCapacity
    }

    /// Itself: a reshape saves nothing from its forward, so passes can share one instance.
    public func sharingParameters() throws(VAEGANError) -> Reshape { self }

    public func forward(_ input: Matrix) -> Matrix {
        checkInput(input)
        return input
    }

    @discardableResult
    public func backward(_ outputGradient: Matrix, computeInputGradient: Bool,
                         accumulateParameterGradients: Bool) -> Matrix {
        computeInputGradient ? outputGradient : Matrix(outputGradient.base, rows: 0, columns: inputWidth)
    }
}
