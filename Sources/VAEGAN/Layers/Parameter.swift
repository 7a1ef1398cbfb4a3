// Parameter: a named trainable tensor and its gradient, named as PyTorch names them
// ("encoder.0.weight", weight shape [out, in]) so checkpoints map one to one.
import CVAEGAN


/// A trainable tensor, its gradient buffer of the same shape, and its dotted name.
public final class Parameter {
    public let name: String
    public let value: Tensor
    public let gradient: Tensor

    public init(name: String, shape: [Int]) {
        self.name = name
        value = Tensor(shape: shape)
        gradient = Tensor(shape: shape)
    }

    public var shape: [Int] { value.shape }
}

extension Collection where Element == Parameter {
    /// Zeroes every gradient: backward passes accumulate, so each step starts here.
    public func zeroGradients() {
        forEachParameter { $0.gradient.zero() }
    }

    /// Total number of scalars.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }

    /// The global L2 norm of all gradients.
    public func gradientNorm() -> Double {
        var sum = 0.0
        forEachParameter { sum += vg_sum_squares($0.gradient.pointer, Int64($0.gradient.count)) }
        return sum.squareRoot()
    }

    /// Scales all gradients so their global norm is at most `maxNorm`; returns the norm before.
    @discardableResult
    public func clipGradients(maxNorm: Double) -> Double {
        let norm = gradientNorm()
        if norm > maxNorm, norm > 0 {
            let factor = Float(maxNorm / norm)
            forEachParameter { vg_scale($0.gradient.pointer, factor, Int64($0.gradient.count)) }
        }
        return norm
    }

    /// Calls `body` on each parameter without a generic iterator. Unoptimized (debug) builds read
    /// a generic collection's elements through a coroutine that mallocs its frame, once per
    /// element, and a training step must not allocate (AllocationTests checks it).
    @inline(__always)
    func forEachParameter(_ body: (Parameter) -> Void) {
        let done: Void? = withContiguousStorageIfAvailable { buffer in
            for index in 0..<buffer.count { body(buffer[index]) }
        }
        if done == nil { for parameter in self { body(parameter) } }
    }
}
