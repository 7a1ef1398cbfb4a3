// Parameter: a named trainable tensor and its gradient, as views into its part's
// ParameterStore (ParameterStore.swift), named as PyTorch names them ("encoder.0.weight",
// weight shape [out, in]) so checkpoints map one to one.
import CVAEGAN

/// A named view (offset, shape) into a `ParameterStore`'s value and gradient buffers.
///
/// A layer declares its parameters in a `ParameterStore.Layout` while it is built; the store
/// then allocates one buffer for the whole part and points every parameter into it. Reading
/// `value` or `gradient` before that is a programmer error and traps.
public final class Parameter {
    public let name: String
    public let shape: [Int]
    /// Number of Floats.
    public let count: Int
    /// Where the parameter starts in its store's buffers, in Floats: a multiple of 16, so
    /// every parameter is 64-byte aligned as a tensor of its own would be.
    public let offset: Int
    /// The store the parameter lives in (nil until it exists).
    public private(set) weak var store: ParameterStore?
    private var views: (value: Tensor, gradient: Tensor)?

    init(name: String, shape: [Int], offset: Int) {
        self.name = name
        self.shape = shape
        count = shape.reduce(1, *)
        self.offset = offset
    }

    /// The values, a view into the store's value buffer.
    public var value: Tensor {
        guard let views else { preconditionFailure("parameter \(name) is read before its ParameterStore exists") }
        return views.value
    }

    /// ∂L/∂value, a view into the store's gradient buffer at the same offset.
    public var gradient: Tensor {
        guard let views else { preconditionFailure("parameter \(name) is read before its ParameterStore exists") }
        return views.gradient
    }

    /// Points the parameter into `store`'s buffers (once, when the store is made).
    func bind(to store: ParameterStore) {
        precondition(views == nil, "parameter \(name) is in two stores")
        views = (Tensor(viewing: store.values, offset: offset, shape: shape),
                 Tensor(viewing: store.gradients, offset: offset, shape: shape))
        self.store = store
    }
}

extension Collection where Element == Parameter {
    /// Zeroes every gradient, one call per parameter. A whole part's are zeroed in one call by
    /// `ParameterStore.zeroGradients()`; this is for lists that are not one store.
    public func zeroGradients() {
        forEachParameter { $0.gradient.zero() }
    }

    /// Total number of scalars.
    public var scalarCount: Int { reduce(0) { $0 + $1.count } }

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
